import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { packedWeightedCrossEntropy, packTargets, weightedSoftmaxCrossEntropy, type Reduction } from '../../src/index.js';
import { rng } from '../helpers/random.js';

const shape = [2, 3, 4, 3] as const; // b, h, w, k
const pixels = 2 * 3 * 4;

function data(seed: number) {
  const random = rng(seed);
  const logits = Float32Array.from({ length: pixels * 3 }, () => (random() - 0.5) * 8);
  const classes = Int32Array.from({ length: pixels }, () => Math.floor(random() * 3));
  const weights = Float32Array.from({ length: pixels }, () => 0.1 + random() * 10);
  return { logits, classes, weights };
}

/** The loss by a naive per-pixel loop (float64): -w * log softmax(z)[label]. */
function naive(logits: Float32Array, classes: Int32Array, weights: Float32Array, reduction: Reduction): number | number[] {
  const perPixel: number[] = [];
  for (let p = 0; p < pixels; p++) {
    const z = Array.from(logits.subarray(p * 3, p * 3 + 3));
    const max = Math.max(...z);
    const logSumExp = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    perPixel.push(-weights[p]! * (z[classes[p]!]! - logSumExp));
  }
  const sum = perPixel.reduce((a, b) => a + b, 0);
  if (reduction === 'none') return perPixel;
  if (reduction === 'sum') return sum;
  if (reduction === 'mean') return sum / pixels;
  return sum / weights.reduce((a, b) => a + b, 0);
}

describe('weightedSoftmaxCrossEntropy', () => {
  it.each(['mean', 'weightedMean', 'sum', 'none'] as const)('matches a naive per-pixel loop (%s)', (reduction) => {
    const { logits, classes, weights } = data(1);
    const z = tf.tensor4d(logits, [...shape]);
    const indices = tf.tensor3d(classes, [2, 3, 4], 'int32');
    const w = tf.tensor3d(weights, [2, 3, 4]);
    const fromIndices = weightedSoftmaxCrossEntropy(indices, z, w, { reduction });
    const oneHot = tf.oneHot(indices.reshape([-1]), 3).reshape([...shape]);
    const fromOneHot = weightedSoftmaxCrossEntropy(oneHot, z, w.expandDims(-1), { reduction });
    const expected = naive(logits, classes, weights, reduction);
    const actual = Array.from(fromIndices.dataSync());
    const expectedList = typeof expected === 'number' ? [expected] : expected;
    actual.forEach((v, i) => expect(v).toBeCloseTo(expectedList[i]!, 4));
    expect(Array.from(fromOneHot.dataSync())).toEqual(actual);
    tf.dispose([z, indices, w, fromIndices, oneHot, fromOneHot]);
  });

  it('has the closed-form gradient w (softmax - y) / N, confirmed by finite differences', () => {
    const { logits, classes, weights } = data(2);
    const z = tf.tensor4d(logits, [...shape]);
    const y = tf.oneHot(tf.tensor1d(classes, 'int32'), 3).reshape([...shape]);
    const w = tf.tensor3d(weights, [2, 3, 4]);
    const loss = (t: tf.Tensor) => weightedSoftmaxCrossEntropy(y, t, w) as tf.Scalar;
    const grad = tf.grad(loss)(z);
    const closedForm = tf.softmax(z).sub(y).mul(w.expandDims(-1)).div(pixels);
    expect(tf.max(tf.abs(grad.sub(closedForm))).dataSync()[0]).toBeLessThan(1e-6);
    // Central finite differences at a few coordinates.
    const g = grad.dataSync();
    for (const index of [0, 7, 35, 71]) {
      const h = 1e-2;
      const bump = (delta: number) => {
        const copy = Float32Array.from(logits);
        copy[index]! += delta;
        return tf.tidy(() => loss(tf.tensor4d(copy, [...shape])).dataSync()[0]!);
      };
      expect((bump(h) - bump(-h)) / (2 * h)).toBeCloseTo(g[index]!, 3);
    }
    tf.dispose([z, y, w, grad, closedForm]);
  });

  it('is numerically stable for huge logits', () => {
    const z = tf.tensor4d([1000, -1000, -1000, 1000], [1, 1, 2, 2]);
    const labels = tf.tensor3d([0, 0], [1, 1, 2], 'int32');
    const value = weightedSoftmaxCrossEntropy(labels, z, undefined, { reduction: 'none' }).dataSync();
    expect(value[0]).toBeCloseTo(0, 6);
    expect(value[1]).toBeCloseTo(2000, 1);
    tf.dispose([z, labels]);
  });

  it('rejects mismatched shapes, naming the argument', () => {
    const z = tf.zeros([1, 2, 2, 3]);
    expect(() => weightedSoftmaxCrossEntropy(tf.zeros([1, 2, 3]), z)).toThrow(/^`labels` must be one-hot with the logits' shape \[1, 2, 2, 3\]/);
    expect(() => weightedSoftmaxCrossEntropy(tf.zeros([1, 2, 2]), z, tf.ones([1, 2, 3]))).toThrow(
      '`weights` must have shape [1, 2, 2] (or with a trailing 1) to match the logits [1, 2, 2, 3]. Received: weights="[1, 2, 3]".',
    );
    expect(() => weightedSoftmaxCrossEntropy(tf.zeros([1, 2, 2]), z, undefined, { reduction: 'avg' as Reduction })).toThrow('`reduction` must be one of');
    z.dispose();
  });
});

describe('packed loss for model.fit', () => {
  it('equals the plain loss, from logits and from probabilities', () => {
    const { logits, classes, weights } = data(3);
    const z = tf.tensor4d(logits, [...shape]);
    const labels = tf.tensor3d(classes, [2, 3, 4], 'int32');
    const w = tf.tensor3d(weights, [2, 3, 4]);
    const packed = packTargets(labels, w, 3);
    expect(packed.shape).toEqual([2, 3, 4, 3]);
    const plain = weightedSoftmaxCrossEntropy(labels, z, w).dataSync()[0]!;
    expect(packedWeightedCrossEntropy({ fromLogits: true })(packed, z).dataSync()[0]).toBeCloseTo(plain, 5);
    expect(packedWeightedCrossEntropy()(packed, tf.softmax(z)).dataSync()[0]).toBeCloseTo(plain, 4);
    tf.dispose([z, labels, w, packed]);
  });

  it('trains a model through compile/fit with per-pixel weights', async () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const output = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'softmax' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.adam(0.1), loss: packedWeightedCrossEntropy() });
    const x = tf.randomUniform([8, 4, 4, 1], 0, 1, 'float32', 1);
    const labels = x.squeeze([3]).greater(0.5).toInt();
    const y = packTargets(labels, tf.onesLike(labels).toFloat().mul(2), 2);
    const history = await model.fit(x, y, { epochs: 30, batchSize: 8, verbose: 0 });
    expect(() => packTargets(labels, tf.onesLike(labels).toFloat().neg(), 2)).toThrow('`weights` must be >= 0');
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    tf.dispose([x, labels, y]);
    model.dispose();
  });
});
