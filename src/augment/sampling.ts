/**
 * Resampling of image arrays at arbitrary source coordinates: nearest,
 * bilinear, or Keys cubic convolution (a = -0.5), with scipy-style boundary
 * modes. One coordinate map can drive several inputs, so an image, its
 * labels and its weights move together.
 */
import { ArgumentError } from '../core/errors.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { BOUNDARIES, boundaryIndex, type Boundary } from '../core/boundary.js';

/** Interpolation orders. */
export const ORDERS = ['nearest', 'linear', 'cubic'] as const;
/** `'nearest'` for labels, `'linear'` for weight maps, `'cubic'` for images. */
export type Order = (typeof ORDERS)[number];

/** Options of {@link resample}. */
export interface SampleOptions {
  readonly order?: Order;
  readonly boundary?: Boundary;
  /** Fill value for `'constant'`. Default 0. */
  readonly cval?: number;
}

/** An image being sampled: its values, size, channel count and boundary rule. */
interface Source {
  readonly input: ArrayLike<number>;
  readonly w: number;
  readonly h: number;
  readonly channels: number;
  readonly boundary: Boundary;
  readonly cval: number;
}

/** A sampler: the value of channel `c` at (sy, sx). */
type Sampler = (s: Source, c: number, sy: number, sx: number) => number;

/** The value at integer (row, col), outside the image by the boundary rule. */
function valueAt(s: Source, row: number, col: number, c: number): number {
  const r = boundaryIndex(row, s.h, s.boundary);
  const k = boundaryIndex(col, s.w, s.boundary);
  return r < 0 || k < 0 ? s.cval : s.input[(r * s.w + k) * s.channels + c]!;
}

/** Nearest-neighbour sample at (sy, sx) of channel c (ties round up). */
const nearestAt: Sampler = (s, c, sy, sx) => {
  const { input, w, h, channels } = s;
  const row = Math.floor(sy + 0.5);
  const col = Math.floor(sx + 0.5);
  if (row < 0 || row >= h || col < 0 || col >= w) return valueAt(s, row, col, c);
  return input[(row * w + col) * channels + c]!;
};

/** Bilinear sample at (sy, sx) of channel c. */
const linearAt: Sampler = (s, c, sy, sx) => {
  const { input, w, h, channels } = s;
  const y0 = Math.floor(sy);
  const x0 = Math.floor(sx);
  const fy = sy - y0;
  const fx = sx - x0;
  if (y0 >= 0 && y0 + 1 < h && x0 >= 0 && x0 + 1 < w) {
    const p = (y0 * w + x0) * channels + c;
    const q = p + w * channels;
    return (1 - fy) * ((1 - fx) * input[p]! + fx * input[p + channels]!) + fy * ((1 - fx) * input[q]! + fx * input[q + channels]!);
  }
  const at = (row: number, col: number) => valueAt(s, row, col, c);
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
};

/**
 * Keys cubic convolution (a = -0.5) at (sy, sx) of channel c, with the four
 * tap weights per axis in closed form (exactly 0, 1, 0, 0 at integer positions).
 */
const cubicAt: Sampler = (s, c, sy, sx) => {
  const { input, w, h, channels } = s;
  const y0 = Math.floor(sy);
  const x0 = Math.floor(sx);
  const fy = sy - y0;
  const fx = sx - x0;
  const fy2 = fy * fy;
  const fy3 = fy2 * fy;
  const fx2 = fx * fx;
  const fx3 = fx2 * fx;
  const wy0 = 0.5 * (-fy3 + 2 * fy2 - fy);
  const wy1 = 0.5 * (3 * fy3 - 5 * fy2 + 2);
  const wy2 = 0.5 * (-3 * fy3 + 4 * fy2 + fy);
  const wy3 = 0.5 * (fy3 - fy2);
  const wx0 = 0.5 * (-fx3 + 2 * fx2 - fx);
  const wx1 = 0.5 * (3 * fx3 - 5 * fx2 + 2);
  const wx2 = 0.5 * (-3 * fx3 + 4 * fx2 + fx);
  const wx3 = 0.5 * (fx3 - fx2);
  if (y0 >= 1 && y0 + 2 < h && x0 >= 1 && x0 + 2 < w) {
    // Interior: no boundary handling.
    const stride = w * channels;
    const c2 = 2 * channels;
    const c3 = 3 * channels;
    const p0 = ((y0 - 1) * w + (x0 - 1)) * channels + c;
    const p1 = p0 + stride;
    const p2 = p1 + stride;
    const p3 = p2 + stride;
    return (
      wy0 * (wx0 * input[p0]! + wx1 * input[p0 + channels]! + wx2 * input[p0 + c2]! + wx3 * input[p0 + c3]!) +
      wy1 * (wx0 * input[p1]! + wx1 * input[p1 + channels]! + wx2 * input[p1 + c2]! + wx3 * input[p1 + c3]!) +
      wy2 * (wx0 * input[p2]! + wx1 * input[p2 + channels]! + wx2 * input[p2 + c2]! + wx3 * input[p2 + c3]!) +
      wy3 * (wx0 * input[p3]! + wx1 * input[p3 + channels]! + wx2 * input[p3 + c2]! + wx3 * input[p3 + c3]!)
    );
  }
  const wys = [wy0, wy1, wy2, wy3];
  const wxs = [wx0, wx1, wx2, wx3];
  let v = 0;
  for (let a = 0; a < 4; a++) {
    let line = 0;
    for (let b = 0; b < 4; b++) line += wxs[b]! * valueAt(s, y0 - 1 + a, x0 - 1 + b, c);
    v += wys[a]! * line;
  }
  return v;
};

/**
 * The Keys (1981) cubic convolution kernel; a = -0.5 reproduces quadratics.
 *
 * @example
 * ```ts
 * keys(0); // 1
 * keys(1); // 0
 * keys(0.5); // 0.5625
 * ```
 */
export function keys(t: number, a = -0.5): number {
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}


const INTEGER_RANGES = new Map<Function, [number, number]>([
  [Uint8Array, [0, 255]],
  [Uint8ClampedArray, [0, 255]],
  [Int8Array, [-128, 127]],
  [Uint16Array, [0, 65535]],
  [Int16Array, [-32768, 32767]],
  [Uint32Array, [0, 4294967295]],
  [Int32Array, [-2147483648, 2147483647]],
]);

/**
 * Samples `image` at the source coordinates of every output pixel: output
 * pixel k takes the value at `(sourceY[k], sourceX[k])`. Integer arrays get
 * rounded, clamped values; float arrays keep the interpolated value.
 *
 * @param image - the input.
 * @param sourceY - source row coordinate per output pixel.
 * @param sourceX - source column coordinate per output pixel.
 * @param width - output width (`sourceY.length / width` rows).
 * @param options - order (default `'cubic'`), boundary (default `'mirror'`), cval.
 * @returns a new image array of the same type and channel count.
 * @example
 * ```ts
 * // shift right by 3 px: output (y, x) reads input (y, x - 3)
 * const ys = Float64Array.from({ length: h * w }, (_, k) => Math.floor(k / w));
 * const xs = Float64Array.from({ length: h * w }, (_, k) => (k % w) - 3);
 * const shifted = resample(image, ys, xs, w, { order: 'nearest' });
 * ```
 */
export function resample<T extends TypedArray>(
  image: ImageArray<T>,
  sourceY: ArrayLike<number>,
  sourceX: ArrayLike<number>,
  width: number,
  options: SampleOptions = {},
): ImageArray<T> {
  const channels = checkImageArray('image', image);
  const order = options.order ?? 'cubic';
  const boundary = options.boundary ?? 'mirror';
  const cval = options.cval ?? 0;
  if (!ORDERS.includes(order)) throw new ArgumentError('order', `must be one of ${ORDERS.map((o) => `'${o}'`).join(', ')}`, order);
  if (!BOUNDARIES.includes(boundary)) throw new ArgumentError('boundary', `must be one of ${BOUNDARIES.map((b) => `'${b}'`).join(', ')}`, boundary);
  const n = sourceY.length;
  if (sourceX.length !== n || n % width !== 0) {
    throw new ArgumentError('sourceX', `must have the length of sourceY (${n}), a multiple of width ${width}`, `array of length ${sourceX.length}`);
  }
  const { data: input, width: w, height: h } = image;
  const Ctor = input.constructor as new (length: number) => T;
  const out = new Ctor(n * channels);
  const range = INTEGER_RANGES.get(input.constructor);
  // Floats are stored as computed; integers rounded and clamped to their type.
  const lo = range?.[0] ?? -Infinity;
  const hi = range?.[1] ?? Infinity;
  const round = range !== undefined;
  const sample = order === 'nearest' ? nearestAt : order === 'linear' ? linearAt : cubicAt;
  const source: Source = { input, w, h, channels, boundary, cval };
  for (let k = 0; k < n; k++) {
    const sy = sourceY[k]!;
    const sx = sourceX[k]!;
    for (let c = 0; c < channels; c++) {
      const v = sample(source, c, sy, sx);
      out[k * channels + c] = round ? Math.min(hi, Math.max(lo, Math.round(v))) : v;
    }
  }
  return { data: out, width, height: n / width, channels };
}
