import { describe, expect, it } from 'vitest';
import { checkNormalization, intensityPercentiles, normalizeImage } from '../../src/index.js';

describe('normalizeImage', () => {
  const image = { data: Uint8Array.of(0, 51, 102, 255), width: 2, height: 2 };

  it("'scale' divides by the type's maximum", () => {
    expect(Array.from(normalizeImage(image).data)).toEqual([0, 51 / 255, 102 / 255, 1].map(Math.fround));
  });

  it("'zscore' gives mean 0 and standard deviation 1 per channel", () => {
    const out = normalizeImage({ data: Uint8Array.of(10, 200, 30, 100, 50, 0), width: 3, height: 1, channels: 2 }, { kind: 'zscore' }).data;
    for (const c of [0, 1]) {
      const values = [out[c]!, out[c + 2]!, out[c + 4]!];
      const mean = values.reduce((a, b) => a + b, 0) / 3;
      const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 3);
      expect(mean).toBeCloseTo(0, 6);
      expect(std).toBeCloseTo(1, 5);
    }
  });

  it("'percentiles' clips to low..high and maps them to 0..1", () => {
    const out = normalizeImage(image, { kind: 'percentiles', low: [0.1], high: [0.5] }).data;
    expect(Array.from(out).map((v) => +v.toFixed(6))).toEqual([0, +((51 / 255 - 0.1) / 0.4).toFixed(6), 0.75, 1]);
  });
});

describe('intensityPercentiles', () => {
  it('finds the nearest-rank percentiles of the pooled values to a 1/4096 bin', () => {
    // Values i / 999: at least 1% of them are <= the 10th smallest (9 / 999), 99% <= the 990th (989 / 999).
    const data = Uint16Array.from({ length: 1000 }, (_, i) => Math.round((i / 999) * 65535));
    const { low, high } = intensityPercentiles([{ data, width: 100, height: 10 }], 1, 99);
    expect(Math.abs(low[0]! - 9 / 999)).toBeLessThan(1 / 4096);
    expect(Math.abs(high[0]! - 989 / 999)).toBeLessThan(1 / 4096);
  });
});

describe('checkNormalization', () => {
  it('names what is wrong', () => {
    expect(() => checkNormalization({ kind: 'minmax' }, 1)).toThrow("`normalization.kind` must be one of 'scale', 'zscore', 'percentiles'. Received: normalization.kind=\"minmax\".");
    expect(() => checkNormalization({ kind: 'percentiles', low: [0.1], high: [0.05] }, 1)).toThrow('`normalization.high[0]` must be greater than low[0] = 0.1. Received: normalization.high[0]=0.05.');
    expect(() => checkNormalization({ kind: 'percentiles', low: [0], high: [1] }, 3)).toThrow('`normalization.low` must be 3 finite number(s), one per channel');
  });
});
