/**
 * Calibration on validation data: the decision threshold on the foreground
 * probability, and how objects are formed from the mask (border thinning,
 * splitting, the smallest object kept).
 */
import type { LabelImage } from '../core/image.js';
import { distanceTransform } from '../core/distance.js';
import type { ModelInfo } from '../compile/metadata.js';
import { evaluateSegmentation, type ScoredImage } from '../metrics/report.js';

/** Thresholds tried when calibrating: 0.05, 0.10, ..., 0.95. */
export const CALIBRATION_THRESHOLDS: readonly number[] = Object.freeze(Array.from({ length: 19 }, (_, i) => +((i + 1) * 0.05).toFixed(2)));

/** Object sizes (pixels) tried as the smallest object kept. */
export const MIN_SIZE_CANDIDATES: readonly number[] = Object.freeze([0, 10, 25, 50, 100, 200]);

/**
 * Share of the true background lying within 4 px of the foreground: near 1
 * when thin boundaries separate objects that fill the image (cells in EM),
 * small when objects sit on a background (nuclei).
 *
 * @example
 * ```ts
 * thinBackgroundShare(labels) > 0.8; // a tessellation: thin the predicted borders
 * ```
 */
export function thinBackgroundShare(labels: readonly LabelImage[]): number {
  let background = 0;
  let near = 0;
  for (const label of labels) {
    const foreground = Uint8Array.from(label.data as ArrayLike<number>, (v) => (v === 0 ? 0 : 1));
    const distance = distanceTransform({ data: foreground, width: label.width, height: label.height });
    for (let i = 0; i < foreground.length; i++) {
      if (foreground[i] === 1) continue;
      background++;
      if (distance[i]! <= 4) near++;
    }
  }
  return background === 0 ? 0 : near / background;
}

/** What {@link calibrate} found, with the scores that chose it. */
export interface Calibration {
  /** The model information to store: threshold and instance settings. */
  readonly info: Pick<ModelInfo, 'threshold' | 'instances'>;
  /** Mean challenge Rand error and pixel error at the chosen threshold on the validation images. */
  readonly randError: number;
  readonly pixelError: number;
  /** Mean panoptic quality of the objects with the chosen settings. */
  readonly panopticQuality: number;
  /**
   * With `train`'s `tta: 'calibrate'`: the validation metric with and without
   * test-time augmentation over `count` flips/rotations, and whether it was kept.
   */
  readonly tta?: { readonly count: number; readonly with: number; readonly without: number; readonly kept: boolean };
}

/**
 * Chooses, on validation predictions, the decision threshold (the lowest
 * mean challenge Rand error over {@link CALIBRATION_THRESHOLDS}, ties to the
 * lower pixel error) and the object settings: borders thinned when the true
 * background is thin ({@link thinBackgroundShare} above 0.8), otherwise
 * touching objects split when that raises the panoptic quality; then the
 * smallest object kept from {@link MIN_SIZE_CANDIDATES} by panoptic quality.
 *
 * @param images - validation probabilities and truth.
 * @example
 * ```ts
 * const { info } = calibrate(scoredValidationImages);
 * info.threshold; // e.g. 0.35
 * ```
 */
export function calibrate(images: readonly ScoredImage[]): Calibration {
  const sweep = evaluateSegmentation(images, { thresholds: CALIBRATION_THRESHOLDS, instances: { thin: false } }).sweep;
  const chosen = sweep.reduce((best, row) =>
    row.randError < best.randError - 1e-12 || (Math.abs(row.randError - best.randError) <= 1e-12 && row.pixelError < best.pixelError) ? row : best,
  );
  const threshold = chosen.threshold;
  const thin = thinBackgroundShare(images.map((i) => i.truth)) > 0.8;
  const quality = (instances: { thin: boolean; split: boolean; minSize: number }) =>
    evaluateSegmentation(images, { threshold, thresholds: [threshold], instances }).mean.panopticQuality;
  const split = thin ? false : quality({ thin, split: true, minSize: 0 }) > quality({ thin, split: false, minSize: 0 });
  let best = { minSize: 0, panopticQuality: -Infinity };
  for (const minSize of MIN_SIZE_CANDIDATES) {
    const pq = quality({ thin, split, minSize });
    if (pq > best.panopticQuality + 1e-12) best = { minSize, panopticQuality: pq };
  }
  return {
    info: { threshold, instances: { thin, split, minSize: best.minSize } },
    randError: chosen.randError,
    pixelError: chosen.pixelError,
    panopticQuality: best.panopticQuality,
  };
}
