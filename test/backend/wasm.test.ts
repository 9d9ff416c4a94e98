// Training on the wasm backend: with this library's kernels, every gradient of
// a U-Net training step matches the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, unet, useBackend, validInputSizes, weightedSoftmaxCrossEntropy, type UNetOptions } from '../../src/index.js';
import { rng } from '../helpers/random.js';

// tfjs's IS_TEST leak check counts the wasm backend's own temporary buffers in fused kernels as leaks.
tf.env().set('IS_TEST', false);

function gradients(options: UNetOptions, backend: 'cpu' | 'wasm'): Promise<Map<string, Float32Array>> {
  return (async () => {
    await useBackend(backend);
    const spec = unet({ ...options, outputActivation: 'linear', dropout: 0 });
    const size = validInputSizes(spec, { max: 200 })[1]!;
    const model = buildModel(spec, { inputSize: size, seed: 11 });
    const random = rng(2);
    const out = model.outputs[0]!.shape[1]!;
    const x = tf.tensor4d(Float32Array.from({ length: 2 * size * size }, () => random()), [2, size, size, 1]);
    const labels = tf.tensor3d(Int32Array.from({ length: 2 * out * out }, () => (random() < 0.4 ? 1 : 0)), [2, out, out], 'int32');
    const weights = tf.tensor3d(Float32Array.from({ length: 2 * out * out }, () => 1 + 9 * random()), [2, out, out]);
    const { grads, value } = tf.variableGrads(
      () => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar,
      model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    );
    const result = new Map<string, Float32Array>();
    for (const w of model.trainableWeights) result.set(w.originalName, grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync() as Float32Array);
    tf.dispose([x, labels, weights, value, ...Object.values(grads)]);
    model.dispose();
    return result;
  })();
}

const variants: UNetOptions[] = [
  { depth: 2, baseFilters: 3 },
  { depth: 1, baseFilters: 2, padding: 'same', upsampling: 'bilinear', batchNorm: true },
  { depth: 2, baseFilters: 2, upsampling: 'nearest' },
];

describe('wasm backend training', () => {
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('gradients match the cpu backend: %s', async (_, options) => {
    const cpu = await gradients(options, 'cpu');
    const wasm = await gradients(options, 'wasm');
    expect([...wasm.keys()]).toEqual([...cpu.keys()]);
    for (const [name, g] of cpu) {
      const h = wasm.get(name)!;
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < g.length; i++) {
        diff += (g[i]! - h[i]!) ** 2;
        norm += g[i]! ** 2;
      }
      expect(Math.sqrt(diff / Math.max(norm, 1e-30)), name).toBeLessThan(1e-4);
    }
  });
});
