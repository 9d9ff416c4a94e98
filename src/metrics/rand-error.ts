/**
 * The foreground-restricted Rand error of the ISBI 2012 challenge, as
 * `skimage.metrics.adapted_rand_error` defines it.
 */
import { checkAlpha, contingency } from './contingency.js';

/** Result of {@link randError}. */
export interface RandErrorResult {
  /** 1 - the adapted Rand F-score; 0 for a perfect segmentation. */
  readonly error: number;
  /** Pairs joined in both / pairs joined in truth (skimage's "precision"). */
  readonly precision: number;
  /** Pairs joined in both / pairs joined in the prediction (skimage's "recall"). */
  readonly recall: number;
}

/** Options of {@link randError}. */
export interface RandErrorOptions {
  /** True labels whose pixels are left out (the membrane/background). Default `[0]`. */
  readonly ignoreLabels?: readonly number[];
  /** Weight of precision against recall in the F-score. Default 0.5. */
  readonly alpha?: number;
}

/**
 * Adapted Rand error between two instance labelings (each object one label,
 * e.g. from `labelComponents`). Pixels whose true label is in `ignoreLabels`
 * are left out; predicted label 0 is an ordinary segment. With the contingency
 * table p_ij (pixels with true label i and predicted label j), t_i its row
 * sums and s_j its column sums, and pairs counted as n(n - 1):
 * `error = 1 - sum p_ij (p_ij - 1) / (alpha sum t_i (t_i - 1) + (1 - alpha) sum s_j (s_j - 1))`.
 *
 * @param predicted - predicted instance labels.
 * @param truth - true instance labels.
 * @example
 * ```ts
 * const truthCells = labelComponents({ data: truthMask, width, height }).labels;
 * const predictedCells = labelComponents({ data: predictedMask, width, height }).labels;
 * randError(predictedCells, truthCells).error;
 * ```
 */
export function randError(predicted: ArrayLike<number>, truth: ArrayLike<number>, options: RandErrorOptions = {}): RandErrorResult {
  const alpha = checkAlpha(options.alpha);
  const ignore = new Set(options.ignoreLabels ?? [0]);
  const table = contingency(predicted, truth, (t) => !ignore.has(t));
  const pairs = (counts: Iterable<number>) => {
    let sum = 0;
    for (const n of counts) sum += n * (n - 1);
    return sum;
  };
  const both = pairs(table.joint.values());
  const inTruth = pairs(table.truthSizes.values());
  const inPrediction = pairs(table.predictedSizes.values());
  return {
    error: 1 - both / (alpha * inTruth + (1 - alpha) * inPrediction),
    precision: both / inTruth,
    recall: both / inPrediction,
  };
}
