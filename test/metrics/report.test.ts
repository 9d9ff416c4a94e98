import { describe, expect, it } from 'vitest';
import { challengeScores, evaluateSegmentation, pixelError } from '../../src/index.js';

/** Two-class probabilities [background, foreground] from a foreground probability map. */
const twoClass = (foreground: number[]) => Float32Array.from(foreground.flatMap((p) => [1 - p, p]));

describe('evaluateSegmentation', () => {
  // 1 x 7 strip: cell, cell, membrane, cell, cell, membrane, cell.
  const truth = { data: [1, 1, 0, 1, 1, 0, 1], width: 7, height: 1 };
  // At 0.2 the first gap closes (a merge); thick but closed borders at 0.5; at 0.7 the first cell is lost.
  const probability = [0.65, 0.3, 0.25, 0.3, 0.9, 0.1, 0.9];

  it('sweeps the challenge and pixel errors and picks the best threshold', () => {
    const report = evaluateSegmentation([{ probabilities: twoClass(probability), truth }], { thresholds: [0.2, 0.5, 0.7] });
    const expected = [0.2, 0.5, 0.7].map((t) => ({
      randError: 1 - challengeScores(probability, truth, { threshold: t }).vRand,
      pixelError: pixelError(probability.map((p) => (p > t ? 1 : 0)), truth.data),
    }));
    report.sweep.forEach((row, k) => {
      expect(row.randError).toBeCloseTo(expected[k]!.randError, 12);
      expect(row.pixelError).toBeCloseTo(expected[k]!.pixelError, 12);
    });
    expect(report.best.randError).toEqual({ value: 0, threshold: 0.5 }); // 0.2 merges cells, 0.7 too
    expect(report.best.pixelError.threshold).toBe(0.2);
    expect(report.best.pixelError.value).toBeCloseTo(1 / 7, 12);
  });

  it('scores objects, pixels and the skimage-style Rand error at the decision threshold', () => {
    const report = evaluateSegmentation([{ probabilities: twoClass(probability), truth }], { threshold: 0.5 });
    const image = report.images[0]!;
    expect(image.randError).toBe(0);
    expect(image.pixelError).toBeCloseTo(2 / 7, 12); // pixels 1 and 3 called membrane
    // Thinned objects: {0,1}, {2,3,4}, {5,6}, against the grown truth {0,1}, {2,3,4} ({2} goes to the larger label 2), {5,6}.
    expect([image.predictedObjects, image.trueObjects]).toEqual([3, 3]);
    expect(image.ap50).toBe(1);
    expect(image.panopticQuality).toBe(1);
    // skimage style: the predicted border pixels inside cells form a segment of their own with the true membrane.
    expect(image.skimageRandError).toBeGreaterThan(0);
    expect(report.mean.randError).toBe(0);
  });

  it('rejects an empty list and probabilities of the wrong size', () => {
    expect(() => evaluateSegmentation([])).toThrow('`images` must hold at least one image');
    expect(() => evaluateSegmentation([{ probabilities: new Float32Array(7), truth }])).toThrow('`images[0].probabilities` must hold at least 2 classes');
  });

  it('matches predicted objects to the true instances when given, and scores the foreground Dice', () => {
    // Two touching 4x4 objects, A in columns 0-3 and B in 4-7 (rows 0-3 of an 8x6 image); the prediction leaves column 3 out.
    const width = 8;
    const instances = { data: Array.from({ length: 48 }, (_, i) => (i < 32 ? (i % width < 4 ? 1 : 2) : 0)), width, height: 6 };
    const truth = { data: instances.data.map((v) => (v === 0 ? 0 : 1)), width, height: 6 };
    const foreground = instances.data.map((v, i) => (v !== 0 && i % width !== 3 ? 1 : 0));
    const options = { threshold: 0.5, instances: { thin: false } };
    const objects = evaluateSegmentation([{ probabilities: twoClass(foreground), truth, instances }], options).images[0]!;
    // A' (12 px) matches A at IoU 0.75, B' matches B at 1: both true objects found.
    expect(objects).toMatchObject({ ap50: 1, ap75: 1, trueObjects: 2, predictedObjects: 2 });
    expect(objects.panopticQuality).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(objects.foregroundDice).toBeCloseTo((2 * 28) / (28 + 32), 12);
    // Without the instances the truth is one 32 px region: only B' reaches IoU 0.5 with it (16/32).
    const regions = evaluateSegmentation([{ probabilities: twoClass(foreground), truth }], options).images[0]!;
    expect(regions).toMatchObject({ ap50: 0.5, trueObjects: 1, predictedObjects: 2 });
  });
});
