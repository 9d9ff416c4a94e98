/**
 * Synthetic "cells" for the examples: touching ellipses on a noisy
 * background, separated by thin dark gaps, with instance labels.
 */
import { Random, type ImageArray } from 'tfjs-unet';

export interface SyntheticSample {
  readonly image: ImageArray<Float32Array>;
  /** 1 inside cells, 0 in the background and the gaps between cells. */
  readonly mask: ImageArray<Uint8Array>;
}

export function syntheticCells(size: number, seed: number, cells = Math.round((size * size) / 900)): SyntheticSample {
  const random = new Random(seed);
  const owner = new Int32Array(size * size);
  const centers = Array.from({ length: cells }, () => ({
    y: random.range(0, size),
    x: random.range(0, size),
    a: random.range(8, 16),
    b: random.range(8, 16),
    angle: random.range(0, Math.PI),
  }));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let best = 1;
      let who = 0;
      centers.forEach((c, i) => {
        const dy = y - c.y;
        const dx = x - c.x;
        const u = (dx * Math.cos(c.angle) + dy * Math.sin(c.angle)) / c.a;
        const v = (-dx * Math.sin(c.angle) + dy * Math.cos(c.angle)) / c.b;
        const r = u * u + v * v;
        if (r < best) {
          best = r;
          who = i + 1;
        }
      });
      owner[y * size + x] = who;
    }
  const mask = new Uint8Array(size * size);
  const image = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const o = owner[i]!;
      const gap = (x + 1 < size && owner[i + 1] !== o && owner[i + 1] !== 0) || (y + 1 < size && owner[i + size] !== o && owner[i + size] !== 0);
      mask[i] = o !== 0 && !gap ? 1 : 0;
      image[i] = (mask[i] === 1 ? 0.65 : 0.25) + random.normal(0.08);
    }
  return { image: { data: image, width: size, height: size }, mask: { data: mask, width: size, height: size } };
}
