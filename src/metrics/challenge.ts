/**
 * The ISBI 2012 challenge's segmentation scores (Arganda-Carreras et al.
 * 2015, Front. Neuroanat. 9:142): the foreground-restricted Rand score
 * V_rand and information-theoretic score V_info, computed after thinning the
 * predicted borders, and their best value over probability thresholds.
 */
import { ArgumentError } from '../spec/errors.js';
import type { LabelImage } from '../loss/image.js';
import { labelComponents } from '../loss/components.js';
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
  if (predicted.length !== truth.length) {
    throw new ArgumentError('predicted', `must have as many pixels as truth (${truth.length})`, `array of length ${predicted.length}`);
  }
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentError('alpha', 'must be between 0 and 1', alpha);
  let maxPredicted = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    if (!Number.isInteger(p) || p < 0) throw new ArgumentError(`predicted[${i}]`, 'must be a non-negative integer label', p);
    if (p > maxPredicted) maxPredicted = p;
  }
  const joint = new Map<number, number>();
  const rows = new Map<number, number>(); // predicted segment sizes s_i (within the true foreground)
  const columns = new Map<number, number>(); // true segment sizes t_j
  const unassigned = new Map<number, number>(); // per true segment: pixels predicted 0 (singletons)
  let total = 0;
  for (let k = 0; k < truth.length; k++) {
    const t = truth[k]!;
    if (t === 0) continue;
    total++;
    columns.set(t, (columns.get(t) ?? 0) + 1);
    const p = predicted[k]!;
    if (p === 0) {
      unassigned.set(t, (unassigned.get(t) ?? 0) + 1);
      continue;
    }
    rows.set(p, (rows.get(p) ?? 0) + 1);
    const key = t * (maxPredicted + 1) + p;
    joint.set(key, (joint.get(key) ?? 0) + 1);
  }
  if (total === 0) return { vRand: NaN, randSplit: NaN, randMerge: NaN, vInfo: NaN, infoSplit: NaN, infoMerge: NaN };
  let singletons = 0;
  for (const c of unassigned.values()) singletons += c;
  const n = total;
  const squares = (counts: Iterable<number>) => {
    let sum = 0;
    for (const c of counts) sum += (c / n) * (c / n);
    return sum;
  };
  const sumP2 = squares(joint.values()) + singletons / (n * n);
  const sumS2 = squares(rows.values()) + singletons / (n * n);
  const sumT2 = squares(columns.values());

  const entropy = (counts: Iterable<number>) => {
    let h = 0;
    for (const c of counts) h -= (c / n) * Math.log(c / n);
    return h;
  };
  const hS = entropy(rows.values()) + (singletons / n) * Math.log(n);
  const hT = entropy(columns.values());
  // I(S;T) = sum p_ij log(p_ij / (s_i t_j)).
  let mutual = 0;
  for (const [key, c] of joint) {
    const t = Math.floor(key / (maxPredicted + 1));
    const p = key - t * (maxPredicted + 1);
    const pij = c / n;
    mutual += pij * Math.log(pij / ((rows.get(p)! / n) * (columns.get(t)! / n)));
  }
  // A singleton in true segment j: p = 1/n, s = 1/n, so its term is (1/n) log(1 / t_j).
  for (const [t, c] of unassigned) mutual += (c / n) * Math.log(n / columns.get(t)!);

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
