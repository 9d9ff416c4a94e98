/**
 * Instance metrics as StarDist and Cellpose report them: true and predicted
 * objects matched one-to-one at an IoU threshold, average precision
 * `TP / (TP + FP + FN)` and panoptic quality.
 */
import { ArgumentError } from '../core/errors.js';
import { checkPair } from './contingency.js';

/** The outcome of matching predicted objects to true ones at one IoU threshold. */
export interface InstanceMatch {
  /** The IoU a pair needs to match. */
  readonly threshold: number;
  /** Matched pairs. */
  readonly tp: number;
  /** Predicted objects without a match. */
  readonly fp: number;
  /** True objects without a match. */
  readonly fn: number;
  /** `tp / (tp + fp)`; 1 when nothing was predicted and nothing was there. */
  readonly precision: number;
  /** `tp / (tp + fn)`. */
  readonly recall: number;
  /** `2 tp / (2 tp + fp + fn)`. */
  readonly f1: number;
  /** Average precision in the StarDist/Cellpose sense: `tp / (tp + fp + fn)`. */
  readonly averagePrecision: number;
  /** Mean IoU of the matched pairs (segmentation quality); NaN without matches. */
  readonly meanMatchedIoU: number;
  /** Panoptic quality `sum of matched IoUs / (tp + fp / 2 + fn / 2)`. */
  readonly panopticQuality: number;
  /** Predicted and true object counts. */
  readonly predictedCount: number;
  readonly trueCount: number;
}

/** Options of {@link matchInstances}. */
export interface MatchOptions {
  /** IoU a pair needs to match, in (0, 1]. Default 0.5. */
  readonly threshold?: number;
}

/** Overlapping (true, predicted) pairs with their IoU, and the object counts. */
interface Overlaps {
  readonly pairs: { readonly t: number; readonly p: number; readonly iou: number }[];
  readonly trueIds: number[];
  readonly predictedIds: number[];
}

function overlaps(predicted: ArrayLike<number>, truth: ArrayLike<number>): Overlaps {
  checkPair(predicted, truth);
  const truthArea = new Map<number, number>();
  const predictedArea = new Map<number, number>();
  const joint = new Map<number, number>();
  let maxPredicted = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i]! > maxPredicted) maxPredicted = predicted[i]!;
  const stride = maxPredicted + 1;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (!Number.isInteger(p) || p < 0) throw new ArgumentError(`predicted[${i}]`, 'must be a non-negative integer object label', p);
    if (!Number.isInteger(t) || t < 0) throw new ArgumentError(`truth[${i}]`, 'must be a non-negative integer object label', t);
    if (t !== 0) truthArea.set(t, (truthArea.get(t) ?? 0) + 1);
    if (p !== 0) predictedArea.set(p, (predictedArea.get(p) ?? 0) + 1);
    if (t !== 0 && p !== 0) {
      const key = t * stride + p;
      joint.set(key, (joint.get(key) ?? 0) + 1);
    }
  }
  const pairs = [...joint].map(([key, both]) => {
    const t = Math.floor(key / stride);
    const p = key - t * stride;
    return { t, p, iou: both / (truthArea.get(t)! + predictedArea.get(p)! - both) };
  });
  return { pairs, trueIds: [...truthArea.keys()], predictedIds: [...predictedArea.keys()] };
}

/** A maximum-cardinality matching of the candidate pairs (Kuhn's augmenting paths). */
function maximumMatching(candidates: readonly { t: number; p: number; iou: number }[]): { t: number; p: number; iou: number }[] {
  const byTruth = new Map<number, { t: number; p: number; iou: number }[]>();
  for (const c of candidates) byTruth.set(c.t, [...(byTruth.get(c.t) ?? []), c]);
  const owner = new Map<number, { t: number; p: number; iou: number }>(); // predicted id -> its matched pair
  const augment = (t: number, seen: Set<number>): boolean => {
    for (const c of byTruth.get(t) ?? []) {
      if (seen.has(c.p)) continue;
      seen.add(c.p);
      const current = owner.get(c.p);
      if (current === undefined || augment(current.t, seen)) {
        owner.set(c.p, c);
        return true;
      }
    }
    return false;
  };
  for (const t of byTruth.keys()) augment(t, new Set());
  return [...owner.values()];
}

/**
 * Matches predicted objects to true objects one-to-one where their IoU is at
 * least `threshold`, and scores the matching. At thresholds above 0.5 a pair
 * is the only candidate for both its objects, so the matching is unique
 * (ties at exactly 0.5 go to the higher IoU); below 0.5 a maximum number of
 * pairs is matched (as StarDist's optimal assignment does). Label 0 is
 * background in both images.
 *
 * @param predicted - predicted object labels (0 = background).
 * @param truth - true object labels (0 = background).
 * @example
 * ```ts
 * const { averagePrecision, panopticQuality } = matchInstances(predictedLabels, trueLabels, { threshold: 0.5 });
 * ```
 */
export function matchInstances(predicted: ArrayLike<number>, truth: ArrayLike<number>, options: MatchOptions = {}): InstanceMatch {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) throw new ArgumentError('threshold', 'must be in (0, 1]', threshold);
  const { pairs, trueIds, predictedIds } = overlaps(predicted, truth);
  const candidates = pairs.filter((pair) => pair.iou >= threshold);
  let matched: { t: number; p: number; iou: number }[];
  if (threshold >= 0.5) {
    matched = [];
    const usedT = new Set<number>();
    const usedP = new Set<number>();
    for (const c of candidates.sort((a, b) => b.iou - a.iou)) {
      if (usedT.has(c.t) || usedP.has(c.p)) continue;
      usedT.add(c.t);
      usedP.add(c.p);
      matched.push(c);
    }
  } else {
    matched = maximumMatching(candidates);
  }
  const tp = matched.length;
  const fp = predictedIds.length - tp;
  const fn = trueIds.length - tp;
  const iouSum = matched.reduce((sum, m) => sum + m.iou, 0);
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    threshold,
    tp,
    fp,
    fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    averagePrecision: ratio(tp, tp + fp + fn),
    meanMatchedIoU: tp === 0 ? NaN : iouSum / tp,
    panopticQuality: tp + fp + fn === 0 ? 1 : iouSum / (tp + fp / 2 + fn / 2),
    predictedCount: predictedIds.length,
    trueCount: trueIds.length,
  };
}
