/**
 * Tile planning for overlap-tile inference: where tiles go, and how large
 * a tile fits a memory budget.
 */
import type { TileGeometry } from './geometry.js';

/**
 * Start offsets `0, stride, 2 stride, ...` of windows of size `window` until
 * they cover `[0, size)` (the last window may reach past the end). Keeping
 * every start a multiple of the stride keeps tiles aligned to the network.
 */
export function windowStarts(size: number, window: number, stride: number): number[] {
  if (!(stride >= 1) || window < stride) throw new Error(`windowStarts: need 1 <= stride <= window, got stride ${stride}, window ${window}`);
  const starts: number[] = [];
  for (let s = 0; ; s += stride) {
    starts.push(s);
    if (s + window >= size) return starts;
  }
}

/**
 * The largest valid tile whose forward pass for `batchSize` tiles fits in
 * `budget` bytes, and no larger than needed to cover `needed` pixels of output
 * context (one tile covering the whole image). At least the smallest valid
 * size whose output holds more than the halo and one alignment step.
 */
export function chooseInputSize(geometry: TileGeometry, needed: number, batchSize: number, budget: number): number {
  const smallest = 2 * geometry.halo + geometry.alignment;
  const near = geometry.validInputSizes(1, Math.max(needed, 1) + 16 * Math.max(geometry.alignment, 16)).filter((s) => geometry.outputSize(s) >= smallest);
  // A network whose smallest tile is larger than that range: its smallest tile.
  const all = near.length > 0 ? near : geometry.validInputSizes(1, 1 << 16).filter((s) => geometry.outputSize(s) >= smallest).slice(0, 1);
  // The first size that covers `needed` caps the search; smaller ones are the candidates.
  const capIndex = all.findIndex((s) => s >= needed);
  const sizes = capIndex < 0 ? all : all.slice(0, capIndex + 1);
  let best = sizes[0] ?? all[0];
  if (best === undefined) throw new Error('chooseInputSize: the network has no valid tile size');
  for (const size of sizes) if (geometry.tileBytes(size) * batchSize <= budget) best = size;
  return best;
}
