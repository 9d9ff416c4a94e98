/**
 * Intensity normalisation: how image values become network inputs. Images
 * are first put on a [0, 1] scale (integers divided by their type's
 * maximum), gray-value augmentation acts there, then a per-channel affine
 * map (per image, or from dataset statistics) gives the network its input.
 * The normalisation travels with the model, so every prediction path applies
 * the one training used.
 */
import { ArgumentError } from './errors.js';
import type { ImageArray, TypedArray } from './image.js';

/**
 * - `'scale'`: integers divided by their type's maximum (255, 65535), floats as they are;
 * - `'zscore'`: per image and channel, subtract the mean and divide by the standard deviation (nnU-Net's default);
 * - `'percentiles'`: clip to dataset percentiles `low`..`high` (per channel, on the [0, 1] scale) and map them to 0..1.
 */
export type Normalization =
  | { readonly kind: 'scale' }
  | { readonly kind: 'zscore' }
  | { readonly kind: 'percentiles'; readonly low: readonly number[]; readonly high: readonly number[] };

/** The kinds of {@link Normalization}. */
export const NORMALIZATION_KINDS = ['scale', 'zscore', 'percentiles'] as const;

/** A per-channel affine map `(clamp(v, lo, hi) - offset) / scale`. */
export interface ChannelAffine {
  readonly offset: Float64Array;
  readonly scale: Float64Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/**
 * Checks a normalisation of untrusted origin (a model file) for `channels` channels.
 *
 * @example
 * ```ts
 * checkNormalization({ kind: 'zscore' }, 1);
 * ```
 */
export function checkNormalization(value: unknown, channels: number, argument = 'normalization'): Normalization {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof value !== 'object' || value === null || !NORMALIZATION_KINDS.includes(kind as Normalization['kind'])) {
    throw new ArgumentError(`${argument}.kind`, `must be one of ${NORMALIZATION_KINDS.map((k) => `'${k}'`).join(', ')}`, kind);
  }
  if (kind === 'percentiles') {
    const { low, high } = value as { low?: unknown; high?: unknown };
    for (const [name, list] of [['low', low], ['high', high]] as const) {
      if (!Array.isArray(list) || list.length !== channels || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new ArgumentError(`${argument}.${name}`, `must be ${channels} finite number(s), one per channel`, list);
      }
    }
    (low as number[]).forEach((lo, c) => {
      if (!((high as number[])[c]! > lo)) throw new ArgumentError(`${argument}.high[${c}]`, `must be greater than low[${c}] = ${lo}`, (high as number[])[c]);
    });
  }
  return value as Normalization;
}

/**
 * An image on the [0, 1] scale as float32 (integers divided by their type's maximum).
 *
 * @example
 * ```ts
 * unitScale({ data: Uint8Array.of(0, 255), width: 2, height: 1 }).data; // Float32Array [0, 1]
 * ```
 */
export function unitScale(image: ImageArray<TypedArray>): ImageArray<Float32Array> {
  const scale = valueScale(image.data);
  return { data: Float32Array.from(image.data as ArrayLike<number>, (v) => v / scale), width: image.width, height: image.height, channels: image.channels ?? 1 };
}

/**
 * The affine map `normalization` gives for an image already on the [0, 1] scale.
 *
 * @example
 * ```ts
 * const affine = channelAffine(unitScale(image), { kind: 'zscore' });
 * ```
 */
export function channelAffine(unit: ImageArray<Float32Array>, normalization: Normalization): ChannelAffine {
  const channels = unit.channels ?? 1;
  const offset = new Float64Array(channels);
  const scale = new Float64Array(channels).fill(1);
  const low = new Float64Array(channels).fill(-Infinity);
  const high = new Float64Array(channels).fill(Infinity);
  if (normalization.kind === 'zscore') {
    return zscoreAffine(addMoments(unit, new Float64Array(channels), new Float64Array(channels)), unit.width * unit.height);
  } else if (normalization.kind === 'percentiles') {
    for (let c = 0; c < channels; c++) {
      low[c] = normalization.low[c]!;
      high[c] = normalization.high[c]!;
      offset[c] = low[c]!;
      scale[c] = high[c]! - low[c]!;
    }
  }
  return { offset, scale, low, high };
}

/**
 * Adds the per-channel sums of the values and of their squares of an image on the [0, 1] scale to
 * `sums` (in raster order, in float64): the statistics of a z-score, gathered over one image or,
 * band after band, over an image too large to hold (the same sums either way).
 *
 * @example
 * ```ts
 * const moments = { sums: new Float64Array(1), squares: new Float64Array(1) };
 * for (const band of bands) addMoments(unitScale(band), moments.sums, moments.squares);
 * const affine = zscoreAffine(moments, width * height);
 * ```
 */
export function addMoments(unit: ImageArray<Float32Array>, sums: Float64Array, squares: Float64Array): { sums: Float64Array; squares: Float64Array } {
  const channels = unit.channels ?? 1;
  for (let c = 0; c < channels; c++) {
    let sum = sums[c]!;
    let square = squares[c]!;
    for (let i = c; i < unit.data.length; i += channels) {
      const v = unit.data[i]!;
      sum += v;
      square += v * v;
    }
    sums[c] = sum;
    squares[c] = square;
  }
  return { sums, squares };
}

/**
 * The z-score's affine map from the moments {@link addMoments} gathered over `n` pixels.
 *
 * @example
 * ```ts
 * const affine = zscoreAffine(addMoments(unit, new Float64Array(1), new Float64Array(1)), unit.width * unit.height);
 * ```
 */
export function zscoreAffine(moments: { readonly sums: Float64Array; readonly squares: Float64Array }, n: number): ChannelAffine {
  const channels = moments.sums.length;
  const offset = new Float64Array(channels);
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const mean = moments.sums[c]! / n;
    offset[c] = mean;
    scale[c] = Math.max(Math.sqrt(Math.max(0, moments.squares[c]! / n - mean * mean)), 1e-8);
  }
  return { offset, scale, low: new Float64Array(channels).fill(-Infinity), high: new Float64Array(channels).fill(Infinity) };
}

/**
 * Applies an affine map in place to channels-last data.
 *
 * @example
 * ```ts
 * applyAffine(tile.data, 1, affine);
 * ```
 */
export function applyAffine(data: Float32Array, channels: number, affine: ChannelAffine): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    const v = Math.min(affine.high[c]!, Math.max(affine.low[c]!, data[i]!));
    data[i] = (v - affine.offset[c]!) / affine.scale[c]!;
  }
  return data;
}

/**
 * An image as the network sees it: on the [0, 1] scale, then normalised.
 *
 * @example
 * ```ts
 * const input = normalizeImage(image, { kind: 'zscore' }); // mean 0, std 1
 * ```
 */
export function normalizeImage(image: ImageArray<TypedArray>, normalization: Normalization = { kind: 'scale' }): ImageArray<Float32Array> {
  const unit = unitScale(image);
  if (normalization.kind === 'scale') return unit;
  applyAffine(unit.data, unit.channels ?? 1, channelAffine(unit, normalization));
  return unit;
}

/**
 * Dataset intensity percentiles per channel on the [0, 1] scale, for a
 * `'percentiles'` normalisation (nnU-Net uses 0.5 and 99.5 of the foreground
 * for CT).
 *
 * @example
 * ```ts
 * const { low, high } = intensityPercentiles(images, 0.5, 99.5);
 * const normalization = { kind: 'percentiles', low, high } as const;
 * ```
 */
export function intensityPercentiles(images: readonly ImageArray<TypedArray>[], lowPercent = 0.5, highPercent = 99.5): { low: number[]; high: number[] } {
  if (images.length === 0) throw new ArgumentError('images', 'must hold at least one image', images);
  if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
    throw new ArgumentError('highPercent', `must be above lowPercent (${lowPercent}) and at most 100`, highPercent);
  }
  const channels = images[0]!.channels ?? 1;
  const low: number[] = [];
  const high: number[] = [];
  // A 4096-bin histogram per channel on the [0, 1] scale: exact to 1/4096.
  const bins = 4096;
  for (let c = 0; c < channels; c++) {
    const histogram = new Float64Array(bins);
    let total = 0;
    for (const image of images) {
      const unit = unitScale(image);
      for (let i = c; i < unit.data.length; i += channels) {
        histogram[Math.min(bins - 1, Math.max(0, Math.floor(unit.data[i]! * bins)))]!++;
        total++;
      }
    }
    const at = (percent: number) => {
      const target = (percent / 100) * total;
      let seen = 0;
      for (let b = 0; b < bins; b++) {
        seen += histogram[b]!;
        if (seen >= target) return (b + 0.5) / bins;
      }
      return 1;
    };
    low.push(at(lowPercent));
    high.push(Math.max(at(highPercent), at(lowPercent) + 1 / bins));
  }
  return { low, high };
}

/**
 * The range one image's values actually span, on its [0, 1] scale: the
 * `lowPercent` and `highPercent` percentiles over all channels (from at most
 * 65536 evenly spaced samples), `high` above `low`. A 16-bit fluorescence
 * image whose values stay below 300 spans [0, 0.005], not [0, 1].
 *
 * @example
 * ```ts
 * imageRange({ data: Uint16Array.from([0, 100, 200, 300]), width: 4, height: 1 }, 0, 100); // { low: 0, high: 300 / 65535 }
 * ```
 */
export function imageRange(image: ImageArray<TypedArray>, lowPercent = 0.5, highPercent = 99.5): { low: number; high: number } {
  const scale = valueScale(image.data);
  const n = image.data.length;
  const stride = Math.max(1, Math.floor(n / 65536));
  const samples = new Float64Array(Math.ceil(n / stride));
  for (let i = 0, k = 0; i < n; i += stride, k++) samples[k] = image.data[i]! / scale;
  samples.sort();
  const at = (percent: number) => samples[Math.min(samples.length - 1, Math.max(0, Math.round((percent / 100) * (samples.length - 1))))]!;
  const low = at(lowPercent);
  const high = at(highPercent);
  return { low, high: high > low ? high : low + 1 / scale };
}

/** The value scale of an array type: 1 for floats, the type's maximum for integers. */
export function valueScale(data: TypedArray): number {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 255;
  if (data instanceof Uint16Array) return 65535;
  if (data instanceof Int16Array) return 32767;
  if (data instanceof Int8Array) return 127;
  if (data instanceof Uint32Array) return 4294967295;
  return 1;
}
