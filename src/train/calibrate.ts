/**
 * Calibration on validation data: the decision threshold on the foreground
 * probability, and how objects are formed from the mask (border thinning,
 * splitting, the smallest object kept).
 */
import type { LabelImage } from '../core/image.js';
import { distanceTransform } from '../core/distance.js';
import type { ModelInfo } from '../compile/metadata.js';
import { decideClasses, evaluateSegmentation, type ScoredImage } from '../metrics/report.js';
import { matchInstances } from '../metrics/instances.js';
import { trueSegments } from '../metrics/challenge.js';
import { labelInstances } from '../regions/instances.js';
import type { SplitOptions } from '../regions/watershed.js';
import { thinBorders } from '../regions/thinning.js';

/** Thresholds tried when calibrating: 0.05, 0.10, ..., 0.95. */
export const CALIBRATION_THRESHOLDS: readonly number[] = Object.freeze(Array.from({ length: 19 }, (_, i) => +((i + 1) * 0.05).toFixed(2)));

/**
 * Seed levels tried for splitting touching objects on the probability
 * (`SplitOptions.seedThreshold`): the regions above the level are the objects'
 * cores, the rest of the mask joins them.
 */
export const SEED_THRESHOLDS: readonly number[] = Object.freeze([0.7, 0.8, 0.9, 0.95]);

/** Object sizes (pixels) tried as the smallest object kept. */
export const MIN_SIZE_CANDIDATES: readonly number[] = Object.freeze([0, 10, 25, 50, 100, 200]);

/** What a dataset's images show. */
export const DATA_KINDS = ['tissue', 'objects'] as const;
/**
 * - `'tissue'`: objects fill the image, thin boundaries between them (cells in EM): scored by the
 *   ISBI challenge's Rand error, objects formed by thinning the predicted borders;
 * - `'objects'`: objects on a background (nuclei, cells in fluorescence or H&E): scored by object
 *   matching (panoptic quality, AP) and Dice, objects formed as connected regions.
 */
export type DataKind = (typeof DATA_KINDS)[number];

/** Share of the background within 4 px of the foreground above which labels are tissue ({@link thinBackgroundShare}). */
export const TISSUE_SHARE = 0.8;

/**
 * The kind of data the labels show: `'tissue'` when more than
 * {@link TISSUE_SHARE} of their background is thin boundary, else `'objects'`.
 *
 * @example
 * ```ts
 * dataKind(isbiLabels); // 'tissue'
 * dataKind(nucleiLabels); // 'objects'
 * ```
 */
export function dataKind(labels: readonly LabelImage[]): DataKind {
  return thinBackgroundShare(labels) > TISSUE_SHARE ? 'tissue' : 'objects';
}

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
  /** Mean average precision of the objects at IoU 0.5 and foreground Dice with the chosen settings (absent in records written before they existed). */
  readonly ap50?: number;
  readonly foregroundDice?: number;
  /**
   * With `train`'s `tta: 'calibrate'`: the validation metric with and without
   * test-time augmentation over `count` flips/rotations, and whether it was kept.
   */
  readonly tta?: { readonly count: number; readonly with: number; readonly without: number; readonly kept: boolean };
}

/**
 * Chooses, on validation predictions, the decision threshold and how objects
 * are formed, by the kind of data ({@link dataKind} of the truth unless given):
 * - tissue: the threshold with the lowest mean challenge Rand error over
 *   {@link CALIBRATION_THRESHOLDS} (ties to the lower pixel error), borders thinned;
 * - objects: the threshold and the splitting of touching objects (none, or a
 *   watershed of the probability seeded above one of {@link SEED_THRESHOLDS})
 *   with the highest mean panoptic quality, thresholds 0.1..0.9 then their
 *   neighbours 0.05 apart. The distance transform's watershed is not a
 *   candidate: it over-split the test objects of every object dataset of the
 *   benchmark, even where it won on the held-out images (docs/results.md);
 * then the smallest object kept, from {@link MIN_SIZE_CANDIDATES}, by panoptic quality.
 *
 * @param images - validation probabilities and truth (with the true objects of instance masks).
 * @example
 * ```ts
 * const { info } = calibrate(scoredValidationImages);
 * info.threshold; // e.g. 0.35
 * ```
 */
export function calibrate(images: readonly ScoredImage[], options: { readonly kind?: DataKind } = {}): Calibration {
  const kind = options.kind ?? dataKind(images.map((i) => i.truth));
  const objects = objectScorer(images);
  let threshold: number;
  let split: boolean | SplitOptions = false;
  if (kind === 'tissue') {
    const sweep = evaluateSegmentation(images, { thresholds: CALIBRATION_THRESHOLDS, instances: { thin: false } }).sweep;
    threshold = sweep.reduce((best, row) =>
      row.randError < best.randError - 1e-12 || (Math.abs(row.randError - best.randError) <= 1e-12 && row.pixelError < best.pixelError) ? row : best,
    ).threshold;
  } else {
    let best: { threshold: number; split: boolean | SplitOptions; quality: number } = { threshold: 0.5, split: false, quality: -Infinity };
    const consider = (t: number, s: boolean | SplitOptions) => {
      if (typeof s === 'object' && s.seedThreshold !== undefined && s.seedThreshold <= t) return;
      const quality = objects(t, { thin: false, split: s, minSize: 0 });
      if (quality > best.quality + 1e-12) best = { threshold: t, split: s, quality };
    };
    const splits: readonly (boolean | SplitOptions)[] = [false, ...SEED_THRESHOLDS.map((seedThreshold) => ({ seedThreshold }))];
    for (const t of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) for (const s of splits) consider(t, s);
    const coarse = best.threshold;
    for (const t of [coarse - 0.05, coarse + 0.05]) consider(+t.toFixed(2), best.split);
    threshold = best.threshold;
    split = best.split;
  }
  const thin = kind === 'tissue';
  if (kind === 'tissue') split = false;
  let best = { minSize: 0, panopticQuality: -Infinity };
  for (const minSize of MIN_SIZE_CANDIDATES) {
    const pq = objects(threshold, { thin, split, minSize });
    if (pq > best.panopticQuality + 1e-12) best = { minSize, panopticQuality: pq };
  }
  const at = evaluateSegmentation(images, { threshold, thresholds: [threshold], instances: { thin, split, minSize: best.minSize } });
  return {
    info: { threshold, instances: { thin, split, minSize: best.minSize } },
    randError: at.sweep[0]!.randError,
    pixelError: at.sweep[0]!.pixelError,
    panopticQuality: best.panopticQuality,
    ap50: at.mean.ap50,
    foregroundDice: at.mean.foregroundDice,
  };
}

/**
 * Mean panoptic quality of the objects formed from the predictions at a
 * threshold with given settings, against the true objects (the truth's
 * instances, else its connected regions, thinned like the prediction).
 */
function objectScorer(images: readonly ScoredImage[]) {
  const prepared = images.map((image) => {
    const { width, height } = image.truth;
    const classes = image.probabilities.length / (width * height);
    const { foreground } = decideClasses(image.probabilities, classes, 0.5);
    const regions = image.instances === undefined ? trueSegments(image.truth) : Int32Array.from(image.instances.data as ArrayLike<number>);
    return { width, height, foreground, regions };
  });
  const thinned = new Map<number, Int32Array>();
  return (threshold: number, settings: { thin: boolean; split: boolean | SplitOptions; minSize: number }): number => {
    let sum = 0;
    prepared.forEach((p, i) => {
      const predicted = labelInstances(p.foreground, p.width, p.height, { ...settings, threshold });
      let truth = p.regions;
      if (settings.thin) {
        truth = thinned.get(i) ?? thinBorders(p.regions, p.width, p.height);
        thinned.set(i, truth);
      }
      sum += matchInstances(predicted.labels, truth, { threshold: 0.5 }).panopticQuality;
    });
    return sum / prepared.length;
  };
}
