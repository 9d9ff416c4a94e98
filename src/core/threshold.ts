/**
 * Otsu's global threshold: the no-learning baseline a trained model has to
 * beat.
 */
import { ArgumentError } from './errors.js';

/**
 * Otsu's threshold of `values`: over a histogram of `bins` bins between
 * their minimum and maximum, the bin edge that maximises the variance
 * between the values below and above it (Otsu 1979). Returns the threshold
 * in the values' units; a pixel is above it when `value > threshold`.
 * Constant input gives its value.
 *
 * @throws {@link ArgumentError} for empty input or fewer than 2 bins.
 * @example
 * ```ts
 * otsuThreshold([0.1, 0.12, 0.8, 0.82]); // between 0.12 and 0.8
 * ```
 */
export function otsuThreshold(values: ArrayLike<number>, bins = 256): number {
  if (values.length === 0) throw new ArgumentError('values', 'must hold at least one value', 0);
  if (!Number.isInteger(bins) || bins < 2) throw new ArgumentError('bins', 'must be an integer of at least 2', bins);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) return min;
  const histogram = new Float64Array(bins);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) histogram[Math.min(bins - 1, Math.floor((values[i]! - min) / width))]!++;
  let total = 0;
  let weighted = 0;
  for (let b = 0; b < bins; b++) {
    total += histogram[b]!;
    weighted += b * histogram[b]!;
  }
  let below = 0;
  let belowWeighted = 0;
  let best = -1;
  let cut = 0;
  // Splitting after bin b: class 0 holds bins 0..b, class 1 the rest.
  for (let b = 0; b < bins - 1; b++) {
    below += histogram[b]!;
    belowWeighted += b * histogram[b]!;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const difference = belowWeighted / below - (weighted - belowWeighted) / above;
    const between = below * above * difference * difference;
    if (between > best) {
      best = between;
      cut = b;
    }
  }
  return min + (cut + 1) * width;
}
