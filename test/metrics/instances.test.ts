import { describe, expect, it } from 'vitest';
import { matchInstances } from '../../src/index.js';

describe('matchInstances (AP and panoptic quality)', () => {
  // 1 x 12 strip. Truth: objects A = 1..4 (4 px), B = 6..7 (2 px), C = 10 (1 px).
  const truth = [0, 1, 1, 1, 1, 0, 2, 2, 0, 0, 3, 0];

  it('counts matches, false positives and false negatives by hand', () => {
    // Prediction: 5 covers A but one pixel (IoU 3/4); 6 covers B and the gap after it (IoU 2/3); 7 is spurious at 9; C missed.
    const predicted = [0, 0, 5, 5, 5, 0, 6, 6, 6, 7, 0, 0];
    const at50 = matchInstances(predicted, truth, { threshold: 0.5 });
    expect([at50.tp, at50.fp, at50.fn]).toEqual([2, 1, 1]);
    expect(at50.averagePrecision).toBeCloseTo(2 / 4, 12);
    expect(at50.precision).toBeCloseTo(2 / 3, 12);
    expect(at50.recall).toBeCloseTo(2 / 3, 12);
    expect(at50.meanMatchedIoU).toBeCloseTo((3 / 4 + 2 / 3) / 2, 12);
    expect(at50.panopticQuality).toBeCloseTo((3 / 4 + 2 / 3) / (2 + 0.5 + 0.5), 12);
    expect([at50.predictedCount, at50.trueCount]).toEqual([3, 3]);
    // At 0.75 only A's pair (IoU exactly 0.75) matches.
    const at75 = matchInstances(predicted, truth, { threshold: 0.75 });
    expect([at75.tp, at75.fp, at75.fn]).toEqual([1, 2, 2]);
    expect(at75.averagePrecision).toBeCloseTo(1 / 5, 12);
  });

  it('matches as many pairs as possible below IoU 0.5', () => {
    // Truth objects 1 (px 0-3) and 2 (px 4-7); predicted 8 spans px 2-5 (IoU 1/3 with each), 9 is px 0-1 (IoU 1/2 with 1).
    const t = [1, 1, 1, 1, 2, 2, 2, 2];
    const p = [9, 9, 8, 8, 8, 8, 0, 0];
    // Greedy by IoU would take (1, 9) then (2, 8): 2 matches; it is also the maximum.
    expect(matchInstances(p, t, { threshold: 0.3 }).tp).toBe(2);
    // A case where greedy fails: 9 overlaps only 1, 8 overlaps both with IoU above its overlap with... use explicit sizes.
    const t2 = [1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
    const p2 = [8, 8, 8, 8, 9, 9, 0, 0, 0, 0];
    // IoU(1,8) = 3/4, IoU(2,8) = 1/9, IoU(2,9) = 2/7. At 0.1: maximum matching pairs 1-8 and 2-9.
    expect(matchInstances(p2, t2, { threshold: 0.1 }).tp).toBe(2);
  });

  it('is perfect on an exact relabelling and on two empty images', () => {
    expect(matchInstances([0, 4, 4, 0, 9], [0, 1, 1, 0, 2]).averagePrecision).toBe(1);
    const empty = matchInstances([0, 0], [0, 0]);
    expect([empty.averagePrecision, empty.panopticQuality]).toEqual([1, 1]);
  });

  it('rejects bad thresholds and labels', () => {
    expect(() => matchInstances([1], [1], { threshold: 0 })).toThrow('`threshold` must be in (0, 1]. Received: threshold=0.');
    expect(() => matchInstances([1.5], [1])).toThrow('`predicted[0]` must be a non-negative integer object label. Received: predicted[0]=1.5.');
  });
});
