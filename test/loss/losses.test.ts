import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { focalLoss, segmentationLoss, softDiceLoss, weightedSoftmaxCrossEntropy } from '../../src/index.js';
import { rng } from '../helpers/random.js';

const [B, H, W, K] = [2, 3, 4, 3];
const pixels = B * H * W;

function data(seed: number) {
  const random = rng(seed);
  const logits = Float64Array.from({ length: pixels * K }, () => (random() - 0.5) * 6);
  const classes = Int32Array.from({ length: pixels }, () => Math.floor(random() * K));
  const weights = Float64Array.from({ length: pixels }, () => 0.2 + random() * 5);
  return { logits, classes, weights };
}

/** Softmax of pixel p by a naive loop (float64). */
function softmax(logits: Float64Array, p: number): number[] {
  const z = Array.from(logits.subarray(p * K, p * K + K));
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Batch soft Dice over the foreground classes, by loops. */
function naiveDice(logits: Float64Array, classes: Int32Array, weights: Float64Array | undefined, smooth: number, background: boolean): number {
  const first = background ? 0 : 1;
  let total = 0;
  for (let c = first; c < K; c++) {
    let intersection = 0;
    let sum = 0;
    for (let p = 0; p < pixels; p++) {
      const w = weights?.[p] ?? 1;
      const prob = softmax(logits, p)[c]!;
      const y = classes[p] === c ? 1 : 0;
      intersection += w * prob * y;
      sum += w * (prob + y);
    }
    total += (2 * intersection + smooth) / (sum + smooth);
  }
  return 1 - total / (K - first);
}

/** Focal loss by loops: mean over pixels of -w (1 - p_t)^gamma log p_t. */
function naiveFocal(logits: Float64Array, classes: Int32Array, weights: Float64Array, gamma: number): number {
  let sum = 0;
  for (let p = 0; p < pixels; p++) {
    const pt = softmax(logits, p)[classes[p]!]!;
    sum += -weights[p]! * (1 - pt) ** gamma * Math.log(pt);
  }
  return sum / pixels;
}

function tensors(d: ReturnType<typeof data>) {
  return {
    z: tf.tensor4d(Float32Array.from(d.logits), [B, H, W, K]),
    y: tf.oneHot(tf.tensor1d(d.classes, 'int32'), K).reshape([B, H, W, K]),
    w: tf.tensor3d(Float32Array.from(d.weights), [B, H, W]),
  };
}

/** Central finite differences of `f` at every coordinate of `z` (float32, so a loose step). */
function finiteDifferences(f: (z: tf.Tensor) => tf.Scalar, z: tf.Tensor, eps = 1e-2): Float32Array {
  const base = z.dataSync();
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] = plus[i]! + eps;
    minus[i] = minus[i]! - eps;
    const value = (values: Float32Array) => tf.tidy(() => f(tf.tensor(values, z.shape)).dataSync()[0]!);
    out[i] = (value(plus) - value(minus)) / (2 * eps);
  }
  return out;
}

function expectGradientMatches(f: (z: tf.Tensor) => tf.Scalar, z: tf.Tensor) {
  const analytic = tf.tidy(() => tf.grad(f)(z).dataSync());
  const numeric = finiteDifferences(f, z);
  const scale = Math.max(...Array.from(numeric, Math.abs));
  analytic.forEach((g, i) => expect(Math.abs(g - numeric[i]!)).toBeLessThan(2e-3 * scale + 1e-5));
}

describe('softDiceLoss', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
  ])('matches a naive loop (weighted %s, background %s)', (weighted, background) => {
    const d = data(3);
    const { z, y, w } = tensors(d);
    const value = softDiceLoss(y, z, weighted ? w : undefined, { smooth: 1e-5, background }).dataSync()[0]!;
    expect(value).toBeCloseTo(naiveDice(d.logits, d.classes, weighted ? d.weights : undefined, 1e-5, background), 5);
    tf.dispose([z, y, w]);
  });

  it('has the gradient finite differences give', () => {
    const d = data(4);
    const { z, y, w } = tensors(d);
    expectGradientMatches((t) => softDiceLoss(y, t, w), z);
    tf.dispose([z, y, w]);
  });
});

describe('focalLoss', () => {
  it.each([0, 1, 2])('matches a naive loop (gamma %d); gamma 0 is the weighted cross-entropy', (gamma) => {
    const d = data(5);
    const { z, y, w } = tensors(d);
    expect(focalLoss(y, z, w, { gamma }).dataSync()[0]).toBeCloseTo(naiveFocal(d.logits, d.classes, d.weights, gamma), 4);
    if (gamma === 0) expect(focalLoss(y, z, w, { gamma }).dataSync()[0]).toBeCloseTo(weightedSoftmaxCrossEntropy(y, z, w).dataSync()[0]!, 5);
    tf.dispose([z, y, w]);
  });

  it('has the gradient finite differences give', () => {
    const d = data(6);
    const { z, y, w } = tensors(d);
    expectGradientMatches((t) => focalLoss(y, t, w, { gamma: 2 }), z);
    tf.dispose([z, y, w]);
  });
});

describe('segmentationLoss', () => {
  it('sums weighted terms; the Dice + CE preset is their plain sum', () => {
    const d = data(7);
    const { z, y, w } = tensors(d);
    const ce = weightedSoftmaxCrossEntropy(y, z, w).dataSync()[0]!;
    const dice = softDiceLoss(y, z, w).dataSync()[0]!;
    expect(segmentationLoss('diceCrossEntropy')(y, z, w).dataSync()[0]).toBeCloseTo(ce + dice, 5);
    expect(segmentationLoss([{ kind: 'crossEntropy', weight: 0.3 }, { kind: 'dice', weight: 2 }])(y, z, w).dataSync()[0]).toBeCloseTo(0.3 * ce + 2 * dice, 5);
    expectGradientMatches((t) => segmentationLoss('diceCrossEntropy')(y, t, w), z);
    tf.dispose([z, y, w]);
  });

  it('names a bad preset or term', () => {
    expect(() => segmentationLoss('dice' as never)).toThrow("`loss` must be one of 'crossEntropy', 'diceCrossEntropy', 'focal' or an array of loss terms. Received: loss=\"dice\".");
    expect(() => segmentationLoss([{ kind: 'tversky' } as never])).toThrow("`loss[0].kind` must be one of 'crossEntropy', 'dice', 'focal'. Received: loss[0].kind=\"tversky\".");
    expect(() => segmentationLoss([{ kind: 'dice', weight: -1 }])).toThrow('`loss[0].weight` must be >= 0. Received: loss[0].weight=-1.');
  });
});
