/**
 * The targets and loss weights of deep supervision. A head at scale s
 * predicts one pixel per s x s block of the output window; its target is the
 * block's class shares (the mean of the one-hot labels, so a thin membrane
 * stays visible at 1/4 resolution instead of vanishing as under nearest
 * downsampling) and its pixel weight the block's mean weight.
 */
import { ArgumentError } from '../core/errors.js';
import type { SupervisionHead } from '../geometry/supervision.js';
import type { TileArrays } from './tiles.js';

/** One head's targets, in the batch's layout. */
export interface HeadTargets {
  /** Class shares per head pixel: `[batch, size, size, classes]` (NHWC) or `[batch, classes, size, size]` (NCHW). */
  readonly y: Float32Array;
  /** Mean pixel weight per head pixel: `[batch, size, size]`. */
  readonly weights: Float32Array;
  readonly yShape: [number, number, number, number];
  readonly weightsShape: [number, number, number];
}

/**
 * Loss weights of the output and `heads` heads: 1, 1/2, 1/4, ... (the
 * output first), normalised to sum to 1, as nnU-Net weighs its deep
 * supervision.
 *
 * @throws {@link ArgumentError} for a negative or fractional count.
 * @example
 * ```ts
 * supervisionLossWeights(2); // [4/7, 2/7, 1/7]
 * ```
 */
export function supervisionLossWeights(heads: number): number[] {
  if (!Number.isInteger(heads) || heads < 0) throw new ArgumentError('heads', 'must be a non-negative integer', heads);
  const raw = Array.from({ length: heads + 1 }, (_, i) => 1 / 2 ** i);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/**
 * Each head's targets from a batch's one-hot labels and weights (as
 * {@link tilesToArrays} stacks them): class shares and mean weights over the
 * head's blocks of the output window.
 *
 * @throws {@link ArgumentError} when a head's blocks do not fit in the batch's output window.
 * @example
 * ```ts
 * const batch = tilesToArrays(tiles, 2, 'NCHW');
 * const [half] = headTargets(batch, supervisionHeads(spec, 252, ['dec2_conv2']), 'NCHW');
 * ```
 */
export function headTargets(batch: TileArrays, heads: readonly SupervisionHead[], layout: 'NHWC' | 'NCHW'): HeadTargets[] {
  const [n, out] = batch.weightsShape;
  const classes = layout === 'NHWC' ? batch.yShape[3] : batch.yShape[1];
  const outPixels = out * out;
  const labelAt = layout === 'NHWC' ? (b: number, p: number, c: number) => (b * outPixels + p) * classes + c : (b: number, p: number, c: number) => (b * classes + c) * outPixels + p;
  return heads.map((head, k) => {
    const { scale: s, size, offset } = head;
    if (offset < 0 || offset + size * s > out) {
      throw new ArgumentError(`heads[${k}]`, `must lie inside the ${out} px output window`, `${size} px at scale ${s} from ${offset}`);
    }
    const pixels = size * size;
    const y = new Float32Array(n * pixels * classes);
    const weights = new Float32Array(n * pixels);
    const share = 1 / (s * s);
    const targetAt = layout === 'NHWC' ? (b: number, q: number, c: number) => (b * pixels + q) * classes + c : (b: number, q: number, c: number) => (b * classes + c) * pixels + q;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          const q = i * size + j;
          let weight = 0;
          for (let dy = 0; dy < s; dy++)
            for (let dx = 0; dx < s; dx++) {
              const p = (offset + i * s + dy) * out + (offset + j * s + dx);
              weight += batch.weights[b * outPixels + p]!;
              for (let c = 0; c < classes; c++) y[targetAt(b, q, c)] = y[targetAt(b, q, c)]! + batch.y[labelAt(b, p, c)]! * share;
            }
          weights[b * pixels + q] = weight * share;
        }
    return {
      y,
      weights,
      yShape: layout === 'NHWC' ? [n, size, size, classes] : [n, classes, size, size],
      weightsShape: [n, size, size],
    };
  });
}
