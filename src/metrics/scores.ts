/**
 * The standard report of a segmentation against its truth: pixel error,
 * mean IoU and Dice, and the foreground-restricted Rand error.
 */
import { labelComponents } from '../core/components.js';
import type { LabelImage } from '../core/image.js';
import { dice, iou, pixelError } from './pixels.js';
import { randError } from './rand-error.js';

/** What {@link segmentationScores} returns. */
export interface SegmentationScores {
  readonly pixelError: number;
  /** Mean IoU over the classes present in truth or prediction. */
  readonly iou: number;
  /** Mean Dice over the classes present in truth or prediction. */
  readonly dice: number;
  /** Adapted Rand error of the objects (connected components of all non-background classes); background ignored. */
  readonly randError: number;
}

/**
 * Objects of a class-index image: connected components of the non-zero classes taken together.
 *
 * @example
 * ```ts
 * foregroundObjects([1, 0, 2, 2], 4, 1); // Int32Array [1, 0, 2, 2]
 * ```
 */
export function foregroundObjects(labels: ArrayLike<number>, width: number, height: number): Int32Array {
  return labelComponents({ data: Int32Array.from(labels, (v) => (v === 0 ? 0 : 1)), width, height }).labels;
}

/**
 * Scores a predicted class-index image against the truth.
 *
 * @example
 * ```ts
 * const { pixelError, randError } = segmentationScores(predicted, truth, 2);
 * ```
 */
export function segmentationScores(predicted: ArrayLike<number>, truth: LabelImage, classes: number): SegmentationScores {
  return {
    pixelError: pixelError(predicted, truth.data),
    iou: iou(predicted, truth.data, classes).mean,
    dice: dice(predicted, truth.data, classes).mean,
    randError: randError(foregroundObjects(predicted, truth.width, truth.height), foregroundObjects(truth.data, truth.width, truth.height)).error,
  };
}
