import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, paintedLabels, segmentationLoss } from '../../src/index.js';

describe('paintedLabels', () => {
  // 4 x 2: two background strokes (1), three of class 1 (2), one of class 2 (3), two unpainted.
  const strokes = { data: Uint8Array.from([1, 1, 0, 2, 2, 2, 3, 0]), width: 4, height: 2 };

  it('labels painted pixels with their class and weighs each painted class equally in total', () => {
    const { labels, weights, painted } = paintedLabels(strokes, { classes: 3 });
    expect(Array.from(labels.data)).toEqual([0, 0, 0, 1, 1, 1, 2, 0]);
    expect(painted).toEqual([2, 3, 1]);
    // P = 6 painted, K = 3 classes: background 6/(3*2) = 1, class 1 6/(3*3) = 2/3, class 2 6/(3*1) = 2.
    const w = Array.from(weights.data);
    [1, 1, 0, 2 / 3, 2 / 3, 2 / 3, 2, 0].forEach((want, i) => expect(w[i]).toBeCloseTo(want, 6));
    // Each class's total is P / K = 2, and the mean weight of a painted pixel is 1.
    expect(w.reduce((a, b) => a + b, 0) / 6).toBeCloseTo(1, 6);
  });

  it('makes every loss term blind to unpainted pixels: their logits do not change the loss', () => {
    const { labels, weights } = paintedLabels(strokes, { classes: 3 });
    const oneHot = tf.oneHot(tf.tensor1d(Array.from(labels.data), 'int32'), 3).reshape([1, 2, 4, 3]);
    const w = tf.tensor3d(Array.from(weights.data), [1, 2, 4]);
    const logits = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3);
    const changed = logits.slice();
    for (const pixel of [2, 7]) for (let c = 0; c < 3; c++) changed[pixel * 3 + c] = 40 * (c - 1);
    for (const preset of ['crossEntropy', 'diceCrossEntropy', 'focal'] as const) {
      const loss = segmentationLoss(preset);
      const [a, b] = [logits, changed].map((values) => tf.tidy(() => loss(oneHot, tf.tensor4d(values, [1, 2, 4, 3]), w).dataSync()[0]!));
      expect(b, preset).toBeCloseTo(a!, 6);
      // ... while a painted pixel's logits do.
      const painted = logits.slice();
      painted[3 * 3 + 1] = painted[3 * 3 + 1]! - 5;
      const c = tf.tidy(() => loss(oneHot, tf.tensor4d(painted, [1, 2, 4, 3]), w).dataSync()[0]!);
      expect(Math.abs(c - a!), preset).toBeGreaterThan(1e-3);
    }
    tf.dispose([oneHot, w]);
  });

  it('refuses a stroke value above the classes, several channels, or nothing painted, naming the argument', () => {
    expect(() => paintedLabels({ data: Uint8Array.from([0, 3]), width: 2, height: 1 }, { classes: 2 })).toThrow(ArgumentError);
    expect(() => paintedLabels({ data: Uint8Array.from([0, 3]), width: 2, height: 1 }, { classes: 2 })).toThrow(/`strokes` must hold 0 \(unpainted\) or a class \+ 1 in 1\.\.2.*3 at pixel \(1, 0\)/);
    expect(() => paintedLabels({ data: new Uint8Array(4), width: 2, height: 2 }, { classes: 2 })).toThrow(/must hold at least one painted pixel/);
    expect(() => paintedLabels({ data: new Uint8Array(8), width: 2, height: 2, channels: 2 }, { classes: 2 })).toThrow(/strokes\.channels/);
    expect(() => paintedLabels(strokes, { classes: 1 })).toThrow(/`classes` must be an integer >= 2/);
  });
});
