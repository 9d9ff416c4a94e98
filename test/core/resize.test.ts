import { describe, expect, it } from 'vitest';
import { resizeImage } from '../../src/core/resize.js';

describe('resizeImage', () => {
  it('shrinks by area: an integer factor averages blocks, any factor keeps the mean', () => {
    const image = { data: Uint8Array.from([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]), width: 4, height: 4 };
    expect(Array.from(resizeImage(image, 2, 2, 'area').data)).toEqual([10, 18, 42, 50]);
    const ramp = { data: Float32Array.from({ length: 7 * 5 }, (_, i) => (i % 7) * 3 + Math.floor(i / 7)), width: 7, height: 5 };
    const small = resizeImage(ramp, 3, 2, 'area');
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small.data)).toBeCloseTo(mean(ramp.data), 5);
    // The first output pixel covers columns [0, 7/3) and rows [0, 2.5): weights 3/7 3/7 1/7 by 2/5 2/5 1/5.
    const wx = [3, 3, 1].map((w) => w / 7);
    const wy = [2, 2, 1].map((w) => w / 5);
    let first = 0;
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) first += wx[x]! * wy[y]! * (x * 3 + y);
    expect(small.data[0]).toBeCloseTo(first, 5);
  });

  it('enlarges linearly between pixel centres, keeps labels with nearest, and keeps channels', () => {
    const row = { data: Float32Array.from([0, 10]), width: 2, height: 1 };
    // Output centres at source x = -0.25, 0.25, 0.75, 1.25 (clamped to [0, 1]).
    expect(Array.from(resizeImage(row, 4, 1, 'linear').data)).toEqual([0, 2.5, 7.5, 10]);
    expect(Array.from(resizeImage(row, 4, 1, 'area').data)).toEqual([0, 2.5, 7.5, 10]);
    const labels = { data: Int32Array.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2 };
    const big = resizeImage(labels, 6, 4, 'nearest');
    expect(big.data).toBeInstanceOf(Int32Array);
    expect(Array.from(big.data)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
    const rgb = { data: Uint8Array.from([10, 20, 30, 30, 40, 50]), width: 2, height: 1, channels: 3 };
    expect(Array.from(resizeImage(rgb, 1, 1, 'area').data)).toEqual([20, 30, 40]);
    expect(() => resizeImage(rgb, 0, 1)).toThrow('`width` must be a positive integer');
  });
});
