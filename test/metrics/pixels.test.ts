import { describe, expect, it } from 'vitest';
import { confusionMatrix, dice, iou, pixelError, randError } from '../../src/index.js';
import { rng } from '../helpers/random.js';

describe('pixel metrics', () => {
  it('pixel error, confusion, IoU and Dice on a hand-computed case', () => {
    const truth = [0, 1, 0, 0, 1, 1];
    const predicted = [0, 1, 1, 0, 0, 1];
    expect(pixelError(predicted, truth)).toBeCloseTo(2 / 6, 12);
    expect(confusionMatrix(predicted, truth, 2)).toEqual([
      [2, 1],
      [1, 2],
    ]);
    // class 0: tp 2, fp 1, fn 1 -> IoU 2/4, Dice 4/6; class 1 the same.
    expect(iou(predicted, truth).perClass).toEqual([0.5, 0.5]);
    expect(dice(predicted, truth).perClass.map((v) => +v.toFixed(12))).toEqual([0.666666666667, 0.666666666667]);
    expect(iou(predicted, truth).mean).toBe(0.5);
  });

  it('perfect prediction: zero error, IoU and Dice 1; absent classes are NaN and left out of the mean', () => {
    const truth = [0, 2, 2, 0];
    expect(pixelError(truth, truth)).toBe(0);
    const scores = iou(truth, truth, 3);
    expect(scores.perClass[0]).toBe(1);
    expect(Number.isNaN(scores.perClass[1]!)).toBe(true);
    expect(scores.mean).toBe(1);
    expect(dice(truth, truth).mean).toBe(1);
  });

  it('rejects mismatched inputs', () => {
    expect(() => pixelError([0, 1], [0])).toThrow('`predicted` must have as many pixels as truth (1). Received: predicted="array of length 2".');
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow('`predicted[1]` must be a class index in [0, 2). Received: predicted[1]=3.');
  });
});

/** Adapted Rand error from its definition: ordered pairs of distinct non-ignored pixels, O(n^2). */
function bruteForceRand(predicted: number[], truth: number[]): number {
  const kept = truth.map((_, i) => i).filter((i) => truth[i] !== 0);
  let both = 0;
  let inTruth = 0;
  let inPrediction = 0;
  for (const i of kept)
    for (const j of kept) {
      if (i === j) continue;
      const sameTruth = truth[i] === truth[j];
      const samePrediction = predicted[i] === predicted[j];
      if (sameTruth) inTruth++;
      if (samePrediction) inPrediction++;
      if (sameTruth && samePrediction) both++;
    }
  return 1 - both / (0.5 * inTruth + 0.5 * inPrediction);
}

describe('randError (adapted Rand error, foreground-restricted)', () => {
  it('is 0 for a perfect segmentation, whatever the label names', () => {
    expect(randError([5, 5, 9, 9, 0], [1, 1, 2, 2, 0]).error).toBe(0);
  });

  it('gives the known value for a merge and for a split of one object pair', () => {
    // Two 2-pixel objects merged: pairs both = 4, truth = 4, prediction = 12 -> 1 - 4 / 8.
    expect(randError([1, 1, 1, 1], [1, 1, 2, 2]).error).toBeCloseTo(0.5, 12);
    // One 4-pixel object split in two halves: the mirror case.
    const split = randError([1, 1, 2, 2], [1, 1, 1, 1]);
    expect(split.error).toBeCloseTo(0.5, 12);
    expect(split.precision).toBeCloseTo(4 / 12, 12);
    expect(split.recall).toBe(1);
  });

  it('ignores true background pixels but not predicted background', () => {
    expect(randError([5, 6, 1, 1], [0, 0, 1, 1]).error).toBe(0);
    expect(randError([0, 0, 1, 1], [2, 2, 2, 2]).error).toBeCloseTo(0.5, 12);
  });

  it('matches the pair-counting definition on random labelings', () => {
    const random = rng(4);
    for (let trial = 0; trial < 20; trial++) {
      const n = 30 + Math.floor(random() * 60);
      const truth = Array.from({ length: n }, () => Math.floor(random() * 5));
      const predicted = Array.from({ length: n }, () => Math.floor(random() * 4));
      expect(randError(predicted, truth).error).toBeCloseTo(bruteForceRand(predicted, truth), 12);
    }
  });
});

describe('segmentationScores', () => {
  it('combines the metrics on a hand case: one of two cells lost', async () => {
    const { segmentationScores } = await import('../../src/index.js');
    // 1 x 5: cell, gap, cell in truth; the prediction misses the second cell.
    const truth = { data: [1, 1, 0, 1, 1], width: 5, height: 1 };
    const scores = segmentationScores([1, 1, 0, 0, 0], truth, 2);
    expect(scores.pixelError).toBeCloseTo(2 / 5, 12);
    // IoU: background 1/3, cell 2/4; Dice: 2/4, 4/6.
    expect(scores.iou).toBeCloseTo((1 / 3 + 1 / 2) / 2, 12);
    expect(scores.dice).toBeCloseTo((2 / 4 + 4 / 6) / 2, 12);
    // Truth objects {0,1} and {3,4}; predicted labels 1,1 and 0,0 (background is a segment): a perfect split.
    expect(scores.randError).toBe(0);
    expect(segmentationScores([1, 1, 1, 1, 1], truth, 2).randError).toBeCloseTo(0.5, 12); // merged
  });
});
