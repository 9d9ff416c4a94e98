import { describe, expect, it } from 'vitest';
import { distanceTransform } from '../../src/index.js';
import { randomImage, rng } from '../helpers/random.js';

function bruteForce(data: ArrayLike<number>, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height).fill(Infinity);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let yy = 0; yy < height; yy++)
        for (let xx = 0; xx < width; xx++)
          if (data[yy * width + xx] !== 0) out[y * width + x] = Math.min(out[y * width + x]!, (x - xx) ** 2 + (y - yy) ** 2);
  return out;
}

describe('distanceTransform', () => {
  it('is exact on random images (squared distances are integers)', () => {
    const random = rng(1);
    for (let trial = 0; trial < 60; trial++) {
      const width = 1 + Math.floor(random() * 30);
      const height = 1 + Math.floor(random() * 30);
      const density = [0.002, 0.02, 0.2, 0.7][trial % 4]!;
      const image = randomImage(random, width, height, [0, 1], [1 - density, density]);
      const expected = bruteForce(image.data, width, height);
      expect(Array.from(distanceTransform(image, { squared: true }))).toEqual(Array.from(expected, (v) => v));
      const d = distanceTransform(image);
      for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo(Math.sqrt(expected[i]!), 5);
    }
  });

  it('gives a known value and Infinity without features', () => {
    const data = new Uint8Array(25);
    data[0] = 1;
    expect(distanceTransform({ data, width: 5, height: 5 })[24]).toBeCloseTo(Math.hypot(4, 4), 6);
    expect(Array.from(distanceTransform({ data: new Uint8Array(4), width: 2, height: 2 }))).toEqual([Infinity, Infinity, Infinity, Infinity]);
  });
});
