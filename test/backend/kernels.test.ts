import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { stockKernel } from '../../src/backend/kernels.js';
import { rng } from '../helpers/random.js';

const cases = [
  { name: 'stride 1, valid, odd sizes', x: [2, 9, 7, 3], k: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: 'stride 1, same', x: [1, 8, 11, 2], k: [3, 3, 2, 5], strides: 1, pad: 'same' },
  { name: 'stride 2, valid (2x2, the up-conv shape)', x: [2, 10, 8, 4], k: [2, 2, 4, 3], strides: 2, pad: 'valid' },
  { name: 'stride 2, same, odd', x: [1, 9, 9, 3], k: [3, 3, 3, 2], strides: 2, pad: 'same' },
  { name: '1x1', x: [1, 5, 6, 4], k: [1, 1, 4, 2], strides: 1, pad: 'valid' },
] as const;

function randomTensor(shape: readonly number[], seed: number): tf.Tensor {
  const random = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  // Include exact zeros (as after ReLU) so the zero-skipping path is exercised.
  return tf.tensor(Float32Array.from({ length: size }, () => (random() < 0.3 ? 0 : random() * 2 - 1)), [...shape]);
}

const relativeL2 = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));

describe('Conv2DBackpropFilter (cpu replacement)', () => {
  it.each(cases)('matches the stock tfjs kernel: $name', ({ x: xShape, k, strides, pad }) => {
    const x = randomTensor(xShape, 1);
    const w = randomTensor(k, 2);
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad);
    const dy = randomTensor(y.shape, 3);
    const ours = tf.grad((filter: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad).mul(dy)))(w);
    const stock = stockKernel('Conv2DBackpropFilter', 'cpu');
    expect(stock).toBeDefined();
    const info = stock!.kernelFunc({
      inputs: { x, dy },
      backend: tf.backend(),
      attrs: { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: k } as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    const reference = tf.engine().makeTensorFromTensorInfo(info);
    expect(relativeL2(ours, reference)).toBeLessThan(1e-6);
    tf.dispose([x, w, y, dy, ours, reference]);
  });

  it('equals finite differences (the loss is linear in the filter, so they are exact)', () => {
    const x = randomTensor([1, 7, 6, 2], 4);
    const w = randomTensor([3, 3, 2, 3], 5);
    const dy = randomTensor([1, 3, 2, 3], 6);
    const f = (filter: tf.Tensor) => tf.tidy(() => tf.sum(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'valid').mul(dy)));
    const grad = tf.grad(f)(w).dataSync();
    const base = w.dataSync();
    for (const i of [0, 5, 17, 30, 53]) {
      const bumped = (delta: number) => {
        const copy = Float32Array.from(base);
        copy[i]! += delta;
        return tf.tidy(() => f(tf.tensor(copy, w.shape)).dataSync()[0]!);
      };
      expect((bumped(1) - bumped(-1)) / 2).toBeCloseTo(grad[i]!, 4);
    }
    tf.dispose([x, w, dy]);
  });
});

describe('ResizeNearestNeighborGrad (cpu replacement)', () => {
  it('matches a hand computation for every image of a batch', () => {
    // x: [2, 3, 3, 1] resized to 6x6; the gradient of sum(resize(x) * dy) at x[b, y, x] is the sum of
    // dy over the 2x2 block of output pixels that copy it.
    const dyValues = Array.from({ length: 2 * 36 }, (_, i) => (i * 7) % 13);
    const dy = tf.tensor4d(dyValues, [2, 6, 6, 1]);
    const x = tf.zeros([2, 3, 3, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [6, 6]).mul(dy)))(x).dataSync();
    for (let b = 0; b < 2; b++)
      for (let y = 0; y < 3; y++)
        for (let xx = 0; xx < 3; xx++) {
          let expected = 0;
          for (const [dy0, dx0] of [[0, 0], [0, 1], [1, 0], [1, 1]]) expected += dyValues[b * 36 + (2 * y + dy0!) * 6 + 2 * xx + dx0!]!;
          expect(g[(b * 3 + y) * 3 + xx]).toBe(expected);
        }
    tf.dispose([dy, x]);
  });
});
