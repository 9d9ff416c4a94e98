// Reading and perturbing a model's weights for numeric checks.
import * as tf from '@tensorflow/tfjs';
import type { Weights } from './reference.js';

/** Every layer's weights, by layer name, as the reference interpreter takes them. */
export function weightsOf(model: tf.LayersModel): Weights {
  const weights: Weights = new Map();
  for (const layer of model.layers) weights.set(layer.name, layer.getWeights().map((w) => w.dataSync() as Float32Array));
  return weights;
}

/** Random batch-norm statistics and affine parameters, so batch norm is not the identity in a check. */
export function randomiseBatchNorm(model: tf.LayersModel, random: () => number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.getWeights()[0]!.shape[0]!;
    const vec = (lo: number, hi: number) => tf.tensor1d(Array.from({ length: c }, () => lo + (hi - lo) * random()));
    const values = [vec(0.5, 1.5), vec(-0.5, 0.5), vec(-0.2, 0.2), vec(0.5, 2)];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Random biases (the initialiser sets them to zero, which would hide a bias mix-up). */
export function randomiseBiases(model: tf.LayersModel, random: () => number): void {
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length !== 2 || layer.getClassName() === 'BatchNormalization') continue;
    const bias = tf.tensor1d(Array.from({ length: weights[1]!.shape[0]! }, () => random() * 0.2 - 0.1));
    layer.setWeights([weights[0]!, bias]);
    bias.dispose();
  }
}
