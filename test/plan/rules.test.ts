import { describe, expect, it } from 'vitest';
import { supervisedNodes } from '../../src/spec/supervision.js';
import { ARCHITECTURES } from '../../src/spec/presets.js';
import {
  architectureSpec,
  BATCH_MARGIN,
  candidateKey,
  choosePlan,
  depthFor,
  FOREGROUND_SHARE,
  MIN_STEPS,
  OVERHEAD_SHARE,
  planCandidates,
  receptiveField,
  recipeFor,
  TARGET_DIAMETER,
  tileFor,
  type DatasetFingerprint,
} from '../../src/plan/index.js';

/** A synthetic fingerprint: square images of `size` (or `size` x `height`), objects `diameter` px across (p90), tissue unless the background is mostly far from objects. */
function fp(size: number, diameter: number, thinBackgroundShare = 0.95, height = size): DatasetFingerprint {
  return {
    images: 10,
    channels: 1,
    width: { min: size, median: size, max: size },
    height: { min: height, median: height, max: height },
    pixels: 10 * size * size,
    intensity: { low: [0.1], high: [0.9], mean: [0.5], std: [0.2] },
    classes: 2,
    classFrequencies: [0.2, 0.8],
    objects: { total: 500, perImage: { min: 40, median: 50, max: 60 }, area: { p10: 50, median: 300, p90: 1000 }, diameter: { median: diameter / 2, p90: diameter } },
    thinBackgroundShare,
  };
}

const networkReason = (reasons: readonly string[]) => reasons.find((r) => r.startsWith('network'))!;

describe('planner rules', () => {
  it('receptive fields of U-Net depths (valid and same padding alike)', () => {
    expect([3, 4, 5].map((d) => receptiveField(d as 3 | 4 | 5))).toEqual([89, 185, 377]);
  });

  it('chooses the shallowest depth whose receptive field spans twice the large objects', () => {
    expect(depthFor(fp(512, 40))).toBe(3); // 89 >= 80
    expect(depthFor(fp(512, 60))).toBe(4); // 89 < 120 <= 185
    expect(depthFor(fp(512, 150))).toBe(5);
    expect(depthFor(fp(512, 400))).toBe(5); // nothing spans it: the deepest
  });

  it('tiles 256 px, or the image rounded down to the depth unit, never below 8 px at the bottom', () => {
    expect(tileFor(fp(512, 60), 4)).toBe(256);
    expect(tileFor(fp(200, 60), 4)).toBe(192);
    expect(tileFor(fp(64, 60), 4)).toBe(128);
  });

  it('times every base and batch; picks the widest network that still gets MIN_STEPS steps', () => {
    expect(MIN_STEPS).toBe(6000);
    const f = fp(512, 60);
    const candidates = planCandidates(f);
    expect(candidates.map((c) => `${c.baseFilters}/${c.batch}`)).toEqual(['16/1', '16/2', '32/1', '32/2']);
    // Base 16 at batch 2 costs 1.75x batch 1; base 32 is 3x base 16.
    const seconds = (base: number, batch: number) => (base === 16 ? 0.2 : 0.6) * (batch === 2 ? 1.75 : 1);
    const speeds = new Map(candidates.map((c) => [candidateKey(c), seconds(c.baseFilters, c.batch)]));
    const trainSeconds = (minutes: number) => minutes * 60 * (1 - OVERHEAD_SHARE);
    // 120 min (6336 s of training): base 32 batch 1 gets 10560 steps, batch 2 6034 (>= 6000 both); batch 2 sees
    // 12068 tiles, 1.14x batch 1's 10560: under BATCH_MARGIN (1.5), so batch 1 keeps its steps.
    const long = choosePlan(f, 120, speeds);
    expect([long.baseFilters, long.batch]).toEqual([32, 1]);
    expect(long.estimate.steps).toBe(Math.floor(trainSeconds(120) / 0.6));
    expect(networkReason(long.reasons)).toContain('a larger batch would not see 1.5x the labelled pixels');
    // 60 min: base 32 batch 1 gets 5280 steps (< 6000); base 16 batch 1 15840 and batch 2 9051 (18102 tiles, 1.14x): base 16, batch 1.
    const mid = choosePlan(f, 60, speeds);
    expect([mid.baseFilters, mid.batch]).toEqual([16, 1]);
    expect(mid.estimate.steps).toBe(Math.floor(trainSeconds(60) / 0.2));
    // 10 min: base 16 batch 1 gets 2640 steps: nothing reaches MIN_STEPS; the fastest candidate.
    const short = choosePlan(f, 10, speeds);
    expect(short.estimate.steps).toBeLessThan(MIN_STEPS);
    expect([short.baseFilters, short.batch]).toEqual([16, 1]);
    expect(networkReason(short.reasons)).toContain('no candidate reaches');
  });

  it('takes a larger batch among equally wide eligible candidates only when it sees BATCH_MARGIN times the pixels', () => {
    const f = fp(512, 60);
    const candidates = planCandidates(f);
    const planWith = (batch2Cost: number) => choosePlan(f, 60, new Map(candidates.map((c) => [candidateKey(c), (c.baseFilters === 16 ? 0.2 : 0.3) * (c.batch === 2 ? batch2Cost : 1)])));
    // Batch 2 costs only 1.2x batch 1: 1.67x the pixels in the budget.
    const cheap = planWith(1.2);
    expect([cheap.baseFilters, cheap.batch]).toEqual([32, 2]);
    expect(networkReason(cheap.reasons)).toMatch(/batch 2 sees 1\.6\dx the labelled pixels of batch 1/);
    // Just under and just over the margin (steps are floored, so the costs sit a little inside 2 / 1.5 = 1.333).
    expect(planWith(1.34).batch).toBe(1);
    expect(planWith(1.33).batch).toBe(2);
    expect(BATCH_MARGIN).toBe(1.5);
  });

  it('records the family member its speeds were measured on, whose spec the plan then builds', () => {
    const f = fp(512, 60);
    const speeds = new Map(planCandidates(f).map((c) => [candidateKey(c), 0.2]));
    expect(choosePlan(f, 30, speeds).architecture).toBe('unet');
    expect(choosePlan(f, 30, speeds, undefined, 'resEncUnet').architecture).toBe('resEncUnet');
    const builders = ARCHITECTURES.map((a) => architectureSpec(a, { depth: 2, baseFilters: 4, padding: 'same' }));
    expect(builders.map((s) => s.builder)).toEqual(['unet', 'resUnet', 'resUnet', 'attentionUnet', 'unetPlusPlus']);
    expect((builders[2]!.options as { residualDecoder: boolean }).residualDecoder).toBe(false);
  });

  it('plans deep supervision, and every depth it plans has places for the heads in every family member', () => {
    const f = fp(512, 60);
    const plan = choosePlan(f, 30, new Map(planCandidates(f).map((c) => [candidateKey(c), 0.2])));
    expect(plan.deepSupervision).toBe(true);
    // depthFor plans 3..5 (objects of 0 px up to far beyond the largest receptive field).
    const depths = new Set([1, 40, 90, 180, 10_000].map((diameter) => depthFor(fp(512, diameter))));
    expect([...depths].sort()).toEqual([3, 4, 5]);
    for (const architecture of ARCHITECTURES) {
      for (const depth of depths) {
        // nnU-Net's choice: the decoder levels at 1/2 .. 1/2^(depth-2), the coarsest left out.
        expect(supervisedNodes(architectureSpec(architecture, { depth, baseFilters: 4, padding: 'same' }), true)).toHaveLength(depth - 2);
      }
    }
  });

  it('the kind of data decides the recipe: tissue at full size, objects shrunk to TARGET_DIAMETER with foreground tiles', () => {
    const tissue = recipeFor(fp(512, 60));
    expect(tissue).toMatchObject({ kind: 'tissue', scale: 1, foreground: 0, loss: 'crossEntropy', weights: 'border' });
    expect(tissue.reasons[0]).toBe('kind tissue: 95% of the background is thin boundary (objects fill the image): validated by the challenge Rand error, borders thinned');
    // Nuclei 85 px across (median; p90 2 x 50) on 1344 x 1024 images, 30% of the background near them.
    const nuclei = { ...fp(1344, 100, 0.3, 1024), objects: { ...fp(1344, 100).objects, diameter: { median: 85, p90: 100 } } };
    const big = recipeFor(nuclei);
    expect(TARGET_DIAMETER).toBe(32);
    expect(big).toMatchObject({ kind: 'objects', scale: +(32 / 85).toFixed(3), foreground: FOREGROUND_SHARE, loss: 'diceCrossEntropy', weights: 'borderUnbalanced' });
    expect(big.reasons[1]).toBe('scale 0.376: objects 85 px across are trained at 32 px (predictions are enlarged back)');
    // At the scale the large objects are 37.6 px: depth 3 (89 px) spans twice them; the shrunk side (385 px) holds a 256 px tile.
    const candidates = planCandidates(nuclei);
    expect(candidates[0]).toMatchObject({ depth: 3, tile: 256 });
    const plan = choosePlan(nuclei, 10, new Map(candidates.map((c) => [candidateKey(c), 0.2])));
    expect(plan).toMatchObject({ kind: 'objects', scale: 0.376, foreground: FOREGROUND_SHARE, depth: 3 });
    // Objects 24 px across are trained at full size (shrinking by 0.75 or less only).
    const small = { ...nuclei, objects: { ...nuclei.objects, diameter: { median: 24, p90: 30 } } };
    expect(recipeFor(small)).toMatchObject({ kind: 'objects', scale: 1 });
    expect(recipeFor({ ...nuclei, objects: { ...nuclei.objects, diameter: { median: 42, p90: 50 } } }).scale).toBe(1);
    expect(recipeFor({ ...nuclei, objects: { ...nuclei.objects, diameter: { median: 43, p90: 50 } } }).scale).toBe(0.744);
  });

  it('needs at least one timed candidate', () => {
    expect(() => choosePlan(fp(512, 60), 10, new Map())).toThrow('`speeds` must hold a step time for at least one candidate');
  });
});
