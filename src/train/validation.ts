/**
 * Validation during training: a held-out share of the data when none is
 * given, whole-image prediction of it, and its scores.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { cropImage, type ImageArray, type TypedArray } from '../core/image.js';
import { predictTiled } from '../infer/predict.js';
import type { TilePredictor } from '../infer/predictor.js';
import type { Normalization } from '../core/normalization.js';
import { evaluateSegmentation, type EvaluationOptions, type EvaluationReport, type ScoredImage } from '../metrics/report.js';

/** Images with their class-index labels. */
export interface LabelledImages {
  readonly images: readonly ImageArray<TypedArray>[];
  readonly labels: readonly ImageArray<TypedArray>[];
  /** The true objects of instance label masks (0 = background, one id per object), one per image. */
  readonly instances?: readonly ImageArray<TypedArray>[];
}

/** Validation metrics a run can select on. */
export const VALIDATION_METRICS = ['randError', 'infoError', 'pixelError', 'iou', 'dice', 'skimageRandError', 'ap50', 'panopticQuality'] as const;
/**
 * - `'randError'`, `'infoError'`: the ISBI 2012 challenge's errors (1 - V_rand, 1 - V_info after border thinning) at the best threshold;
 * - `'pixelError'`: fraction of wrong pixels at the best threshold;
 * - `'iou'`, `'dice'`: mean over classes; `'skimageRandError'`: skimage's adapted Rand error, all at threshold 0.5;
 * - `'ap50'`, `'panopticQuality'`: objects at threshold 0.5.
 */
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

/**
 * Whether a lower value of `metric` is better.
 *
 * @example
 * ```ts
 * lowerIsBetter('randError'); // true
 * ```
 */
export const lowerIsBetter = (metric: ValidationMetric): boolean => metric === 'randError' || metric === 'infoError' || metric === 'pixelError' || metric === 'skimageRandError';

/** Validation scores at a step (means over the validation images). */
export interface ValidationRecord {
  readonly step: number;
  /** Seconds of training when it ran. */
  readonly seconds?: number;
  /** Challenge Rand error at the best threshold. */
  readonly randError: number;
  /** Challenge information error at the best threshold. */
  readonly infoError: number;
  /** Pixel error at the best threshold. */
  readonly pixelError: number;
  /** The threshold that gave the best Rand error. */
  readonly threshold: number;
  readonly iou: number;
  readonly dice: number;
  /** Dice of the foreground at threshold 0.5 (absent in records written before it existed). */
  readonly foregroundDice?: number;
  readonly skimageRandError: number;
  readonly ap50: number;
  readonly panopticQuality: number;
}

/**
 * Splits labelled images into training and validation parts, deterministically.
 * With 5 or more images, `share` of them (at least one) is held out, spread
 * evenly over the list; with fewer, the bottom `share` of every image's rows
 * is held out and the rest trains.
 *
 * @param data - images and labels.
 * @param share - fraction held out, in (0, 0.5]. Default 0.2.
 * @example
 * ```ts
 * const { train: fit, validation } = holdOut({ images, labels }, 0.2);
 * ```
 */
export function holdOut(data: LabelledImages, share = 0.2): { train: LabelledImages; validation: LabelledImages } {
  if (!(share > 0 && share <= 0.5)) throw new ArgumentError('share', 'must be in (0, 0.5]', share);
  const n = data.images.length;
  if (n === 0) throw new ArgumentError('images', 'must hold at least one image', n);
  if (n >= 5) {
    const k = Math.max(1, Math.round(n * share));
    const held = new Set(Array.from({ length: k }, (_, j) => Math.floor(((j + 0.5) * n) / k)));
    const pick = (keep: boolean) => ({
      images: data.images.filter((_, i) => held.has(i) !== keep),
      labels: data.labels.filter((_, i) => held.has(i) !== keep),
      ...(data.instances === undefined ? {} : { instances: data.instances.filter((_, i) => held.has(i) !== keep) }),
    });
    return { train: pick(true), validation: pick(false) };
  }
  const parts = data.images.map((image, i) => {
    const rows = Math.max(1, Math.min(image.height - 1, Math.round(image.height * share)));
    const cut = image.height - rows;
    const objects = data.instances?.[i];
    return {
      train: { image: rowsOf(image, 0, cut), label: rowsOf(data.labels[i]!, 0, cut), objects: objects === undefined ? undefined : rowsOf(objects, 0, cut) },
      validation: { image: rowsOf(image, cut, image.height), label: rowsOf(data.labels[i]!, cut, image.height), objects: objects === undefined ? undefined : rowsOf(objects, cut, image.height) },
    };
  });
  const part = (key: 'train' | 'validation'): LabelledImages => ({
    images: parts.map((p) => p[key].image),
    labels: parts.map((p) => p[key].label),
    ...(data.instances === undefined ? {} : { instances: parts.map((p) => p[key].objects!) }),
  });
  return { train: part('train'), validation: part('validation') };
}

/** Rows `[from, to)` of an image. */
function rowsOf<T extends TypedArray>(image: ImageArray<T>, from: number, to: number): ImageArray<T> {
  return cropImage(image, 0, from, image.width, to - from);
}

/**
 * Predicts every validation image whole (overlap-tile, with the model or any
 * tile predictor, e.g. an ONNX Runtime session of it) and scores it with
 * `evaluateSegmentation`; returns the report and the predictions.
 *
 * @example
 * ```ts
 * const { report } = await validationReport(model, spec, validation, { inputSize: 252 });
 * ```
 */
export async function validationReport(
  model: tf.LayersModel | TilePredictor,
  spec: Spec,
  validation: LabelledImages,
  options: { readonly inputSize?: number; readonly normalization?: Normalization; readonly tta?: boolean | number } & EvaluationOptions = {},
): Promise<{ report: EvaluationReport; scored: ScoredImage[] }> {
  const scored: ScoredImage[] = [];
  for (let i = 0; i < validation.images.length; i++) {
    const { probabilities, labels } = await predictTiled(model, validation.images[i]!, {
      spec,
      tta: options.tta ?? false,
      ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }),
      ...(options.normalization === undefined ? {} : { normalization: options.normalization }),
    });
    const instances = validation.instances?.[i];
    scored.push({ probabilities: await probabilities.data(), truth: validation.labels[i]!, ...(instances === undefined ? {} : { instances }) });
    tf.dispose([probabilities, labels]);
  }
  return { report: evaluateSegmentation(scored, options), scored };
}

/**
 * The record of a validation report at `step`.
 *
 * @example
 * ```ts
 * const record = validationRecord(report, 500, 120); // step 500, 120 s into training
 * ```
 */
export function validationRecord(report: EvaluationReport, step: number, seconds: number): ValidationRecord {
  return {
    step,
    seconds,
    randError: report.best.randError.value,
    infoError: report.best.infoError.value,
    pixelError: report.best.pixelError.value,
    threshold: report.best.randError.threshold,
    iou: report.mean.iou,
    dice: report.mean.dice,
    foregroundDice: report.mean.foregroundDice,
    skimageRandError: report.mean.skimageRandError,
    ap50: report.mean.ap50,
    panopticQuality: report.mean.panopticQuality,
  };
}
