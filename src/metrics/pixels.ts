/**
 * Segmentation metrics on label arrays: pixel error, confusion matrix,
 * intersection over union and Dice, per class and mean.
 */
import { ArgumentError } from '../core/errors.js';
import { checkPair } from './contingency.js';

function checkNonEmptyPair(predicted: ArrayLike<number>, truth: ArrayLike<number>): void {
  checkPair(predicted, truth);
  if (truth.length === 0) throw new ArgumentError('truth', 'must not be empty', 'array of length 0');
}

/**
 * Fraction of pixels whose predicted label differs from the true label.
 *
 * @example
 * ```ts
 * pixelError([0, 1, 1, 0], [0, 1, 0, 0]); // 0.25
 * ```
 */
export function pixelError(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  checkNonEmptyPair(predicted, truth);
  let wrong = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] !== truth[i]) wrong++;
  return wrong / truth.length;
}

/**
 * The confusion matrix `m[t][p]`: pixels of true class t predicted as p.
 *
 * @param classes - number of classes; labels must be integers in `[0, classes)`.
 * @example
 * ```ts
 * confusionMatrix([0, 1, 1], [0, 1, 0], 2); // [[1, 1], [0, 1]]
 * ```
 */
export function confusionMatrix(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number[][] {
  checkNonEmptyPair(predicted, truth);
  if (!Number.isInteger(classes) || classes < 1) throw new ArgumentError('classes', 'must be a positive integer', classes);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new ArgumentError(`truth[${i}]`, `must be a class index in [0, ${classes})`, t);
    if (!Number.isInteger(p) || p < 0 || p >= classes) throw new ArgumentError(`predicted[${i}]`, `must be a class index in [0, ${classes})`, p);
    m[t]![p]!++;
  }
  return m;
}

/** Per-class scores and their mean over the classes present in truth or prediction. */
export interface ClassScores {
  /** Score per class; NaN for a class absent from both truth and prediction. */
  readonly perClass: readonly number[];
  /** Mean over the classes that are not NaN. */
  readonly mean: number;
}

function scores(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number | undefined, score: (tp: number, fp: number, fn: number) => number): ClassScores {
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < truth.length; i++) k = Math.max(k, truth[i]! + 1, (predicted[i] ?? 0) + 1);
  }
  const m = confusionMatrix(predicted, truth, k);
  const perClass = m.map((row, c) => {
    const tp = row[c]!;
    const fn = row.reduce((a, b) => a + b, 0) - tp;
    const fp = m.reduce((a, r) => a + r[c]!, 0) - tp;
    return tp + fp + fn === 0 ? Number.NaN : score(tp, fp, fn);
  });
  const present = perClass.filter((s) => !Number.isNaN(s));
  return { perClass, mean: present.reduce((a, b) => a + b, 0) / present.length };
}

/**
 * Intersection over union (Jaccard) per class, `tp / (tp + fp + fn)`, and its mean.
 *
 * @param classes - number of classes (default: largest label + 1).
 * @example
 * ```ts
 * iou([0, 1, 1, 0], [0, 1, 0, 0]).perClass; // [2/3, 1/2]
 * ```
 */
export function iou(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes?: number): ClassScores {
  return scores(predicted, truth, classes, (tp, fp, fn) => tp / (tp + fp + fn));
}

/**
 * Dice coefficient (F1) per class, `2 tp / (2 tp + fp + fn)`, and its mean.
 *
 * @param classes - number of classes (default: largest label + 1).
 * @example
 * ```ts
 * dice([0, 1, 1, 0], [0, 1, 0, 0]).perClass; // [0.8, 2/3]
 * ```
 */
export function dice(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes?: number): ClassScores {
  return scores(predicted, truth, classes, (tp, fp, fn) => (2 * tp) / (2 * tp + fp + fn));
}
