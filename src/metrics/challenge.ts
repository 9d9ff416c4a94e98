/**
 * The ISBI 2012 challenge's segmentation scores (Arganda-Carreras et al.
 * 2015, Front. Neuroanat. 9:142): the foreground-restricted Rand score
 * V_rand and information-theoretic score V_info, computed after thinning the
 * predicted borders, and their best value over probability thresholds.
 */
import { ArgumentError } from '../core/errors.js';
import { checkAlpha, contingency } from './contingency.js';
import type { LabelImage } from '../core/image.js';
import { labelComponents } from '../core/components.js';
import { thinBorders } from '../regions/thinning.js';

/** Scores of one predicted segmentation against the truth (higher is better, 1 is perfect). */
export interface SegmentScores {
  /** Foreground-restricted Rand score, `sum p_ij^2 / (alpha sum s_i^2 + (1 - alpha) sum t_j^2)`. */
  readonly vRand: number;
  /** Rand split score `sum p_ij^2 / sum t_j^2` (1 when no true segment is split). */
  readonly randSplit: number;
  /** Rand merge score `sum p_ij^2 / sum s_i^2` (1 when no predicted segment merges true ones). */
  readonly randMerge: number;
  /** Foreground-restricted information score, `I(S;T) / ((1 - alpha) H(S) + alpha H(T))`. */
  readonly vInfo: number;
  /** Information split score `I(S;T) / H(S)`. */
  readonly infoSplit: number;
  /** Information merge score `I(S;T) / H(T)`. */
  readonly infoMerge: number;
}

/** Options of {@link segmentScores}. */
export interface SegmentScoreOptions {
  /** Weight of merge errors against split errors; 0.5 (default) is the challenge's harmonic mean. */
  readonly alpha?: number;
}

/**
 * Foreground-restricted Rand and information scores of a predicted
 * segmentation S against a true one T. Only pixels where the truth is not 0
 * count (the true boundary is ignored); p_ij is the fraction of those pixels
 * in true segment j and predicted segment i, s_i and t_j its row and column
 * sums. A predicted label 0 marks unassigned pixels, each counted as a
 * segment of its own (as the challenge's code does; after {@link thinBorders}
 * there are none). Every pair of pixels counts, a pixel with itself included
 * (the challenge's N^2 normalisation). With no true foreground the scores are NaN.
 *
 * @param predicted - predicted segment labels (0 = unassigned).
 * @param truth - true segment labels (0 = boundary, ignored).
 * @example
 * ```ts
 * // One true cell split in two halves: V_rand = 0.5 / (0.5 * 0.5 + 0.5 * 1) = 2/3.
 * segmentScores([1, 1, 2, 2], [1, 1, 1, 1]).vRand; // 0.6667
 * ```
 */
export function segmentScores(predicted: ArrayLike<number>, truth: ArrayLike<number>, options: SegmentScoreOptions = {}): SegmentScores {
  const alpha = checkAlpha(options.alpha);
  const table = contingency(predicted, truth, (t) => t !== 0);
  const n = table.total;
  if (n === 0) return { vRand: NaN, randSplit: NaN, randMerge: NaN, vInfo: NaN, infoSplit: NaN, infoMerge: NaN };
  // Predicted label 0: every such pixel is a segment of its own (a singleton).
  const singletons = table.predictedSizes.get(0) ?? 0;
  const fraction = (c: number) => c / n;
  let sumP2 = singletons / (n * n);
  let sumS2 = singletons / (n * n);
  let sumT2 = 0;
  let hS = (singletons / n) * Math.log(n);
  let hT = 0;
  for (const [p, c] of table.predictedSizes) if (p !== 0) (sumS2 += fraction(c) ** 2), (hS -= fraction(c) * Math.log(fraction(c)));
  for (const c of table.truthSizes.values()) (sumT2 += fraction(c) ** 2), (hT -= fraction(c) * Math.log(fraction(c)));
  // I(S;T) = sum p_ij log(p_ij / (s_i t_j)); a singleton in true segment j (p = s = 1/n) adds (1/n) log(1 / t_j).
  let mutual = 0;
  for (const [key, c] of table.joint) {
    const t = Math.floor(key / table.stride);
    const p = key - t * table.stride;
    const tj = fraction(table.truthSizes.get(t)!);
    if (p === 0) {
      mutual += fraction(c) * Math.log(1 / tj);
      continue;
    }
    sumP2 += fraction(c) ** 2;
    mutual += fraction(c) * Math.log(fraction(c) / (fraction(table.predictedSizes.get(p)!) * tj));
  }

  const ratio = (a: number, b: number) => (b <= 0 ? (a <= 0 ? 1 : 0) : a / b);
  return {
    vRand: ratio(sumP2, alpha * sumS2 + (1 - alpha) * sumT2),
    randSplit: ratio(sumP2, sumT2),
    randMerge: ratio(sumP2, sumS2),
    vInfo: ratio(mutual, (1 - alpha) * hS + alpha * hT),
    infoSplit: ratio(mutual, hS),
    infoMerge: ratio(mutual, hT),
  };
}

/** Options of {@link challengeScores}. */
export interface ChallengeOptions extends SegmentScoreOptions {
  /** A pixel is foreground (cell) when its probability is above this. Default 0.5. */
  readonly threshold?: number;
  /** Thin the predicted borders before scoring (the challenge's protocol). Default true. */
  readonly thin?: boolean;
}

/**
 * The true segments of a class-index image: 4-connected regions of its
 * foreground (every class but 0), the background labelled 0.
 *
 * @example
 * ```ts
 * trueSegments({ data: [1, 0, 1, 1], width: 4, height: 1 }); // Int32Array [1, 0, 2, 2]
 * ```
 */
export function trueSegments(truth: LabelImage): Int32Array {
  const foreground = Uint8Array.from(truth.data as ArrayLike<number>, (v) => (v === 0 ? 0 : 1));
  return labelComponents({ data: foreground, width: truth.width, height: truth.height }, { connectivity: 4 }).labels;
}

/**
 * Predicted segments of a foreground probability map, as the challenge forms
 * them: 4-connected regions of the pixels above `threshold`, then (by
 * default) borders thinned with {@link thinBorders}.
 *
 * @example
 * ```ts
 * predictedSegments(cellProbability, 512, 512, { threshold: 0.4 });
 * ```
 */
export function predictedSegments(probability: ArrayLike<number>, width: number, height: number, options: Pick<ChallengeOptions, 'threshold' | 'thin'> = {}): Int32Array {
  const threshold = options.threshold ?? 0.5;
  const mask = new Uint8Array(probability.length);
  for (let i = 0; i < mask.length; i++) mask[i] = probability[i]! > threshold ? 1 : 0;
  const { labels } = labelComponents({ data: mask, width, height }, { connectivity: 4 });
  return options.thin === false ? labels : thinBorders(labels, width, height);
}

/**
 * The challenge's scores of a foreground probability map against a
 * class-index truth at one threshold: predicted segments are the 4-connected
 * regions above the threshold with their borders thinned, true segments the
 * 4-connected regions of the true foreground, whose background is ignored.
 *
 * @param probability - foreground (cell) probability per pixel, row-major like `truth`.
 * @param truth - class indices, 0 = background (membrane).
 * @example
 * ```ts
 * const { vRand, vInfo } = challengeScores(cellProbability, { data: truthMask, width: 512, height: 512 }, { threshold: 0.5 });
 * const randError = 1 - vRand;
 * ```
 */
export function challengeScores(probability: ArrayLike<number>, truth: LabelImage, options: ChallengeOptions = {}): SegmentScores {
  if (probability.length !== truth.data.length) {
    throw new ArgumentError('probability', `must have one value per truth pixel (${truth.data.length})`, `array of length ${probability.length}`);
  }
  const predicted = predictedSegments(probability, truth.width, truth.height, options);
  return segmentScores(predicted, trueSegments(truth), options);
}
