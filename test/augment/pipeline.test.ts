import { describe, expect, it } from 'vitest';
import { augment, PAPER_AUGMENTATION, Random, weakenPipeline, type AugmentOp } from '../../src/index.js';

const N = 16;
const image = () => ({ data: Float32Array.from({ length: N * N }, (_, i) => (i * 37) % 101), width: N, height: N });
const label = () => ({ data: Uint8Array.from({ length: N * N }, (_, i) => (i * 37) % 101), width: N, height: N });
const at = (data: ArrayLike<number>, y: number, x: number) => data[y * N + x]!;

describe('augment', () => {
  it('flips: each result is the identity or the exact mirror, and both occur', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const out = augment({ image: image(), label: label() }, [{ kind: 'flip', horizontal: true, vertical: false }], seed);
      const mirrored = Array.from({ length: N * N }, (_, k) => at(image().data, Math.floor(k / N), N - 1 - (k % N)));
      const same = Array.from(out.image.data).every((v, k) => v === image().data[k]);
      const flipped = Array.from(out.image.data).every((v, k) => v === mirrored[k]);
      expect(same || flipped).toBe(true);
      expect(Array.from(out.label!.data)).toEqual(Array.from(out.image.data)); // moved together
      seen.add(same ? 'same' : 'flipped');
    }
    expect(seen).toEqual(new Set(['same', 'flipped']));
  });

  it('rotates by 90 degrees exactly (labels with nearest, images with cubic)', () => {
    const out = augment({ image: image(), label: label() }, [{ kind: 'rotate', range: [90, 90] }], 1);
    // Output = input turned 90 degrees clockwise as displayed (y down): out(y, x) = in(N - 1 - x, y),
    // so the top-right pixel lands bottom-right.
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        expect(at(out.label!.data, y, x)).toBe(at(label().data, N - 1 - x, y));
        expect(at(out.image.data, y, x)).toBeCloseTo(at(image().data, N - 1 - x, y), 9);
      }
  });

  it('shifts by whole pixels exactly, mirroring at the border', () => {
    const out = augment({ image: image() }, [{ kind: 'shift', range: [2, 2] }], 3);
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const sy = y - 2 < 0 ? -(y - 2) : y - 2; // mirror about row 0
        const sx = x - 2 < 0 ? -(x - 2) : x - 2;
        expect(at(out.image.data, y, x)).toBe(at(image().data, sy, sx));
      }
  });

  it('zooms about the center: by 2, each output pixel reads the input halfway to the center', () => {
    const out = augment({ image: image(), label: label() }, [{ kind: 'zoom', range: [2, 2] }], 1);
    const c = (N - 1) / 2;
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        // Nearest for labels: the input pixel at (c + (y - c) / 2, c + (x - c) / 2), rounded half up.
        expect(at(out.label!.data, y, x)).toBe(at(label().data, Math.floor(c + (y - c) / 2 + 0.5), Math.floor(c + (x - c) / 2 + 0.5)));
      }
    expect(() => augment({ image: image() }, [{ kind: 'zoom', range: [0, 2] }], 1)).toThrow('`pipeline[0].range` must be positive for zoom');
  });

  it('keeps labels in their set and is reproducible under the full paper pipeline', () => {
    const pipeline: AugmentOp[] = [
      { kind: 'shift', range: [-3, 3] },
      { kind: 'rotate' },
      { kind: 'flip' },
      { kind: 'elastic', sigma: 4 },
      { kind: 'gamma', range: [0.8, 1.2] },
      { kind: 'noise', std: 0.01 },
    ];
    const sample = { image: image(), label: label() };
    const a = augment(sample, pipeline, 5);
    const b = augment(sample, pipeline, new Random(5));
    expect(Array.from(a.image.data)).toEqual(Array.from(b.image.data));
    expect(Array.from(a.label!.data)).toEqual(Array.from(b.label!.data));
    const allowed = new Set(label().data);
    for (const v of a.label!.data) expect(allowed.has(v)).toBe(true);
    expect(a.image.data).toBeInstanceOf(Float32Array);
    expect(a.label!.data).toBeInstanceOf(Uint8Array);
  });

  it('changes gray values of the image only, on the [0, 1] scale of integer types', () => {
    const img = { data: Uint8Array.from([0, 100, 200, 250]), width: 2, height: 2 };
    const lbl = { data: Uint8Array.from([1, 2, 3, 4]), width: 2, height: 2 };
    const out = augment({ image: img, label: lbl }, [{ kind: 'brightness', range: [0.1, 0.1] }], 0);
    expect(Array.from(out.image.data)).toEqual([26, 126, 226, 255]); // +25.5, rounded, clamped
    expect(Array.from(out.label!.data)).toEqual([1, 2, 3, 4]);
    const gamma = augment({ image: img }, [{ kind: 'gamma', range: [2, 2] }], 0);
    expect(Array.from(gamma.image.data)).toEqual([0, Math.round(255 * (100 / 255) ** 2), Math.round(255 * (200 / 255) ** 2), Math.round(255 * (250 / 255) ** 2)]);
  });

  it('validates the pipeline, naming the step', () => {
    expect(() => augment({ image: image() }, [{ kind: 'shift', range: [3, -3] }], 0)).toThrow('`pipeline[0].range` must be a [low, high] pair');
    expect(() => augment({ image: image() }, [{ kind: 'blur' } as never], 0)).toThrow("`pipeline[0].kind` must be one of 'elastic'");
    expect(() => augment({ image: image(), label: { data: new Uint8Array(4), width: 2, height: 2 } }, [], 0)).toThrow('`sample.label` must be 16x16 like sample.image');
  });
});

describe('weakenPipeline', () => {
  it('moves ranges towards the values that change nothing, in proportion to the strength', () => {
    const half = weakenPipeline(PAPER_AUGMENTATION, 0.5);
    // By hand: shift [-8, 8] -> [-4, 4]; gamma [0.8, 1.25] -> [0.9, 1.125]; contrast [0.8, 1.2] -> [0.9, 1.1];
    // brightness [-0.05, 0.05] -> [-0.025, 0.025]; elastic sigma 10 -> 5; rotations and flips whole.
    expect(half).toEqual([
      { kind: 'shift', range: [-4, 4] },
      { kind: 'rotate', range: [-180, 180] },
      { kind: 'flip', horizontal: true, vertical: true },
      { kind: 'elastic', sigma: 5, points: 3 },
      { kind: 'gamma', range: [0.9, 1.125] },
      { kind: 'contrast', range: [0.9, 1.1] },
      { kind: 'brightness', range: [-0.025, 0.025] },
    ]);
    expect(weakenPipeline(PAPER_AUGMENTATION, 1)).toEqual(PAPER_AUGMENTATION);
    expect(weakenPipeline([{ kind: 'noise', std: 0.1 }, { kind: 'zoom', range: [0.5, 2] }], 0.25)).toEqual([
      { kind: 'noise', std: 0.025 },
      { kind: 'zoom', range: [0.875, 1.25] },
    ]);
  });

  it('at strength 0 leaves the image as it is (but flips and rotations)', () => {
    const pipeline: AugmentOp[] = [
      { kind: 'shift', range: [-5, 5] },
      { kind: 'zoom', range: [0.7, 1.4] },
      { kind: 'elastic', sigma: 10, points: 3 },
      { kind: 'contrast', range: [0.5, 1.5] },
      { kind: 'brightness', range: [-0.2, 0.2] },
      { kind: 'noise', std: 0.1 },
    ];
    const unit = { data: Float32Array.from(image().data, (v) => v / 101), width: N, height: N };
    for (let seed = 0; seed < 4; seed++) {
      const out = augment({ image: unit }, weakenPipeline(pipeline, 0), seed);
      Array.from(out.image.data).forEach((v, k) => expect(v).toBeCloseTo(unit.data[k]!, 5));
      const full = augment({ image: unit }, pipeline, seed);
      expect(Array.from(full.image.data).some((v, k) => Math.abs(v - unit.data[k]!) > 1e-3)).toBe(true);
    }
  });

  it('names a strength outside [0, 1]', () => {
    expect(() => weakenPipeline(PAPER_AUGMENTATION, 1.5)).toThrow(/`strength` must be in \[0, 1\]/);
    expect(() => weakenPipeline(PAPER_AUGMENTATION, Number.NaN)).toThrow(/strength/);
  });
});
