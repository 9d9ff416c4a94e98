/**
 * The contingency table of two labelings, the common ground of the Rand and
 * information scores: how many pixels carry each (true, predicted) label pair.
 */
import { ArgumentError } from '../core/errors.js';

/** Throws unless both label arrays have the same length. */
export function checkPair(predicted: ArrayLike<number>, truth: ArrayLike<number>): void {
  if (predicted.length !== truth.length) {
    throw new ArgumentError('predicted', `must have as many pixels as truth (${truth.length})`, `array of length ${predicted.length}`);
  }
}

/** Throws unless `alpha` is in [0, 1]; returns it (default 0.5). */
export function checkAlpha(alpha: number | undefined): number {
  const a = alpha ?? 0.5;
  if (!(a >= 0 && a <= 1)) throw new ArgumentError('alpha', 'must be between 0 and 1', a);
  return a;
}

/** Pixel counts of label pairs and of each label, over the pixels whose true label is kept. */
export interface Contingency {
  /** Count per (true, predicted) pair, keyed `t * stride + p`. */
  readonly joint: Map<number, number>;
  readonly stride: number;
  /** Pixels per true label, and per predicted label. */
  readonly truthSizes: Map<number, number>;
  readonly predictedSizes: Map<number, number>;
  /** Pixels counted. */
  readonly total: number;
}

/**
 * Counts label pairs over the pixels whose true label `keep` accepts.
 *
 * @throws {@link ArgumentError} for arrays of different lengths or a predicted label that is not a non-negative integer.
 */
export function contingency(predicted: ArrayLike<number>, truth: ArrayLike<number>, keep: (t: number) => boolean): Contingency {
  checkPair(predicted, truth);
  let maxPredicted = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    if (!Number.isInteger(p) || p < 0) throw new ArgumentError(`predicted[${i}]`, 'must be a non-negative integer label', p);
    if (p > maxPredicted) maxPredicted = p;
  }
  const stride = maxPredicted + 1;
  const joint = new Map<number, number>();
  const truthSizes = new Map<number, number>();
  const predictedSizes = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    if (!keep(t)) continue;
    const p = predicted[i]!;
    const key = t * stride + p;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    truthSizes.set(t, (truthSizes.get(t) ?? 0) + 1);
    predictedSizes.set(p, (predictedSizes.get(p) ?? 0) + 1);
    total++;
  }
  return { joint, stride, truthSizes, predictedSizes, total };
}
