/**
 * Tile planning for overlap-tile inference: where tiles go, and how large
 * a tile fits a memory budget.
 */
import type { Spec } from '../spec/graph.js';
import { layerTable } from '../geometry/table.js';
import { alignment, nearestValidInputSize, outputSize, validInputSizes } from '../geometry/tiles.js';

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

/** Bytes of all activations of one tile (float32), an upper bound on what a forward pass holds. */
export function tileBytes(spec: Spec, inputSize: number): number {
  return layerTable(spec, inputSize).reduce((sum, row) => sum + row.height * row.width * row.channels * 4, 0);
}

/**
 * The largest valid tile whose activations for `batchSize` tiles fit in
 * `budget` bytes, and no larger than needed to cover `needed` pixels of output
 * context (one tile covering the whole image). At least the smallest valid size.
 */
export function chooseInputSize(spec: Spec, needed: number, batchSize: number, budget: number): number {
  const cap = nearestValidInputSize(spec, needed, 'up') ?? needed;
  // Tiles must output at least one alignment step (see predictTiled).
  const P = alignment(spec);
  const sizes = validInputSizes(spec, { min: 1, max: Math.max(cap, 1) }).filter((s) => outputSize(spec, s) >= P);
  let best = sizes[0] ?? nearestValidInputSize(spec, 1, 'up')!;
  for (const size of sizes) if (tileBytes(spec, size) * batchSize <= budget) best = size;
  return best;
}
