/**
 * The border weight map of Ronneberger et al. (2015), eq. 2:
 * w(x) = w_c(x) + w0 * exp(-(d1(x) + d2(x))^2 / (2 sigma^2)).
 */
import { ArgumentError } from '../core/errors.js';
import { labelComponents } from '../core/components.js';
import { DistanceScratch, squaredDistanceInto } from '../core/distance.js';
import { checkLabelImage, checkPositive, type LabelImage } from '../core/image.js';

/** What the label image holds. */
export const LABEL_KINDS = ['binary', 'classes', 'instances'] as const;
/**
 * - `'binary'`: non-zero = foreground (0/1 or 0/255 masks); instances are its connected components.
 * - `'classes'`: class indices 0..K-1 with 0 the background; instances are connected components of each class.
 * - `'instances'`: 0 = background, every other value one instance (touching instances stay apart).
 */
export type LabelKind = (typeof LABEL_KINDS)[number];

/** Options of {@link weightMap}. */
export interface WeightMapOptions {
  /** What the labels hold. Default `'binary'`. */
  readonly kind?: LabelKind;
  /** Weight of the border term. Default 10 (the paper's). */
  readonly w0?: number;
  /** Width of the border term in pixels: sigma, not sigma squared. Default 5 (the paper's). */
  readonly sigma?: number;
  /**
   * Class-balancing weights w_c. `'balanced'` (default): `N / (K * n_c)` for a
   * pixel of class c, with N pixels, K classes present and n_c pixels of class
   * c, so w_c averages to 1 over the image. Or explicit weights per class
   * (binary and instances: `[background, foreground]`; classes: one per class index),
   * or `'uniform'` (1 for every class: the border term alone on top of 1).
   */
  readonly classWeights?: 'balanced' | 'uniform' | readonly number[];
  /** Connectivity that defines instances in binary and class masks. Default 4. */
  readonly connectivity?: 4 | 8;
  /**
   * The border term is skipped where it is below `tolerance * w0`, which
   * bounds each instance's distance field to a window around it. Default 1e-6.
   */
  readonly tolerance?: number;
}

interface Instances {
  /** Instance index per pixel, 0 = background. */
  readonly labels: Int32Array;
  readonly count: number;
  /** Class per pixel. */
  readonly classes: Int32Array;
  readonly classCount: number;
}

function instancesOf(image: LabelImage, kind: LabelKind, connectivity: 4 | 8): Instances {
  const { data, width, height } = image;
  const n = width * height;
  const classes = new Int32Array(n);
  let classCount = 2;
  if (kind === 'classes') {
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 65535) {
        throw new ArgumentError('labels.data', "must hold class indices 0..65535 with kind 'classes'", v);
      }
      classes[i] = v;
      if (v > max) max = v;
    }
    classCount = Math.max(2, max + 1);
  } else {
    for (let i = 0; i < n; i++) classes[i] = data[i] !== 0 ? 1 : 0;
  }
  if (kind !== 'instances') {
    const { labels, count } = labelComponents({ data: kind === 'binary' ? classes : data, width, height }, { connectivity });
    return { labels, count, classes, classCount };
  }
  // Instance ids may be sparse: renumber them 1..count.
  const ids = new Map<number, number>();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v === 0) continue;
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size + 1));
    labels[i] = id;
  }
  return { labels, count: ids.size, classes, classCount };
}

function classWeightTable(option: WeightMapOptions['classWeights'], classes: Int32Array, classCount: number): Float64Array {
  const table = new Float64Array(classCount);
  if (option === 'uniform') return table.fill(1);
  if (option === undefined || option === 'balanced') {
    const counts = new Float64Array(classCount);
    for (let i = 0; i < classes.length; i++) counts[classes[i]!]!++;
    const present = counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
    for (let c = 0; c < classCount; c++) table[c] = counts[c]! > 0 ? classes.length / (present * counts[c]!) : 0;
    return table;
  }
  if (!Array.isArray(option) || option.length < classCount) {
    throw new ArgumentError('classWeights', `must be 'balanced', 'uniform' or an array of at least ${classCount} weights (one per class)`, option);
  }
  option.forEach((w, c) => checkPositive(`classWeights[${c}]`, w, 0, true));
  for (let c = 0; c < classCount; c++) table[c] = option[c]!;
  return table;
}

/**
 * Computes the paper's per-pixel loss weights: class balancing plus a border
 * term that is large in thin background gaps between touching instances.
 * d1 and d2 are exact Euclidean distances to the nearest and second-nearest
 * instance. As in the official Freiburg plugin, the border term is added on
 * background pixels only; instance pixels get w_c alone. With fewer than two
 * instances the border term is 0.
 *
 * Each instance's distance field is computed only in a window around it (the
 * term is below `tolerance * w0` once d1 + d2 > sigma * sqrt(2 ln(1/tolerance)),
 * about 5.3 sigma), so the cost grows with the instances' area, not with
 * instances x image size.
 *
 * @param labels - a binary mask, class mask or instance image (see `kind`).
 * @returns the weight of every pixel, row-major.
 * @throws {@link ArgumentError} for malformed labels or options.
 * @example
 * ```ts
 * const weights = weightMap({ data: mask, width: 512, height: 512 }); // w0 = 10, sigma = 5, balanced
 * const plain = weightMap(image, { classWeights: [1, 1] });            // 1 + border term
 * ```
 */
export function weightMap(labels: LabelImage, options: WeightMapOptions = {}): Float32Array {
  const image = checkLabelImage('labels', labels);
  const kind = options.kind ?? 'binary';
  if (!LABEL_KINDS.includes(kind)) throw new ArgumentError('kind', `must be one of ${LABEL_KINDS.map((k) => `'${k}'`).join(', ')}`, kind);
  const w0 = checkPositive('w0', options.w0 ?? 10, 0, true);
  const sigma = checkPositive('sigma', options.sigma ?? 5);
  const tolerance = checkPositive('tolerance', options.tolerance ?? 1e-6);
  if (tolerance >= 1) throw new ArgumentError('tolerance', 'must be below 1', tolerance);
  const connectivity = options.connectivity ?? 4;
  if (connectivity !== 4 && connectivity !== 8) throw new ArgumentError('connectivity', 'must be 4 or 8', connectivity);

  const { width, height } = image;
  const instances = instancesOf(image, kind, connectivity);
  const wc = classWeightTable(options.classWeights, instances.classes, instances.classCount);
  const weights = new Float32Array(width * height);
  for (let i = 0; i < weights.length; i++) weights[i] = wc[instances.classes[i]!]!;
  if (instances.count < 2 || w0 === 0) return weights;

  // The term is below tolerance * w0 once d1 + d2 exceeds `cutoff`. A background pixel is at least
  // 1 px from any instance, so an instance farther than cutoff - 1 never matters.
  const cutoff = sigma * Math.sqrt(2 * Math.log(1 / tolerance));
  const { d1, d2 } = nearestTwoDistances(instances.labels, instances.count, width, height, cutoff - 1);
  const twoSigma2 = 2 * sigma * sigma;
  for (let i = 0; i < weights.length; i++) {
    if (instances.labels[i] !== 0 || d2[i] === Infinity) continue;
    const s = d1[i]! + d2[i]!;
    weights[i] = wc[instances.classes[i]!]! + w0 * Math.exp(-(s * s) / twoSigma2);
  }
  return weights;
}

/**
 * Distances of every background pixel to its nearest and second-nearest
 * instance, each instance's field computed in its bounding box grown by
 * `reach` (distances beyond `reach` are left at Infinity).
 */
function nearestTwoDistances(labels: Int32Array, count: number, width: number, height: number, reach: number) {
  const boxes = new Int32Array(4 * (count + 1)).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const id = labels[y * width + x]!;
      if (id === 0) continue;
      const b = 4 * id;
      if (boxes[b] === -1) {
        boxes[b] = x;
        boxes[b + 1] = y;
        boxes[b + 2] = x;
        boxes[b + 3] = y;
      } else {
        if (x < boxes[b]!) boxes[b] = x;
        if (x > boxes[b + 2]!) boxes[b + 2] = x;
        boxes[b + 3] = y;
      }
    }
  }
  const r = Math.ceil(reach);
  // Squared distances while searching; square roots once at the end.
  const d1 = new Float32Array(width * height).fill(Infinity);
  const d2 = new Float32Array(width * height).fill(Infinity);
  const scratch = new DistanceScratch();
  const nearest = { first: d1, second: d2 };
  for (let id = 1; id <= count; id++) {
    const b = 4 * id;
    const x0 = Math.max(0, boxes[b]! - r);
    const y0 = Math.max(0, boxes[b + 1]! - r);
    const w = Math.min(width - 1, boxes[b + 2]! + r) - x0 + 1;
    const h = Math.min(height - 1, boxes[b + 3]! + r) - y0 + 1;
    squaredDistanceInto({ labels, stride: width, x0, y0, width: w, height: h, id, maxDistance: reach }, scratch, nearest);
  }
  for (let i = 0; i < d1.length; i++) {
    d1[i] = Math.sqrt(d1[i]!);
    d2[i] = Math.sqrt(d2[i]!);
  }
  return { d1, d2 };
}
