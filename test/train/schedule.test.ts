import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../../src/index.js';

describe('learningRateAt', () => {
  it('follows the closed forms of poly, cosine and constant', () => {
    for (const p of [0, 0.1, 0.25, 0.5, 0.9, 1]) {
      expect(learningRateAt(0.01, { kind: 'poly' }, p)).toBeCloseTo(0.01 * (1 - p) ** 0.9, 14);
      expect(learningRateAt(0.01, { kind: 'poly', exponent: 2 }, p)).toBeCloseTo(0.01 * (1 - p) ** 2, 14);
      expect(learningRateAt(1, { kind: 'cosine' }, p)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * p)), 14);
      expect(learningRateAt(1, { kind: 'cosine', final: 0.1 }, p)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)), 14);
      expect(learningRateAt(3e-4, { kind: 'constant' }, p)).toBe(3e-4);
    }
    expect(learningRateAt(1, { kind: 'cosine' }, 0.5)).toBeCloseTo(0.5, 14);
  });

  it('warms up linearly from base / 100 to the schedule, then follows it', () => {
    const s = { kind: 'cosine', warmup: 0.1 } as const;
    expect(learningRateAt(1, s, 0)).toBeCloseTo(0.01, 14);
    const at = 1 * 0.5 * (1 + Math.cos(Math.PI * 0.05));
    expect(learningRateAt(1, s, 0.05)).toBeCloseTo(0.01 + (at - 0.01) * 0.5, 14);
    expect(learningRateAt(1, s, 0.2)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.2)), 14);
  });

  it('clamps progress to [0, 1]', () => {
    expect(learningRateAt(1, { kind: 'poly' }, 1.5)).toBe(0);
    expect(learningRateAt(1, { kind: 'poly' }, -1)).toBe(1);
  });
});
