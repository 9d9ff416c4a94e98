// Lean ReLU-conv gradients: same values and gradients as the stock layers
// (checked against a second, unpatched model with the same weights), fewer
// tensors kept on the tape, and no change to what is saved.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, unet, validInputSizes, weightedSoftmaxCrossEntropy, type UNetOptions } from '../../src/index.js';
import { leanConvGradients, reluConv2d } from '../../src/compile/lean-gradients.js';
import { rng } from '../helpers/random.js';
import { relativeL2 } from '../helpers/compare.js';

type Tape = { saved?: tf.Tensor[] }[];

/** Loss, gradients and the bytes of distinct buffers the tape keeps for the backward pass. */
function step(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor) {
  let savedBytes = 0;
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => {
    const loss = weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar;
    const seen = new Set<unknown>(variables.map((v) => v.dataId)); // activations only, not weights
    for (const node of (tf.engine().state as unknown as { activeTape: Tape }).activeTape) {
      for (const t of node.saved ?? []) {
        if (seen.has(t.dataId)) continue;
        seen.add(t.dataId);
        savedBytes += t.size * 4;
      }
    }
    return loss;
  }, variables);
  const result = {
    loss: value.dataSync()[0]!,
    grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
    savedBytes,
  };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}


const variants: UNetOptions[] = [
  { depth: 2, baseFilters: 4 },
  { depth: 2, baseFilters: 3, padding: 'same', upsampling: 'bilinear' },
  { depth: 1, baseFilters: 2, batchNorm: true },
];

describe('leanConvGradients', () => {
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('keeps loss and gradients and saves less: %s', (_, options) => {
    const spec = unet({ ...options, outputActivation: 'linear', dropout: 0 });
    const size = validInputSizes(spec, { max: 120 })[2]!;
    const stock = buildModel(spec, { inputSize: size, seed: 5 });
    const lean = buildModel(spec, { inputSize: size, seed: 5 });
    const changed = leanConvGradients(lean);
    // Every ReLU conv of the spec, none under batch norm (there the conv is linear and ReLU a layer of its own).
    expect(changed).toBe(spec.nodes.filter((n) => n.kind === 'conv' && n.activation === 'relu').length);
    if (options.batchNorm !== true) expect(changed).toBeGreaterThanOrEqual(2 * (2 * options.depth! + 1));
    expect(leanConvGradients(lean)).toBe(0);

    const random = rng(3);
    const out = stock.outputs[0]!.shape[1]!;
    const x = tf.tensor4d(Float32Array.from({ length: 2 * size * size }, () => random() - 0.3), [2, size, size, 1]);
    const labels = tf.tensor3d(Int32Array.from({ length: 2 * out * out }, () => (random() < 0.5 ? 1 : 0)), [2, out, out], 'int32');
    const weights = tf.tensor3d(Float32Array.from({ length: 2 * out * out }, () => 1 + random()), [2, out, out]);
    const a = step(stock, x, labels, weights);
    const b = step(lean, x, labels, weights);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    a.grads.forEach((g, i) => expect(relativeL2(g, b.grads[i]!)).toBeLessThan(1e-5));
    if (changed > 0) expect(b.savedBytes).toBeLessThan(0.7 * a.savedBytes);
    else expect(b.savedBytes).toBe(a.savedBytes);
    expect(JSON.stringify(lean.toJSON(null, false))).toBe(JSON.stringify(stock.toJSON(null, false)));
    tf.dispose([x, labels, weights]);
    stock.dispose();
    lean.dispose();
  });

  it('reluConv2d without bias matches relu(conv2d) and its gradients', () => {
    const random = rng(9);
    const x = tf.tensor4d(Float32Array.from({ length: 1 * 7 * 6 * 2 }, () => random() - 0.5), [1, 7, 6, 2]);
    const f = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 2 * 3 }, () => random() - 0.5), [3, 3, 2, 3]);
    for (const pad of ['valid', 'same'] as const) {
      const reference = (a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad)).sum();
      const fused = (a: tf.Tensor, b: tf.Tensor) => reluConv2d(a as tf.Tensor4D, b as tf.Tensor4D, null, pad).sum();
      const expected = tf.grads(reference)([x, f]);
      const actual = tf.grads(fused)([x, f]);
      expected.forEach((g, i) => expect(relativeL2(g.dataSync() as Float32Array, actual[i]!.dataSync() as Float32Array)).toBeLessThan(1e-6));
      expect(fused(x, f).dataSync()[0]).toBeCloseTo(reference(x, f).dataSync()[0]!, 4);
      tf.dispose([...expected, ...actual]);
    }
  });

  it('leaks no tensors over repeated steps', () => {
    const spec = unet({ depth: 1, baseFilters: 2, outputActivation: 'linear', dropout: 0 });
    const model = buildModel(spec, { inputSize: 20, seed: 1 });
    leanConvGradients(model);
    const out = model.outputs[0]!.shape[1]!;
    const x = tf.ones([1, 20, 20, 1]);
    const labels = tf.zeros([1, out, out], 'int32');
    const weights = tf.ones([1, out, out]);
    step(model, x, labels, weights);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step(model, x, labels, weights);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels, weights]);
    model.dispose();
  });
});
