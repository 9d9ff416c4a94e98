import { describe, expect, it } from 'vitest';
import { augmentationFor, fingerprint } from '../../src/index.js';

describe('fingerprint', () => {
  it('measures sizes, intensities, classes and objects of a hand-made dataset', () => {
    // Image A: 20x10, two 4x4 squares of class 1 on background; image B: 10x10, one 2x5 bar of class 2.
    const labelA = new Uint8Array(200);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) labelA[y * 20 + x] = 1;
    for (let y = 2; y < 6; y++) for (let x = 12; x < 16; x++) labelA[y * 20 + x] = 1;
    const labelB = new Uint8Array(100);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 5; x++) labelB[y * 10 + x] = 2;
    const imageA = Uint8Array.from(labelA, (v) => (v === 0 ? 0 : 255));
    const imageB = new Uint8Array(100).fill(51);
    const fp = fingerprint([{ data: imageA, width: 20, height: 10 }, { data: imageB, width: 10, height: 10 }], [{ data: labelA, width: 20, height: 10 }, { data: labelB, width: 10, height: 10 }]);
    expect([fp.images, fp.channels, fp.pixels]).toEqual([2, 1, 300]);
    expect(fp.width).toEqual({ min: 10, median: 10, max: 20 });
    expect(fp.classes).toBe(3);
    expect(fp.classFrequencies.map((f) => +f.toFixed(6))).toEqual([+(258 / 300).toFixed(6), +(32 / 300).toFixed(6), +(10 / 300).toFixed(6)]);
    expect(fp.objects.total).toBe(3);
    expect(fp.objects.area).toEqual({ p10: 10, median: 16, p90: 16 });
    expect(fp.objects.diameter.median).toBeCloseTo(2 * Math.sqrt(16 / Math.PI), 12);
    // Mean over all 300 pixels: 32 pixels at 1, 100 at 0.2.
    expect(fp.intensity.mean[0]).toBeCloseTo((32 + 100 * 0.2) / 300, 6);
    expect(fp.intensity.low[0]).toBeLessThan(0.01);
    expect(fp.intensity.high[0]).toBeGreaterThan(0.99);
    expect(fp.thinBackgroundShare).toBeGreaterThan(0);
    expect(fp.thinBackgroundShare).toBeLessThan(1);
  });

  it('refuses an empty dataset and unpaired labels', () => {
    expect(() => fingerprint([], [])).toThrow('`images` must hold at least one image');
    expect(() => fingerprint([{ data: new Uint8Array(1), width: 1, height: 1 }], [])).toThrow('`labels` must hold one label image per image (1)');
  });
});

describe('augmentationFor', () => {
  it('always flips and rotates; scales the gray values; deforms only when asked', () => {
    expect(augmentationFor(0).map((op) => op.kind)).toEqual(['rotate', 'flip']);
    const full = augmentationFor(1, { elastic: true });
    expect(full.map((op) => op.kind)).toEqual(['rotate', 'flip', 'elastic', 'gamma', 'contrast', 'brightness', 'noise']);
    expect(full.find((op) => op.kind === 'elastic')).toMatchObject({ sigma: 10 });
    expect(augmentationFor(0.5).find((op) => op.kind === 'contrast')).toMatchObject({ range: [0.9, 1.1] });
    expect(() => augmentationFor(2)).toThrow('`strength` must be in [0, 1]. Received: strength=2.');
  });
});
