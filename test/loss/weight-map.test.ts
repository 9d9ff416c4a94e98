import { describe, expect, it } from 'vitest';
import { weightMap } from '../../src/index.js';
import { rng } from '../helpers/random.js';

/** Eq. 2 by brute force: distances to every instance pixel, nearest two instances, border term on background. */
function bruteForceWeights(instances: Int32Array, width: number, height: number, w0: number, sigma: number): Float64Array {
  const ids = [...new Set(Array.from(instances).filter((v) => v !== 0))];
  const out = new Float64Array(width * height).fill(1);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (instances[i] !== 0) continue;
      const distances = ids.map((id) => {
        let best = Infinity;
        for (let j = 0; j < instances.length; j++) {
          if (instances[j] !== id) continue;
          best = Math.min(best, Math.hypot((j % width) - x, Math.floor(j / width) - y));
        }
        return best;
      });
      distances.sort((a, b) => a - b);
      if (distances.length >= 2) out[i] = 1 + w0 * Math.exp(-((distances[0]! + distances[1]!) ** 2) / (2 * sigma * sigma));
    }
  return out;
}

/** Random non-overlapping rectangles as an instance image (some touching). */
function randomInstances(random: () => number, width: number, height: number, count: number): Int32Array {
  const data = new Int32Array(width * height);
  for (let id = 1; id <= count; id++) {
    const w = 1 + Math.floor(random() * 6);
    const h = 1 + Math.floor(random() * 6);
    const x0 = Math.floor(random() * (width - w));
    const y0 = Math.floor(random() * (height - h));
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = id * 7; // sparse ids
  }
  return data;
}

describe('weightMap', () => {
  it('matches a hand-computed gap between two objects', () => {
    // A . . B   (one row): both gap pixels have d1 = 1, d2 = 2.
    const w = weightMap({ data: [1, 0, 0, 1], width: 4, height: 1 }, { classWeights: [1, 1] });
    const expected = 1 + 10 * Math.exp(-(3 * 3) / (2 * 5 * 5));
    expect(w[1]).toBeCloseTo(expected, 6);
    expect(w[2]).toBeCloseTo(expected, 6);
    expect(w[0]).toBe(1); // object pixels get w_c alone
    expect(w[3]).toBe(1);
  });

  it('equals 1 + the border term (brute force) with classWeights [1, 1]', () => {
    const random = rng(2);
    let largest = 0;
    for (let trial = 0; trial < 12; trial++) {
      const width = 20 + Math.floor(random() * 20);
      const height = 20 + Math.floor(random() * 20);
      const instances = randomInstances(random, width, height, 2 + Math.floor(random() * 8));
      const sigma = [2, 5, 8][trial % 3]!;
      const w = weightMap({ data: instances, width, height }, { kind: 'instances', classWeights: [1, 1], sigma });
      const expected = bruteForceWeights(instances, width, height, 10, sigma);
      let maxDiff = 0;
      for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i]! - expected[i]!));
      expect(maxDiff).toBeLessThan(10 * 1e-6 + 1e-5);
      largest = Math.max(largest, ...w);
    }
    expect(largest).toBeGreaterThan(5); // the border term is really exercised
  });

  it('finds instances as connected components of a binary mask (4- or 8-connected)', () => {
    // Two squares touching at a corner: one object with 8-connectivity, two with 4.
    const width = 12;
    const data = new Uint8Array(width * width);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) data[y * width + x] = 255;
    for (let y = 6; y < 10; y++) for (let x = 6; x < 10; x++) data[y * width + x] = 255;
    const four = weightMap({ data, width, height: width }, { classWeights: [1, 1] });
    const eight = weightMap({ data, width, height: width }, { classWeights: [1, 1], connectivity: 8 });
    expect(four[5 * width + 6]).toBeGreaterThan(5); // between the two objects
    expect(Math.max(...eight)).toBe(1); // one object: no border term
    const instances = Int32Array.from(data, (v, i) => (v === 0 ? 0 : Math.floor(i / width) < 6 ? 1 : 2));
    const expected = bruteForceWeights(instances, width, width, 10, 5);
    for (let i = 0; i < four.length; i++) expect(four[i]).toBeCloseTo(expected[i]!, 5);
  });

  it('balances classes: N / (K * n_c), averaging to 1', () => {
    // 3 of 12 pixels are foreground, in one object: no border term.
    const data = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0];
    const w = weightMap({ data, width: 4, height: 3 });
    expect(w[0]).toBeCloseTo(12 / (2 * 9), 6);
    expect(w[5]).toBeCloseTo(12 / (2 * 3), 6);
    expect(w.reduce((a, b) => a + b, 0) / 12).toBeCloseTo(1, 6);
  });

  it('handles class masks, with one weight per class', () => {
    // Class 1 and class 2 objects side by side with a gap: two instances of different classes.
    const data = [1, 0, 0, 2];
    const w = weightMap({ data, width: 4, height: 1 }, { kind: 'classes', classWeights: [1, 2, 3] });
    expect(w[0]).toBe(2);
    expect(w[3]).toBe(3);
    expect(w[1]).toBeCloseTo(1 + 10 * Math.exp(-9 / 50), 6);
    expect(() => weightMap({ data, width: 4, height: 1 }, { kind: 'classes', classWeights: [1, 2] })).toThrow(
      "`classWeights` must be 'balanced', 'uniform' or an array of at least 3 weights (one per class)",
    );
  });

  it('has no border term with fewer than two instances, and does not crash on empty masks', () => {
    expect(Array.from(weightMap({ data: new Uint8Array(9), width: 3, height: 3 }, { classWeights: [1, 1] }))).toEqual(Array(9).fill(1));
    const one = new Uint8Array(9);
    one[4] = 1;
    expect(Array.from(weightMap({ data: one, width: 3, height: 3 }, { classWeights: [1, 1] }))).toEqual(Array(9).fill(1));
  });

  it('validates options with clear messages', () => {
    const img = { data: [0, 1], width: 2, height: 1 };
    expect(() => weightMap(img, { sigma: 0 })).toThrow('`sigma` must be a finite number > 0. Received: sigma=0.');
    expect(() => weightMap(img, { w0: -1 })).toThrow('`w0` must be a finite number >= 0. Received: w0=-1.');
    expect(() => weightMap(img, { kind: 'mask' as 'binary' })).toThrow("`kind` must be one of 'binary', 'classes', 'instances'");
    expect(() => weightMap({ data: [0, 1], width: 3, height: 1 })).toThrow('`labels.data` must hold width * height = 3 values');
  });
});
