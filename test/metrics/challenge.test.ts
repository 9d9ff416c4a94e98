import { describe, expect, it } from 'vitest';
import { challengeScores, segmentScores } from '../../src/index.js';
import { rng } from '../helpers/random.js';

/**
 * The scores from their definitions, O(n^2): V_rand by counting ordered pixel pairs (a pixel with
 * itself included) over the true foreground, with predicted 0 pixels as singletons; V_info from
 * entropies of the joint distribution of (true, predicted) labels, singletons as distinct labels.
 */
function reference(predicted: number[], truth: number[]) {
  const kept = truth.map((_, i) => i).filter((i) => truth[i] !== 0);
  let both = 0;
  let sameTruth = 0;
  let samePrediction = 0;
  for (const i of kept)
    for (const j of kept) {
      const t = truth[i] === truth[j];
      const p = i === j || (predicted[i] !== 0 && predicted[i] === predicted[j]);
      if (t) sameTruth++;
      if (p) samePrediction++;
      if (t && p) both++;
    }
  const vRand = both / (0.5 * sameTruth + 0.5 * samePrediction);
  const n = kept.length;
  const label = (i: number) => (predicted[i] === 0 ? `single${i}` : `p${predicted[i]}`);
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.values()];
  };
  const h = (counts: number[]) => -counts.reduce((a, c) => a + (c / n) * Math.log(c / n), 0);
  const hS = h(count(kept.map(label)));
  const hT = h(count(kept.map((i) => `t${truth[i]}`)));
  const hST = h(count(kept.map((i) => `${label(i)}|${truth[i]}`)));
  const mutual = hS + hT - hST;
  return { vRand, splitRand: both / sameTruth, mergeRand: both / samePrediction, vInfo: mutual / (0.5 * hS + 0.5 * hT) };
}

describe('segmentScores (foreground-restricted V_rand and V_info)', () => {
  it('is 1 for a perfect segmentation whatever the names, and ignores the true boundary', () => {
    const s = segmentScores([7, 7, 3, 3, 9], [1, 1, 2, 2, 0]);
    expect(s.vRand).toBe(1);
    expect(s.vInfo).toBeCloseTo(1, 12);
  });

  it('gives the hand-computed values for a split and a merge', () => {
    // One true cell of 4 split into halves: sum p^2 = 2 * (1/2)^2 = 1/2, sum t^2 = 1, sum s^2 = 1/2.
    const split = segmentScores([1, 1, 2, 2], [1, 1, 1, 1]);
    expect(split.randSplit).toBeCloseTo(0.5, 12);
    expect(split.randMerge).toBe(1);
    expect(split.vRand).toBeCloseTo(0.5 / (0.25 + 0.5), 12);
    // I = log 2 - 0 = H(S)... H(S) = log 2, H(T) = 0: I = 0, info split 0, merge 1 (by convention 0/0 = 1).
    expect(split.infoSplit).toBe(0);
    expect(split.vInfo).toBe(0);
    // Two true cells merged: the mirror image.
    const merge = segmentScores([1, 1, 1, 1], [1, 1, 2, 2]);
    expect(merge.randMerge).toBeCloseTo(0.5, 12);
    expect(merge.randSplit).toBe(1);
    expect(merge.vRand).toBeCloseTo(2 / 3, 12);
  });

  it('matches pair counting and the entropy definition on random labelings, singletons included', () => {
    const random = rng(21);
    for (let trial = 0; trial < 25; trial++) {
      const n = 20 + Math.floor(random() * 60);
      const truth = Array.from({ length: n }, () => Math.floor(random() * 5));
      const predicted = Array.from({ length: n }, () => Math.floor(random() * 4));
      const s = segmentScores(predicted, truth);
      const r = reference(predicted, truth);
      expect(s.vRand).toBeCloseTo(r.vRand, 12);
      expect(s.randSplit).toBeCloseTo(r.splitRand, 12);
      expect(s.randMerge).toBeCloseTo(r.mergeRand, 12);
      expect(s.vInfo).toBeCloseTo(r.vInfo, 12);
    }
  });

  it('weighs merges against splits with alpha and is NaN without true foreground', () => {
    const split = segmentScores([1, 1, 2, 2], [1, 1, 1, 1], { alpha: 1 });
    expect(split.vRand).toBe(1); // alpha 1 counts merge errors only
    expect(Number.isNaN(segmentScores([1, 2], [0, 0]).vRand)).toBe(true);
    expect(() => segmentScores([1], [1], { alpha: 2 })).toThrow('`alpha` must be between 0 and 1. Received: alpha=2.');
  });
});

describe('challengeScores (the ISBI 2012 protocol)', () => {
  // 1 x 7 strip: cell, cell, membrane, cell, cell, membrane, cell.
  const truth = { data: [1, 1, 0, 1, 1, 0, 1], width: 7, height: 1 };

  it('does not punish thick predicted borders once they are thinned', () => {
    // The prediction marks a 3-px border around the first gap and misses the second cell boundary nothing else.
    const probability = [0.9, 0.2, 0.1, 0.3, 0.9, 0.1, 0.9];
    expect(1 - challengeScores(probability, truth, { threshold: 0.5 }).vRand).toBeCloseTo(0, 12);
    // Without thinning the border pixels inside cells are singletons: an error remains.
    expect(1 - challengeScores(probability, truth, { threshold: 0.5, thin: false }).vRand).toBeGreaterThan(0.1);
  });

  it('counts a missing border as a merge', () => {
    // The second gap is not predicted: true cells {3,4} and {6} merge (sizes 2 and 1 of n = 5).
    const probability = [0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9];
    // p: [2 (cell 1)], [2, 1] -> sum p^2 = (4 + 4 + 1) / 25; t = 2, 2, 1 -> 9/25; s = 2, 3 -> 13/25.
    expect(challengeScores(probability, truth).vRand).toBeCloseTo(9 / 25 / (0.5 * 13 / 25 + 0.5 * 9 / 25), 12);
  });

  it('rejects probabilities of the wrong length', () => {
    expect(() => challengeScores([0.5], truth)).toThrow('`probability` must have one value per truth pixel (7). Received: probability="array of length 1".');
  });
});
