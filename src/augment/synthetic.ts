/**
 * Synthetic microscopy-like data: touching elliptical cells separated by
 * thin gaps, on a noisy background, with instance labels. For demos, tests
 * and examples: no download needed.
 */
import type { ImageArray } from '../core/image.js';
import { Random } from '../core/random.js';

/** One synthetic image with its masks. */
export interface SyntheticCells {
  /** Gray values around [0, 1]: blurred cells brighter than background, plus noise. */
  readonly image: ImageArray<Float32Array>;
  /** 1 inside cells, 0 in the background and in the 1-px gaps between touching cells. */
  readonly mask: ImageArray<Uint8Array>;
  /** Cell index per pixel (0 = background or gap). */
  readonly instances: ImageArray<Int32Array>;
}

/**
 * Draws `size` x `size` synthetic cells with seed `seed`: ellipses (radii
 * 8-16 px) that touch where they meet, split by 1-px gaps, a per-image gray
 * level and contrast, a 3x3 blur and Gaussian noise.
 *
 * @example
 * ```ts
 * const { image, mask } = syntheticCells(128, 1);
 * ```
 */
export function syntheticCells(size: number, seed: number, cells = Math.max(1, Math.round((size * size) / 900))): SyntheticCells {
  const random = new Random(seed);
  const centers = Array.from({ length: cells }, () => ({
    y: random.range(0, size),
    x: random.range(0, size),
    a: random.range(8, 16),
    b: random.range(8, 16),
    angle: random.range(0, Math.PI),
  }));
  const owner = new Int32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let best = 1;
      centers.forEach((c, i) => {
        const dy = y - c.y;
        const dx = x - c.x;
        const u = (dx * Math.cos(c.angle) + dy * Math.sin(c.angle)) / c.a;
        const v = (-dx * Math.sin(c.angle) + dy * Math.cos(c.angle)) / c.b;
        const r = u * u + v * v;
        if (r < best) {
          best = r;
          owner[y * size + x] = i + 1;
        }
      });
    }
  const mask = new Uint8Array(size * size);
  const instances = new Int32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const o = owner[i]!;
      const gap = (x + 1 < size && owner[i + 1] !== o && owner[i + 1] !== 0) || (y + 1 < size && owner[i + size] !== o && owner[i + size] !== 0);
      if (o !== 0 && !gap) {
        mask[i] = 1;
        instances[i] = o;
      }
    }
  const level = random.range(0.15, 0.35);
  const contrast = random.range(0.3, 0.5);
  const sharp = Float32Array.from(mask, (m) => level + contrast * m);
  const image = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= size || xx >= size) continue;
          sum += sharp[yy * size + xx]!;
          n++;
        }
      image[y * size + x] = sum / n + random.normal(0.06);
    }
  return {
    image: { data: image, width: size, height: size },
    mask: { data: mask, width: size, height: size },
    instances: { data: instances, width: size, height: size },
  };
}
