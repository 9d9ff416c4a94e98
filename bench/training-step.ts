/** The backend choice and the U-Net training step shared by the backend benchmarks. */
import * as tf from '@tensorflow/tfjs';
import { buildModel, leanConvGradients, unet, useBackend, weightedSoftmaxCrossEntropy, type BackendName, type Depth } from '../src/index.js';
import { useBackend as useBackendNode } from '../src/node/index.js';

/**
 * Selects `cpu`, `wasm` (tfjs's single-threaded build), `wasm-threads` (the
 * threaded build via tfjs-unet/node, all cores) or `tensorflow`.
 * @returns a label for reports.
 */
export async function selectBackend(name: string): Promise<string> {
  tf.env().set('IS_TEST', false);
  if (name !== 'wasm-threads') {
    await useBackend(name as BackendName);
    return name;
  }
  await useBackendNode('wasm');
  return `wasm, ${(await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()} threads`;
}

/**
 * A U-Net (linear output, no dropout, seed 1) on one random tile, with a
 * forward pass and a training step (momentum SGD on the weighted loss, lean
 * ReLU-conv gradients as `train` uses) that each read their result back.
 */
export function unetBench(depth: number, baseFilters: number, inputSize: number) {
  const spec = unet({ depth: depth as Depth, baseFilters, dropout: 0, outputActivation: 'linear' });
  const model = buildModel(spec, { inputSize, seed: 1 });
  leanConvGradients(model);
  const x = tf.randomUniform([1, inputSize, inputSize, 1]);
  const out = model.outputs[0]!.shape[1]!;
  const labels = tf.randomUniform([1, out, out], 0, 2, 'int32');
  const weights = tf.onesLike(labels).toFloat();
  const optimizer = tf.train.momentum(1e-6, 0.99);
  const forward = () => {
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
  };
  const step = () => {
    const loss = optimizer.minimize(() => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar, true)!;
    loss.dataSync();
    loss.dispose();
  };
  return { spec, forward, step };
}
