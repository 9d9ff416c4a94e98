/**
 * The pre- and postprocessing steps of bioimage.io model descriptions
 * (format 0.5), applied to one sample held channels-last (`[y, x, channel]`).
 * Statistics (`zero_mean_unit_variance`, `scale_range`, percentile clips) are
 * over the whole sample, as bioimage.io's own runner computes them, never per
 * tile: that is why they run before tiling.
 */
import { ArgumentError } from '../core/errors.js';
import type { ImageArray } from '../core/image.js';
import type { ProcessingStep } from './rdf.js';

/** The step ids this library applies. */
export const PROCESSING_STEPS = [
  'ensure_dtype',
  'zero_mean_unit_variance',
  'fixed_zero_mean_unit_variance',
  'scale_range',
  'scale_linear',
  'clip',
  'sigmoid',
  'softmax',
  'binarize',
] as const;

/** Epsilon of `fixed_zero_mean_unit_variance` (its kwargs have none; bioimage.io's runner adds 1e-6). */
const FIXED_EPS = 1e-6;

/** One sample's values, channels-last `[y, x, channel]`. */
type Sample = ImageArray<Float32Array>;

const DTYPES = ['float32', 'float64', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'bool'];
const INTEGER_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  bool: [0, 1],
};

/** Which of the sample's axes a step reduces over: the space axes, and the channels too when `channel` is named. */
function reduction(kwargs: Readonly<Record<string, unknown>>, where: string): 'joint' | 'per-channel' {
  const axes = kwargs.axes;
  if (axes === undefined || axes === null) return 'joint';
  if (!Array.isArray(axes)) throw new ArgumentError(`${where}.kwargs.axes`, 'must be a list of axis ids', axes);
  const names = axes.map(String);
  if (!(names.includes('x') && names.includes('y'))) throw new ArgumentError(`${where}.kwargs.axes`, "must include both 'x' and 'y' (statistics over part of the image are not supported)", names.join(','));
  return names.includes('channel') ? 'joint' : 'per-channel';
}

/** Per-channel (or one joint) arrays of `[start, end)` channel ranges to reduce over. */
function groups(channels: number, mode: 'joint' | 'per-channel'): number[][] {
  return mode === 'joint' ? [Array.from({ length: channels }, (_, c) => c)] : Array.from({ length: channels }, (_, c) => [c]);
}

function valuesOf(sample: Sample, group: readonly number[]): Float64Array {
  const C = sample.channels ?? 1;
  const n = sample.width * sample.height;
  const out = new Float64Array(n * group.length);
  let k = 0;
  for (let p = 0; p < n; p++) for (const c of group) out[k++] = sample.data[p * C + c]!;
  return out;
}

/** NumPy's default ('linear') percentile of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** A number, or one number per channel along `axis: channel`. */
function perChannel(value: unknown, channels: number, where: string, fallback: number): Float64Array {
  if (value === undefined || value === null) return new Float64Array(channels).fill(fallback);
  if (typeof value === 'number') return new Float64Array(channels).fill(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    if (value.length === 1) return new Float64Array(channels).fill(value[0] as number);
    if (value.length === channels) return Float64Array.from(value as number[]);
  }
  throw new ArgumentError(where, `must be a number or ${channels} numbers (one per channel)`, value);
}

function checkAxisIsChannel(kwargs: Readonly<Record<string, unknown>>, where: string): void {
  if (kwargs.axis !== undefined && kwargs.axis !== 'channel') throw new ArgumentError(`${where}.kwargs.axis`, "must be 'channel' (values along other axes are not supported)", kwargs.axis);
}

function map(sample: Sample, f: (v: number, c: number) => number): Sample {
  const C = sample.channels ?? 1;
  const data = new Float32Array(sample.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(sample.data[i]!, i % C);
  return { ...sample, data };
}

/**
 * Applies one declared step to a sample (channels-last, one image).
 *
 * @param step - the step as the description declares it.
 * @param sample - the tensor's values, `[y, x, channel]`.
 * @param where - where the step sits in the description, for errors (`inputs[0].preprocessing[1]`).
 * @throws {@link ArgumentError} naming `where` for an unsupported step or kwargs.
 * @example
 * ```ts
 * const z = applyStep({ id: 'zero_mean_unit_variance', kwargs: { axes: ['y', 'x'] } }, sample, 'inputs[0].preprocessing[0]');
 * ```
 */
export function applyStep(step: ProcessingStep, sample: ImageArray<Float32Array>, where: string): ImageArray<Float32Array> {
  const kwargs = step.kwargs ?? {};
  const C = sample.channels ?? 1;
  switch (step.id) {
    case 'ensure_dtype': {
      const dtype = String(kwargs.dtype);
      if (!DTYPES.includes(dtype)) throw new ArgumentError(`${where}.kwargs.dtype`, `must be one of ${DTYPES.join(', ')}`, kwargs.dtype);
      const range = INTEGER_RANGE[dtype];
      // Values are computed in float32; an integer type truncates towards zero and saturates at its range.
      return range === undefined ? sample : map(sample, (v) => Math.min(range[1], Math.max(range[0], dtype === 'bool' ? (v !== 0 ? 1 : 0) : Math.trunc(v))));
    }
    case 'zero_mean_unit_variance': {
      const eps = typeof kwargs.eps === 'number' ? kwargs.eps : 1e-6;
      const mean = new Float64Array(C);
      const std = new Float64Array(C);
      for (const group of groups(C, reduction(kwargs, where))) {
        const values = valuesOf(sample, group);
        let sum = 0;
        for (const v of values) sum += v;
        const m = sum / values.length;
        let squares = 0;
        for (const v of values) squares += (v - m) ** 2;
        for (const c of group) {
          mean[c] = m;
          std[c] = Math.sqrt(squares / values.length);
        }
      }
      return map(sample, (v, c) => (v - mean[c]!) / (std[c]! + eps));
    }
    case 'fixed_zero_mean_unit_variance': {
      checkAxisIsChannel(kwargs, where);
      const mean = perChannel(kwargs.mean, C, `${where}.kwargs.mean`, NaN);
      const std = perChannel(kwargs.std, C, `${where}.kwargs.std`, NaN);
      if ([...mean, ...std].some(Number.isNaN)) throw new ArgumentError(`${where}.kwargs`, 'must give mean and std', kwargs);
      return map(sample, (v, c) => (v - mean[c]!) / (std[c]! + FIXED_EPS));
    }
    case 'scale_range': {
      if (kwargs.reference_tensor !== undefined && kwargs.reference_tensor !== null) {
        throw new ArgumentError(`${where}.kwargs.reference_tensor`, 'is not supported (percentiles of the tensor itself only)', kwargs.reference_tensor);
      }
      const lowQ = typeof kwargs.min_percentile === 'number' ? kwargs.min_percentile : 0;
      const highQ = typeof kwargs.max_percentile === 'number' ? kwargs.max_percentile : 100;
      const eps = typeof kwargs.eps === 'number' ? kwargs.eps : 1e-6;
      const low = new Float64Array(C);
      const high = new Float64Array(C);
      for (const group of groups(C, reduction(kwargs, where))) {
        const sorted = valuesOf(sample, group).sort();
        for (const c of group) {
          low[c] = percentile(sorted, lowQ);
          high[c] = percentile(sorted, highQ);
        }
      }
      return map(sample, (v, c) => (v - low[c]!) / (high[c]! - low[c]! + eps));
    }
    case 'scale_linear': {
      checkAxisIsChannel(kwargs, where);
      const gain = perChannel(kwargs.gain, C, `${where}.kwargs.gain`, 1);
      const offset = perChannel(kwargs.offset, C, `${where}.kwargs.offset`, 0);
      return map(sample, (v, c) => v * gain[c]! + offset[c]!);
    }
    case 'clip': {
      let lo = typeof kwargs.min === 'number' ? kwargs.min : -Infinity;
      let hi = typeof kwargs.max === 'number' ? kwargs.max : Infinity;
      if (typeof kwargs.min_percentile === 'number' || typeof kwargs.max_percentile === 'number') {
        if (reduction(kwargs, where) === 'per-channel' && C > 1) throw new ArgumentError(`${where}.kwargs.axes`, 'must include channel for percentile clipping (per-channel percentiles are not supported)', kwargs.axes);
        const sorted = valuesOf(sample, groups(C, 'joint')[0]!).sort();
        if (typeof kwargs.min_percentile === 'number') lo = percentile(sorted, kwargs.min_percentile);
        if (typeof kwargs.max_percentile === 'number') hi = percentile(sorted, kwargs.max_percentile);
      }
      return map(sample, (v) => Math.min(hi, Math.max(lo, v)));
    }
    case 'sigmoid':
      return map(sample, (v) => 1 / (1 + Math.exp(-v)));
    case 'softmax': {
      if ((kwargs.axis ?? 'channel') !== 'channel') throw new ArgumentError(`${where}.kwargs.axis`, "must be 'channel'", kwargs.axis);
      const data = new Float32Array(sample.data.length);
      for (let p = 0; p < data.length; p += C) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, sample.data[p + c]!);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(sample.data[p + c]! - max);
        for (let c = 0; c < C; c++) data[p + c] = Math.exp(sample.data[p + c]! - max) / sum;
      }
      return { ...sample, data };
    }
    case 'binarize': {
      checkAxisIsChannel(kwargs, where);
      const threshold = perChannel(kwargs.threshold, C, `${where}.kwargs.threshold`, NaN);
      if (threshold.some(Number.isNaN)) throw new ArgumentError(`${where}.kwargs.threshold`, 'must be given', kwargs.threshold);
      return map(sample, (v, c) => (v > threshold[c]! ? 1 : 0));
    }
    default:
      throw new ArgumentError(`${where}.id`, `must be a processing step this library applies (${PROCESSING_STEPS.join(', ')})`, step.id);
  }
}

/**
 * Checks that every step is one this library applies, before anything runs.
 *
 * @example
 * ```ts
 * checkSteps(rdf.inputs[0].preprocessing ?? [], 'inputs[0].preprocessing');
 * ```
 */
export function checkSteps(steps: readonly ProcessingStep[], where: string): void {
  steps.forEach((step, i) => {
    if (!(PROCESSING_STEPS as readonly string[]).includes(step.id)) {
      throw new ArgumentError(`${where}[${i}].id`, `must be a processing step this library applies (${PROCESSING_STEPS.join(', ')})`, step.id);
    }
  });
}

/**
 * Applies a list of declared steps in order.
 *
 * @example
 * ```ts
 * const input = applySteps(rdf.inputs[0].preprocessing ?? [], raw, 'inputs[0].preprocessing');
 * ```
 */
export function applySteps(steps: readonly ProcessingStep[], sample: ImageArray<Float32Array>, where: string): ImageArray<Float32Array> {
  return steps.reduce((s, step, i) => applyStep(step, s, `${where}[${i}]`), sample);
}
