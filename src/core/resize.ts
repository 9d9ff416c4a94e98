/**
 * Resizing image arrays: area averaging to shrink (no aliasing), linear
 * interpolation to enlarge, nearest neighbour for labels.
 */
import { ArgumentError } from './errors.js';
import { checkImageArray, type ImageArray, type TypedArray } from './image.js';

/** How {@link resizeImage} computes a pixel. */
export const RESIZE_MODES = ['area', 'linear', 'nearest'] as const;
/**
 * - `'area'`: the mean of the source pixels the output pixel covers (weighted by the part covered);
 *   for shrinking images. Enlarging falls back to `'linear'`.
 * - `'linear'`: bilinear interpolation between pixel centres (edges clamped).
 * - `'nearest'`: the source pixel under the output pixel's centre; for labels.
 */
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** Per output index along one axis: the source indices and their weights. */
interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

function taps(from: number, to: number, mode: ResizeMode): Taps {
  const scale = from / to;
  const lists: { i: number; w: number }[][] = [];
  for (let o = 0; o < to; o++) {
    if (mode === 'nearest') {
      lists.push([{ i: Math.min(from - 1, Math.floor((o + 0.5) * scale)), w: 1 }]);
    } else if (mode === 'area' && scale > 1) {
      const a = o * scale;
      const b = (o + 1) * scale;
      const list: { i: number; w: number }[] = [];
      for (let i = Math.floor(a); i < Math.min(from, Math.ceil(b)); i++) list.push({ i, w: (Math.min(b, i + 1) - Math.max(a, i)) / scale });
      lists.push(list);
    } else {
      const u = Math.min(from - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const i = Math.floor(u);
      const f = u - i;
      lists.push(f === 0 || i + 1 >= from ? [{ i, w: 1 }] : [{ i, w: 1 - f }, { i: i + 1, w: f }]);
    }
  }
  const total = lists.reduce((n, l) => n + l.length, 0);
  const result = { start: new Int32Array(to), count: new Int32Array(to), index: new Int32Array(total), weight: new Float32Array(total) };
  let k = 0;
  lists.forEach((list, o) => {
    result.start[o] = k;
    result.count[o] = list.length;
    for (const { i, w } of list) {
      result.index[k] = i;
      result.weight[k++] = w;
    }
  });
  return result;
}

/**
 * Resizes an image array to `width` x `height`. `'area'` and `'linear'`
 * return float32 values; `'nearest'` keeps the input's array type (labels
 * stay labels). Channels are kept.
 *
 * @throws {@link ArgumentError} for a malformed image or a size below 1 px.
 * @example
 * ```ts
 * const small = resizeImage(image, 256, 192, 'area');
 * const labels = resizeImage(mask, 256, 192, 'nearest');
 * ```
 */
export function resizeImage<T extends TypedArray>(image: ImageArray<T>, width: number, height: number, mode: 'nearest'): ImageArray<T>;
export function resizeImage(image: ImageArray<TypedArray>, width: number, height: number, mode?: 'area' | 'linear'): ImageArray<Float32Array>;
export function resizeImage(image: ImageArray<TypedArray>, width: number, height: number, mode: ResizeMode = 'area'): ImageArray<TypedArray> {
  const channels = checkImageArray('image', image);
  for (const [name, size] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(size) || size < 1) throw new ArgumentError(name, 'must be a positive integer', size);
  }
  if (!(RESIZE_MODES as readonly string[]).includes(mode)) throw new ArgumentError('mode', `must be one of ${RESIZE_MODES.join(', ')}`, mode);
  const { width: W, height: H, data } = image;
  if (mode === 'nearest') {
    const Ctor = data.constructor as new (n: number) => TypedArray;
    const out = new Ctor(width * height * channels);
    const xs = taps(W, width, 'nearest').index;
    const ys = taps(H, height, 'nearest').index;
    for (let y = 0; y < height; y++) {
      const row = ys[y]! * W;
      for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = data[(row + xs[x]!) * channels + c]!;
    }
    return { data: out, width, height, channels };
  }
  // Separable: rows first (W -> width), then columns (H -> height).
  const tx = taps(W, width, mode);
  const ty = taps(H, height, mode);
  const rows = new Float32Array(H * width * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = tx.start[x]!, end = k + tx.count[x]!; k < end; k++) sum += tx.weight[k]! * data[(y * W + tx.index[k]!) * channels + c]!;
        rows[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let k = ty.start[y]!, end = k + ty.count[y]!; k < end; k++) {
      const w = ty.weight[k]!;
      const src = ty.index[k]! * width * channels;
      const dst = y * width * channels;
      for (let i = 0; i < width * channels; i++) out[dst + i] = out[dst + i]! + w * rows[src + i]!;
    }
  }
  return { data: out, width, height, channels };
}
