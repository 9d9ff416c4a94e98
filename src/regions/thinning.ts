/**
 * Border thinning, the step the ISBI 2012 challenge applies to a predicted
 * segmentation before scoring it: every boundary pixel (label 0) is taken
 * over by a neighbouring region, one layer at a time, until none is left.
 */
import { ArgumentError } from '../core/errors.js';

/**
 * Grows the labelled regions of `labels` over the unlabelled (0) pixels until
 * none is left. Growth runs in layers, as in the challenge's reference
 * script (a 3x3 maximum filter applied to the zero pixels until they are
 * gone): in each layer every zero pixel that touches a region (8-neighbours)
 * takes the largest label among its neighbours labelled before that layer.
 * The result is deterministic and each former boundary pixel belongs to a
 * nearest region in the chessboard distance. An image without any region is
 * returned as one region (label 1): it has nothing to grow from.
 *
 * @param labels - region labels (0 = boundary), row-major `width x height`.
 * @returns a new array in which every pixel has a label > 0.
 * @throws {@link ArgumentError} when the sizes do not match or labels are negative.
 * @example
 * ```ts
 * // Two cells separated by a boundary column:
 * thinBorders(Int32Array.from([1, 0, 2, 1, 0, 2]), 3, 2); // [1, 2, 2, 1, 2, 2]
 * ```
 */
export function thinBorders(labels: ArrayLike<number>, width: number, height: number): Int32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || labels.length !== width * height) {
    throw new ArgumentError('labels', `must hold width * height = ${width * height} values`, `array of length ${labels.length}`);
  }
  const n = width * height;
  const out = new Int32Array(n);
  // The current layer's frontier: zero pixels next to a labelled pixel.
  let frontier: number[] = [];
  const queued = new Uint8Array(n);
  let remaining = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i]!;
    if (!(v >= 0) || !Number.isInteger(v)) throw new ArgumentError(`labels[${i}]`, 'must be a non-negative integer', v);
    out[i] = v;
    if (v === 0) remaining++;
  }
  if (remaining === n) return out.fill(1);
  const enqueueZeroNeighbours = (i: number, into: number[]) => {
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= width || (dx === 0 && dy === 0)) continue;
        const j = yy * width + xx;
        if (out[j] === 0 && queued[j] === 0) {
          queued[j] = 1;
          into.push(j);
        }
      }
    }
  };
  for (let i = 0; i < n; i++) if (out[i] !== 0) enqueueZeroNeighbours(i, frontier);
  while (frontier.length > 0) {
    // Decide the whole layer from the labels before it, then write it.
    const values = frontier.map((i) => {
      const x = i % width;
      const y = (i - x) / width;
      let best = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
          const v = out[yy * width + xx]!;
          if (v > best) best = v;
        }
      }
      return best;
    });
    frontier.forEach((i, k) => (out[i] = values[k]!));
    const next: number[] = [];
    for (const i of frontier) enqueueZeroNeighbours(i, next);
    frontier = next;
  }
  return out;
}
