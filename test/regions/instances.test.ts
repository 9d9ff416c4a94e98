import { describe, expect, it } from 'vitest';
import { labelInstances, splitByProbability, splitTouching } from '../../src/index.js';

/** Two discs of radius r whose centres are `gap` apart, on a w x h canvas. */
function twoDiscs(w: number, h: number, r: number, gap: number): Uint8Array {
  const mask = new Uint8Array(w * h);
  const cy = h / 2;
  const c1 = w / 2 - gap / 2;
  const c2 = w / 2 + gap / 2;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = (x - c1) ** 2 + (y - cy) ** 2 <= r * r || (x - c2) ** 2 + (y - cy) ** 2 <= r * r;
      mask[y * w + x] = inside ? 1 : 0;
    }
  return mask;
}

describe('splitTouching (seeded watershed on the distance transform)', () => {
  it('splits two touching discs at their neck, each pixel to the disc whose centre is nearer', () => {
    const w = 60;
    const h = 40;
    const mask = twoDiscs(w, h, 10, 16); // overlap: a neck 6 px wide
    const { labels, count } = splitTouching(mask, w, h);
    expect(count).toBe(2);
    const left = labels[20 * w + 22]!;
    const right = labels[20 * w + 38]!;
    expect(left).not.toBe(right);
    let wrong = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (mask[y * w + x] === 0) {
          expect(labels[y * w + x]).toBe(0);
          continue;
        }
        if (Math.abs(x - 30) < 2) continue; // the cut itself may lean a pixel either way
        if (labels[y * w + x] !== (x < 30 ? left : right)) wrong++;
      }
    expect(wrong).toBe(0);
  });

  it('keeps a single disc and a 1-px line whole', () => {
    const w = 40;
    const disc = twoDiscs(w, 40, 9, 0);
    expect(splitTouching(disc, w, 40).count).toBe(1);
    const line = new Uint8Array(10 * 5);
    for (let x = 1; x < 9; x++) line[2 * 10 + x] = 1;
    expect(splitTouching(line, 10, 5).count).toBe(1);
  });
});

describe('labelInstances', () => {
  it('thresholds, removes small objects, thins and numbers in raster order', () => {
    // 1 x 10: a 3-px object, a 1-px speck, a 2-px object.
    const p = [0.9, 0.8, 0.7, 0.1, 0.6, 0.2, 0.1, 0.9, 0.9, 0.3];
    expect([...labelInstances(p, 10, 1).labels]).toEqual([1, 1, 1, 0, 2, 0, 0, 3, 3, 0]);
    expect(labelInstances(p, 10, 1, { threshold: 0.65 }).count).toBe(2);
    expect([...labelInstances(p, 10, 1, { minSize: 2 }).labels]).toEqual([1, 1, 1, 0, 0, 0, 0, 2, 2, 0]);
    // Thinning after removal: the gap is shared out, the larger label taking the middle.
    expect([...labelInstances(p, 10, 1, { minSize: 2, thin: true }).labels]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it('splits touching discs only when asked', () => {
    const w = 60;
    const probability = Float32Array.from(twoDiscs(w, 40, 10, 16));
    expect(labelInstances(probability, w, 40).count).toBe(1);
    expect(labelInstances(probability, w, 40, { split: true }).count).toBe(2);
  });

  it('rejects bad arguments', () => {
    expect(() => labelInstances([0.5], 2, 1)).toThrow('`probability` must hold width * height = 2 values. Received: probability="array of length 1".');
    expect(() => labelInstances([0.5], 1, 1, { minSize: -1 })).toThrow('`minSize` must be a non-negative integer. Received: minSize=-1.');
  });
});

describe('splitting on the probability', () => {
  it('splits objects where the probability dips between two cores, and keeps seedless objects whole', () => {
    // A 12 x 3 strip: cores of 0.95 at columns 1-3 and 8-10, a seam of 0.6 between them (above the 0.5 threshold).
    const width = 12;
    const row = [0.2, 0.95, 0.95, 0.95, 0.8, 0.6, 0.6, 0.8, 0.95, 0.95, 0.95, 0.2];
    const probability = [...row, ...row, ...row];
    const split = splitByProbability(probability, width, 3, { threshold: 0.5, seedThreshold: 0.9 });
    expect(split.count).toBe(2);
    // Columns 1-5 flood from the left core (0.8 then 0.6, its most probable path), 6-10 from the right one.
    expect(Array.from(split.labels.slice(0, width))).toEqual([0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 0]);
    // Without the split the strip is one object; labelInstances passes the probability to the split.
    expect(labelInstances(probability, width, 3, { threshold: 0.5 }).count).toBe(1);
    expect(Array.from(labelInstances(probability, width, 3, { threshold: 0.5, split: { seedThreshold: 0.9 } }).labels)).toEqual(Array.from(split.labels));
    // An object with no pixel above the seed level keeps a label of its own.
    const lone = splitByProbability([0.6, 0.7, 0.1, 0.95], 4, 1, { threshold: 0.5, seedThreshold: 0.9 });
    expect(lone.count).toBe(2);
    expect(Array.from(lone.labels)).toEqual([2, 2, 0, 1]);
  });
});
