import { describe, expect, it } from 'vitest';
import { thinBorders } from '../../src/index.js';
import { rng } from '../helpers/random.js';

/** Thinning by its definition: layers of a 3x3 maximum filter applied to the zero pixels, on a copy per layer. */
function maximumFilterThinning(labels: Int32Array, width: number, height: number): Int32Array {
  let current = Int32Array.from(labels);
  if (current.every((v) => v === 0)) return current.fill(1);
  while (current.some((v) => v === 0)) {
    const next = Int32Array.from(current);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        if (current[y * width + x] !== 0) continue;
        let best = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) best = Math.max(best, current[yy * width + xx]!);
          }
        next[y * width + x] = best;
      }
    current = next;
  }
  return current;
}

describe('thinBorders', () => {
  it('hands a boundary column to the larger neighbouring label, one layer at a time', () => {
    expect([...thinBorders(Int32Array.from([1, 0, 2, 1, 0, 2]), 3, 2)]).toEqual([1, 2, 2, 1, 2, 2]);
    // A thick boundary: the outer layers go to their own side first, then the middle to the larger label.
    expect([...thinBorders(Int32Array.from([1, 0, 0, 0, 2]), 5, 1)]).toEqual([1, 1, 2, 2, 2]);
    expect([...thinBorders(Int32Array.from([3, 0, 0, 0, 0, 2]), 6, 1)]).toEqual([3, 3, 3, 2, 2, 2]);
  });

  it('reaches pixels far from any region, and makes one region of an image without any', () => {
    const far = new Int32Array(25);
    far[0] = 4;
    expect([...thinBorders(far, 5, 5)].every((v) => v === 4)).toBe(true);
    expect([...thinBorders(new Int32Array(6), 3, 2)]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('equals the layer-by-layer maximum filter on random label images', () => {
    const random = rng(11);
    for (let trial = 0; trial < 15; trial++) {
      const width = 5 + Math.floor(random() * 20);
      const height = 5 + Math.floor(random() * 20);
      const labels = Int32Array.from({ length: width * height }, () => (random() < 0.7 ? 0 : 1 + Math.floor(random() * 6)));
      expect([...thinBorders(labels, width, height)]).toEqual([...maximumFilterThinning(labels, width, height)]);
    }
  });

  it('rejects a size mismatch and negative labels', () => {
    expect(() => thinBorders([1, 2, 3], 2, 2)).toThrow('`labels` must hold width * height = 4 values. Received: labels="array of length 3".');
    expect(() => thinBorders([1, -1], 2, 1)).toThrow('`labels[1]` must be a non-negative integer. Received: labels[1]=-1.');
  });
});
