/** Small helpers shared by the benchmark scripts. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelConfig } from '@tensorflow/tfjs';

/**
 * tfjs's own kernels for the backends, as its packages register them on
 * import: call before `useBackend`, which replaces some with this
 * library's (the benchmarks compare the two through tfjs's public registry).
 */
export async function stockKernels(pairs: readonly (readonly [kernelName: string, backendName: string])[]): Promise<Map<string, KernelConfig>> {
  const tf = await import('@tensorflow/tfjs');
  if (pairs.some(([, backend]) => backend === 'wasm')) await import('@tensorflow/tfjs-backend-wasm');
  const found = new Map<string, KernelConfig>();
  for (const [kernel, backend] of pairs) {
    const config = tf.getKernel(kernel, backend);
    if (config !== undefined) found.set(`${backend}/${kernel}`, config);
  }
  return found;
}

/** Median of the values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` once to warm up, then `runs` timed times; returns the times in milliseconds. */
export function time(fn: () => unknown, runs: number): number[] {
  fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times;
}

/** The shared ISBI 2012 data directory, or undefined when it is absent. */
export function isbiDirectory(): string | undefined {
  const dir = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'isbi2012-em', 'train');
  return existsSync(dir) ? dir : undefined;
}

/**
 * A synthetic image of touching cells: a jittered grid of `cellsPerSide^2`
 * seeds, each pixel labelled by its nearest seed (a Voronoi tessellation),
 * with 1-px background membranes where labels change. Deterministic.
 */
export function syntheticCells(size: number, cellsPerSide: number, seed = 1): Uint8Array {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const cell = size / cellsPerSide;
  const seeds = new Float64Array(2 * cellsPerSide * cellsPerSide);
  for (let i = 0; i < cellsPerSide * cellsPerSide; i++) {
    seeds[2 * i] = ((i % cellsPerSide) + 0.15 + 0.7 * random()) * cell;
    seeds[2 * i + 1] = (Math.floor(i / cellsPerSide) + 0.15 + 0.7 * random()) * cell;
  }
  const owner = new Int32Array(size * size);
  for (let y = 0; y < size; y++) {
    const gy = Math.min(cellsPerSide - 1, Math.floor(y / cell));
    for (let x = 0; x < size; x++) {
      const gx = Math.min(cellsPerSide - 1, Math.floor(x / cell));
      let best = Infinity;
      let who = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const cy = gy + dy;
          const cx = gx + dx;
          if (cy < 0 || cx < 0 || cy >= cellsPerSide || cx >= cellsPerSide) continue;
          const i = cy * cellsPerSide + cx;
          const d = (seeds[2 * i]! - x) ** 2 + (seeds[2 * i + 1]! - y) ** 2;
          if (d < best) {
            best = d;
            who = i + 1;
          }
        }
      owner[y * size + x] = who;
    }
  }
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const o = owner[i]!;
      const edge = (x + 1 < size && owner[i + 1] !== o) || (y + 1 < size && owner[i + size] !== o);
      mask[i] = edge ? 0 : 255;
    }
  return mask;
}
