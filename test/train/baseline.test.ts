import { describe, expect, it } from 'vitest';
import { compareWithBaseline, otsuThreshold, thresholdBaseline } from '../../src/index.js';

describe('the threshold baseline', () => {
  it("finds Otsu's threshold between two clusters", () => {
    // 60 values near 0.2 and 40 near 0.7: any cut between the clusters separates them; Otsu's lies inside the gap.
    const values = [...Array.from({ length: 60 }, (_, i) => 0.18 + 0.0005 * i), ...Array.from({ length: 40 }, (_, i) => 0.68 + 0.001 * i)];
    const t = otsuThreshold(values);
    expect(t).toBeGreaterThan(0.2095);
    expect(t).toBeLessThan(0.68);
    expect(otsuThreshold([3, 3, 3])).toBe(3);
    expect(() => otsuThreshold([])).toThrow('`values` must hold at least one value');
  });

  it('thresholds each image in the polarity that fits the truth, and scores it like a prediction', () => {
    // Dark objects (0.2) on a bright background (0.8): the dark polarity finds them exactly.
    const label = { data: Uint8Array.from({ length: 64 }, (_, i) => (i % 8 < 3 && i < 24 ? 1 : 0)), width: 8, height: 8 };
    const image = { data: Float32Array.from(label.data, (v) => (v === 1 ? 0.2 : 0.8)), width: 8, height: 8 };
    const { polarity, report } = thresholdBaseline({ images: [image], labels: [label] });
    expect(polarity).toBe('dark');
    expect(report.mean.foregroundDice).toBe(1);
    expect(report.mean.ap50).toBe(1);
  });

  it('says whether a model beats it: the Rand error for tissue, panoptic quality and Dice for objects', () => {
    const baseline = { randError: 0.2, panopticQuality: 0.3, foregroundDice: 0.6 };
    expect(compareWithBaseline('tissue', { randError: 0.1, panopticQuality: 0 }, baseline)).toEqual({ beaten: true, summary: 'Rand error 0.1000 against 0.2000 for a global threshold' });
    expect(compareWithBaseline('objects', { randError: 1, panopticQuality: 0.5, foregroundDice: 0.8 }, baseline).beaten).toBe(true);
    // Better objects but a worse extent (Dice) is not good enough.
    const poor = compareWithBaseline('objects', { randError: 1, panopticQuality: 0.5, foregroundDice: 0.55 }, baseline);
    expect(poor).toEqual({ beaten: false, summary: 'PQ 0.500, Dice 0.550 against PQ 0.300, Dice 0.600 for a global threshold' });
  });
});
