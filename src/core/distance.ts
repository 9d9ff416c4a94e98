/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012):
 * a linear-time column pass, then the lower envelope of parabolas per row.
 */
import { checkLabelImage, type LabelImage } from './image.js';

/** Reusable buffers for {@link squaredDistanceInto}, sized for the largest window seen. */
export class DistanceScratch {
  private size = 0;
  /** Squared row distances, then the result. */
  rows = new Float64Array(0);
  /** One column's values. */
  column = new Float64Array(0);
  /** Parabola vertices of the lower envelope. */
  vertices = new Int32Array(0);
  /** Boundaries between envelope parabolas. */
  bounds = new Float64Array(0);
  /** Last feature row seen per column. */
  last = new Float64Array(0);

  /** Grows the buffers to hold a `width` x `height` window. */
  ensure(width: number, height: number): void {
    const n = width * height;
    if (n > this.size) {
      this.size = n;
      this.rows = new Float64Array(n);
    }
    const line = Math.max(width, height) + 1;
    if (this.column.length < line) {
      this.column = new Float64Array(line);
      this.vertices = new Int32Array(line);
      this.bounds = new Float64Array(line + 1);
      this.last = new Float64Array(line);
    }
  }
}

/** A window of a label image: the features are the pixels equal to `id`. */
export interface FeatureWindow {
  /** Distances above this may be reported as Infinity (saves work); default Infinity. */
  readonly maxDistance?: number;
  /** Label per pixel of the whole image, row-major. */
  readonly labels: Int32Array;
  /** Width of the whole image. */
  readonly stride: number;
  /** Window origin and size. */
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
  /** The label whose pixels are the features. */
  readonly id: number;
}

/** Whole-image running minima that {@link squaredDistanceInto} can fold its distances into. */
export interface NearestTwo {
  /** Smallest squared distance seen per image pixel. */
  readonly first: Float32Array;
  /** Second smallest squared distance seen per image pixel. */
  readonly second: Float32Array;
}

/**
 * Squared Euclidean distance from every pixel of a window to the nearest
 * feature pixel inside the window (Infinity where the window has no
 * feature). Exact. Written to `scratch.rows` (window row-major), or, when
 * `nearest` is given, folded into its per-image running minima instead
 * (distances above `maxDistance` are skipped there).
 */
export function squaredDistanceInto(window: FeatureWindow, scratch: DistanceScratch, nearest?: NearestTwo): Float64Array {
  const { labels, stride, x0, y0, width, height, id } = window;
  const cap = window.maxDistance ?? Infinity;
  const cap2 = cap * cap;
  scratch.ensure(width, height);
  const out = scratch.rows;
  // Column pass, scanned row by row so memory is read in order: distance to
  // the nearest feature in the same column (Infinity when none).
  const last = scratch.last;
  last.fill(-Infinity, 0, width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const src = (y0 + y) * stride + x0;
    for (let x = 0; x < width; x++) {
      if (labels[src + x] === id) last[x] = y;
      out[row + x] = y - last[x]!;
    }
  }
  last.fill(Infinity, 0, width);
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    const src = (y0 + y) * stride + x0;
    for (let x = 0; x < width; x++) {
      if (labels[src + x] === id) last[x] = y;
      const d = Math.min(out[row + x]!, last[x]! - y);
      out[row + x] = d <= cap ? d * d : Infinity;
    }
  }
  // Row pass (contiguous): lower envelope of parabolas f(q) + (p - q)^2.
  const f = scratch.column;
  const v = scratch.vertices;
  const z = scratch.bounds;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let k = -1;
    for (let q = 0; q < width; q++) {
      const fq = out[row + q]!;
      f[q] = fq;
      if (fq === Infinity) continue;
      let s = 0;
      while (k >= 0) {
        const p = v[k]!;
        s = (fq + q * q - (f[p]! + p * p)) / (2 * (q - p));
        if (s > z[k]!) break;
        k--;
      }
      k++;
      v[k] = q;
      z[k] = k === 0 ? -Infinity : s;
      z[k + 1] = Infinity;
    }
    if (k < 0) continue; // no feature reaches this row: it stays Infinity
    let j = 0;
    if (nearest === undefined) {
      for (let q = 0; q < width; q++) {
        while (z[j + 1]! < q) j++;
        const p = v[j]!;
        out[row + q] = (q - p) * (q - p) + f[p]!;
      }
      continue;
    }
    // Fold each distance straight into the running nearest / second-nearest.
    const { first, second } = nearest;
    const dst = (y0 + y) * stride + x0;
    // v[0] and v[k] are the first and last finite columns: pixels farther than `cap` from both are out of reach.
    const qEnd = Math.min(width - 1, Math.floor(v[k]! + cap));
    for (let q = Math.max(0, Math.ceil(v[0]! - cap)); q <= qEnd; q++) {
      while (z[j + 1]! < q) j++;
      const p = v[j]!;
      const d = (q - p) * (q - p) + f[p]!;
      if (d > cap2) continue;
      const i = dst + q;
      if (d < first[i]!) {
        second[i] = first[i]!;
        first[i] = d;
      } else if (d < second[i]!) second[i] = d;
    }
  }
  return out;
}

/** Options of {@link distanceTransform}. */
export interface DistanceOptions {
  /** Return squared distances (exact integers) instead of distances. Default false. */
  readonly squared?: boolean;
}

/**
 * Exact Euclidean distance from every pixel to the nearest non-zero pixel
 * (0 on non-zero pixels, `Infinity` everywhere when there is none). Note the
 * direction: scipy's `distance_transform_edt(mask)` measures to the nearest
 * *zero*; pass the inverted mask to get the same result.
 *
 * @param image - pixels; non-zero pixels are the features.
 * @returns distances, row-major.
 * @example
 * ```ts
 * // distance of every pixel to the nearest cell pixel
 * const d = distanceTransform({ data: cellMask, width, height });
 * ```
 */
export function distanceTransform(image: LabelImage, options: DistanceOptions = {}): Float32Array {
  const { data, width, height } = checkLabelImage('image', image);
  const features = new Int32Array(width * height);
  for (let i = 0; i < features.length; i++) features[i] = data[i] !== 0 ? 1 : 0;
  const window = { labels: features, stride: width, x0: 0, y0: 0, width, height, id: 1 };
  const squared = squaredDistanceInto(window, new DistanceScratch());
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = options.squared === true ? squared[i]! : Math.sqrt(squared[i]!);
  return out;
}
