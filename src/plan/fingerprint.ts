/**
 * A dataset fingerprint, as nnU-Net plans from one: image sizes, channels,
 * intensity statistics, class frequencies, object counts and sizes, and how
 * much of the background is thin boundary between objects.
 */
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { labelComponents } from '../core/components.js';
import { intensityPercentiles, unitScale } from '../core/normalization.js';
import { thinBackgroundShare } from '../train/calibrate.js';

/** Minimum, median and maximum of a list of numbers. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** What {@link fingerprint} measures. */
export interface DatasetFingerprint {
  readonly images: number;
  readonly channels: number;
  readonly width: Spread;
  readonly height: Spread;
  /** Pixels over all images. */
  readonly pixels: number;
  /** Per channel on the [0, 1] scale: 0.5 and 99.5 percentiles, mean and standard deviation over all pixels. */
  readonly intensity: { readonly low: readonly number[]; readonly high: readonly number[]; readonly mean: readonly number[]; readonly std: readonly number[] };
  /** Classes (largest label + 1, at least 2) and the share of pixels of each. */
  readonly classes: number;
  readonly classFrequencies: readonly number[];
  /** Objects: 4-connected regions of the foreground (all classes but 0). */
  readonly objects: {
    readonly total: number;
    readonly perImage: Spread;
    /** Object areas in pixels: 10th percentile, median, 90th percentile. */
    readonly area: { readonly p10: number; readonly median: number; readonly p90: number };
    /** Diameter of a disc with the median and the 90th percentile area. */
    readonly diameter: { readonly median: number; readonly p90: number };
  };
  /** Share of the background within 4 px of the foreground: near 1 for thin boundaries between objects (EM cells), low for objects on a background. */
  readonly thinBackgroundShare: number;
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: quantile(sorted, 0.5), max: sorted.at(-1) ?? 0 };
}

/** Quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Per channel on the [0, 1] scale: mean and standard deviation over all pixels, and the pixel count. */
function channelMoments(images: readonly ImageArray<TypedArray>[], channels: number) {
  const sums = new Float64Array(channels);
  const squares = new Float64Array(channels);
  let pixels = 0;
  for (const image of images) {
    const unit = unitScale(image).data;
    for (let i = 0; i < unit.length; i++) {
      const c = i % channels;
      const v = unit[i]!;
      sums[c] = sums[c]! + v;
      squares[c] = squares[c]! + v * v;
    }
    pixels += image.width * image.height;
  }
  const mean = Array.from(sums, (s) => s / pixels);
  const std = Array.from(squares, (q, c) => Math.sqrt(Math.max(0, q / pixels - mean[c]! ** 2)));
  return { mean, std, pixels };
}

/** Classes (largest label + 1, at least 2), pixels per class, and each image's objects (4-connected foreground regions) with their areas. */
function labelCensus(labels: readonly ImageArray<TypedArray>[]) {
  let classes = 2;
  const counts: number[] = [];
  const areas: number[] = [];
  const perImage: number[] = [];
  for (const label of labels) {
    const foreground = new Uint8Array(label.width * label.height);
    for (let i = 0; i < foreground.length; i++) {
      const v = label.data[i]!;
      if (v + 1 > classes) classes = v + 1;
      counts[v] = (counts[v] ?? 0) + 1;
      foreground[i] = v === 0 ? 0 : 1;
    }
    const { labels: objects, count } = labelComponents({ data: foreground, width: label.width, height: label.height });
    const area = new Float64Array(count + 1);
    for (let i = 0; i < objects.length; i++) area[objects[i]!] = area[objects[i]!]! + 1;
    for (let k = 1; k <= count; k++) areas.push(area[k]!);
    perImage.push(count);
  }
  return { classes, counts, areas, perImage };
}

/**
 * Measures a dataset: sizes, channels, intensities, classes, objects.
 *
 * @param images - the training images.
 * @param labels - their class-index labels (0 = background).
 * @throws {@link ArgumentError} for an empty dataset or a labels list of another length.
 * @example
 * ```ts
 * const fp = fingerprint(images, labels);
 * fp.objects.diameter.median; // typical object size in pixels
 * ```
 */
export function fingerprint(images: readonly ImageArray<TypedArray>[], labels: readonly ImageArray<TypedArray>[]): DatasetFingerprint {
  if (images.length === 0) throw new ArgumentError('images', 'must hold at least one image', images.length);
  if (labels.length !== images.length) throw new ArgumentError('labels', `must hold one label image per image (${images.length})`, labels.length);
  const channels = images[0]!.channels ?? 1;
  const { low, high } = intensityPercentiles(images, 0.5, 99.5);
  const { mean, std, pixels } = channelMoments(images, channels);
  const { classes, counts, areas, perImage } = labelCensus(labels);
  const sortedAreas = [...areas].sort((a, b) => a - b);
  const diameter = (area: number) => 2 * Math.sqrt(area / Math.PI);
  return {
    images: images.length,
    channels,
    width: spread(images.map((i) => i.width)),
    height: spread(images.map((i) => i.height)),
    pixels,
    intensity: { low, high, mean, std },
    classes,
    classFrequencies: Array.from({ length: classes }, (_, c) => (counts[c] ?? 0) / pixels),
    objects: {
      total: areas.length,
      perImage: spread(perImage),
      area: { p10: quantile(sortedAreas, 0.1), median: quantile(sortedAreas, 0.5), p90: quantile(sortedAreas, 0.9) },
      diameter: { median: diameter(quantile(sortedAreas, 0.5)), p90: diameter(quantile(sortedAreas, 0.9)) },
    },
    thinBackgroundShare: thinBackgroundShare(labels),
  };
}
