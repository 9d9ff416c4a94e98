/**
 * One evaluation of predicted probabilities against class-index truth, used
 * by `evaluate`, the training loop's validation and the benchmarks: the ISBI
 * 2012 challenge scores swept over thresholds, pixel error at the decision
 * threshold and at the best one, instance metrics, and the pixel metrics.
 */
import { ArgumentError } from '../core/errors.js';
import type { LabelImage } from '../core/image.js';
import { labelInstances, type InstanceOptions } from '../regions/instances.js';
import { thinBorders } from '../regions/thinning.js';
import { challengeScores, trueSegments } from './challenge.js';
import { matchInstances } from './instances.js';
import { dice, iou, pixelError } from './pixels.js';
import { randError } from './rand-error.js';
import { foregroundObjects } from './scores.js';

/** The thresholds the ISBI 2012 evaluation sweeps: 0.1, 0.2, ..., 0.9. */
export const CHALLENGE_THRESHOLDS: readonly number[] = Object.freeze([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);

/** Predicted class probabilities of one image and its truth. */
export interface ScoredImage {
  /** Class probabilities, row-major `[height, width, classes]` (class 0 = background). */
  readonly probabilities: ArrayLike<number>;
  /** True class indices. */
  readonly truth: LabelImage;
  /**
   * The true objects (0 = background, one id per object), from instance label
   * masks. Absent: the 4-connected regions of the truth's foreground.
   */
  readonly instances?: LabelImage;
}

/** Scores of one image (or their mean) at the decision threshold. */
export interface ImageScores {
  /** ISBI 2012 challenge Rand error, 1 - V_rand after border thinning. */
  readonly randError: number;
  /** ISBI 2012 challenge information error, 1 - V_info after border thinning. */
  readonly infoError: number;
  /** Fraction of wrong pixels. */
  readonly pixelError: number;
  /** Mean IoU over the classes. */
  readonly iou: number;
  /** Mean Dice over the classes. */
  readonly dice: number;
  /** Dice of the foreground (every class but 0) against the background: what object segmentation reports as Dice. */
  readonly foregroundDice: number;
  /** Adapted Rand error as `skimage.metrics.adapted_rand_error` computes it (no thinning: boundary pixels inside a cell form one segment). */
  readonly skimageRandError: number;
  /** Average precision `TP / (TP + FP + FN)` of the objects at IoU 0.5 and 0.75. */
  readonly ap50: number;
  readonly ap75: number;
  /** Panoptic quality of the objects (IoU 0.5 matching). */
  readonly panopticQuality: number;
  /** Objects found and objects in the truth. */
  readonly predictedObjects: number;
  readonly trueObjects: number;
}

/** Mean scores over the images at one threshold. */
export interface ThresholdScores {
  readonly threshold: number;
  readonly randError: number;
  readonly infoError: number;
  readonly pixelError: number;
}

/** The best value of a score over the sweep and the threshold that gave it. */
export interface BestScore {
  readonly value: number;
  readonly threshold: number;
}

/** What {@link evaluateSegmentation} returns. */
export interface EvaluationReport {
  /** The decision threshold the per-image scores use. */
  readonly threshold: number;
  /** Scores per image at the decision threshold. */
  readonly images: readonly ImageScores[];
  /** Their mean. */
  readonly mean: ImageScores;
  /** Mean challenge and pixel errors at every swept threshold. */
  readonly sweep: readonly ThresholdScores[];
  /** The lowest mean error over the sweep, one threshold for all images (as the challenge reports). */
  readonly best: { readonly randError: BestScore; readonly infoError: BestScore; readonly pixelError: BestScore };
}

/** Options of {@link evaluateSegmentation}. */
export interface EvaluationOptions {
  /** The decision threshold on the foreground probability (a model's calibrated one). Default 0.5. */
  readonly threshold?: number;
  /** Thresholds to sweep. Default {@link CHALLENGE_THRESHOLDS}. */
  readonly thresholds?: readonly number[];
  /** How objects are formed for the instance metrics (the threshold is the decision threshold). Default `{ thin: true }`. */
  readonly instances?: Omit<InstanceOptions, 'threshold'>;
}

/**
 * Decides classes from class probabilities with a threshold on the
 * foreground: a pixel is foreground when `1 - p(background)` is above
 * `threshold`, and then takes the most probable foreground class. With two
 * classes and threshold 0.5 this is the arg-max.
 *
 * @param probabilities - row-major `[pixels, classes]`.
 * @returns the foreground probability and the decided class per pixel.
 * @example
 * ```ts
 * const { predicted } = decideClasses(probabilities, 2, 0.35);
 * ```
 */
export function decideClasses(probabilities: ArrayLike<number>, classes: number, threshold: number): { foreground: Float32Array; predicted: Int32Array } {
  const n = probabilities.length / classes;
  const foreground = new Float32Array(n);
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * classes;
    foreground[i] = 1 - probabilities[base]!;
    if (foreground[i]! <= threshold) continue;
    let best = 1;
    for (let c = 2; c < classes; c++) if (probabilities[base + c]! > probabilities[base + best]!) best = c;
    predicted[i] = best;
  }
  return { foreground, predicted };
}

/** The mean of every field over the rows (non-finite values left out). */
function meanOf<T extends object>(rows: readonly T[]): T {
  const keys = Object.keys(rows[0]!) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, mean(rows.map((r) => r[key] as number))])) as T;
}

/**
 * Scores predicted probabilities against the truth the ways the field does:
 * - the ISBI 2012 challenge protocol: foreground-restricted V_rand and V_info
 *   (alpha 0.5) after border thinning, reported as errors `1 - V`, at the
 *   decision threshold and at the best of the swept thresholds (one for all
 *   images);
 * - pixel error at the decision threshold and at the best threshold;
 * - instance metrics on the objects {@link labelInstances} forms at the
 *   decision threshold: AP at IoU 0.5 and 0.75, panoptic quality, object
 *   counts (with `thin`, the true objects are grown over their boundary the
 *   same way, so tessellations are compared with tessellations);
 * - mean IoU and Dice over the classes, and skimage's adapted Rand error.
 *
 * @param images - class probabilities and truth per image.
 * @example
 * ```ts
 * const report = evaluateSegmentation([{ probabilities, truth }], { threshold: 0.4 });
 * report.best.randError; // { value: 0.041, threshold: 0.3 }
 * ```
 */
export function evaluateSegmentation(images: readonly ScoredImage[], options: EvaluationOptions = {}): EvaluationReport {
  if (images.length === 0) throw new ArgumentError('images', 'must hold at least one image', images);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold < 1)) throw new ArgumentError('threshold', 'must be in [0, 1)', threshold);
  const thresholds = options.thresholds ?? CHALLENGE_THRESHOLDS;
  const objectOptions = options.instances ?? { thin: true };
  const sweepSums = thresholds.map(() => ({ randError: [] as number[], infoError: [] as number[], pixelError: [] as number[] }));
  const rows: ImageScores[] = images.map((image, index) => {
    const { width, height, data: truth } = image.truth;
    const n = width * height;
    if (image.probabilities.length % n !== 0 || image.probabilities.length === 0) {
      throw new ArgumentError(`images[${index}].probabilities`, `must hold width * height * classes values (width * height = ${n})`, `array of length ${image.probabilities.length}`);
    }
    const classes = image.probabilities.length / n;
    if (classes < 2) throw new ArgumentError(`images[${index}].probabilities`, 'must hold at least 2 classes (background and foreground)', classes);
    const { foreground, predicted } = decideClasses(image.probabilities, classes, threshold);
    thresholds.forEach((t, k) => {
      const s = challengeScores(foreground, image.truth, { threshold: t });
      sweepSums[k]!.randError.push(1 - s.vRand);
      sweepSums[k]!.infoError.push(1 - s.vInfo);
      let wrong = 0;
      for (let i = 0; i < n; i++) if ((foreground[i]! > t ? 1 : 0) !== (truth[i] === 0 ? 0 : 1)) wrong++;
      sweepSums[k]!.pixelError.push(wrong / n);
    });
    const atThreshold = challengeScores(foreground, image.truth, { threshold });
    const objects = labelInstances(foreground, width, height, { ...objectOptions, threshold });
    const segments = image.instances === undefined ? trueSegments(image.truth) : Int32Array.from(checkTruthObjects(image.instances, width, height, index));
    const trueObjects = objectOptions.thin === true ? thinBorders(segments, width, height) : segments;
    const at50 = matchInstances(objects.labels, trueObjects, { threshold: 0.5 });
    const at75 = matchInstances(objects.labels, trueObjects, { threshold: 0.75 });
    return {
      randError: 1 - atThreshold.vRand,
      infoError: 1 - atThreshold.vInfo,
      pixelError: pixelError(predicted, truth),
      iou: iou(predicted, truth, classes).mean,
      dice: dice(predicted, truth, classes).mean,
      foregroundDice: foregroundDice(predicted, image.instances?.data ?? truth),
      skimageRandError: randError(foregroundObjects(predicted, width, height), foregroundObjects(truth, width, height)).error,
      ap50: at50.averagePrecision,
      ap75: at75.averagePrecision,
      panopticQuality: at50.panopticQuality,
      predictedObjects: objects.count,
      trueObjects: at50.trueCount,
    };
  });
  const sweep = thresholds.map((t, k) => {
    const s = sweepSums[k]!;
    return { threshold: t, randError: mean(s.randError), infoError: mean(s.infoError), pixelError: mean(s.pixelError) };
  });
  const bestOf = (key: 'randError' | 'infoError' | 'pixelError'): BestScore =>
    sweep.reduce<BestScore>((best, row) => (row[key] < best.value ? { value: row[key], threshold: row.threshold } : best), { value: Infinity, threshold: NaN });
  return {
    threshold,
    images: rows,
    mean: meanOf(rows),
    sweep,
    best: { randError: bestOf('randError'), infoError: bestOf('infoError'), pixelError: bestOf('pixelError') },
  };
}

/** The true objects of image `index`, checked against its size. */
function checkTruthObjects(instances: LabelImage, width: number, height: number, index: number): ArrayLike<number> {
  if (instances.width !== width || instances.height !== height) {
    throw new ArgumentError(`images[${index}].instances`, `must be ${width}x${height} like the truth`, `${instances.width}x${instances.height}`);
  }
  return instances.data;
}

/** Dice of the non-zero pixels of `predicted` and `truth` (1 when both are empty). */
function foregroundDice(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  let both = 0;
  let p = 0;
  let t = 0;
  for (let i = 0; i < truth.length; i++) {
    const a = predicted[i] !== 0;
    const b = truth[i] !== 0;
    if (a) p++;
    if (b) t++;
    if (a && b) both++;
  }
  return p + t === 0 ? 1 : (2 * both) / (p + t);
}

function mean(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}
