/**
 * Model descriptions of format 0.4 (most of the zoo's older models), turned
 * into the shape of format 0.5 that the rest of `zoo/` reads: axis letters
 * become axis objects, `shape` becomes sizes, top-level test tensors move onto
 * their tensors, and processing steps get their 0.5 ids and kwargs.
 */
import { ArgumentError } from '../core/errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The axis letters of format 0.4 and the 0.5 axis each stands for. */
const LETTERS: Readonly<Record<string, { readonly type: string; readonly id: string }>> = {
  b: { type: 'batch', id: 'batch' },
  i: { type: 'index', id: 'index' },
  t: { type: 'time', id: 'time' },
  c: { type: 'channel', id: 'channel' },
  z: { type: 'space', id: 'z' },
  y: { type: 'space', id: 'y' },
  x: { type: 'space', id: 'x' },
};

function axisIds(letters: unknown, where: string): string[] {
  if (typeof letters !== 'string' || letters === '') throw new ArgumentError(where, 'must be a string of axis letters (b, i, t, c, z, y, x)', letters);
  return [...letters].map((letter) => {
    const axis = LETTERS[letter];
    if (axis === undefined) throw new ArgumentError(where, 'must be a string of axis letters (b, i, t, c, z, y, x)', letters);
    return axis.id;
  });
}

const channelNames = (n: number) => Array.from({ length: n }, (_, k) => `channel${k}`);

/** One tensor's axes with their sizes: 0.4's `axes` letters and `shape` (fixed, `{min, step}` or relative to a reference tensor). */
function axes04(tensor: Json, where: string, channelsOf: (tensor: string) => number | undefined): Json[] {
  const ids = axisIds(tensor.axes, `${where}.axes`);
  const shape = tensor.shape;
  const halo = Array.isArray(tensor.halo) ? (tensor.halo as unknown[]) : [];
  const wrongShape = () => new ArgumentError(`${where}.shape`, `must give one entry per axis (${ids.length}): a list of sizes, {min, step}, or {reference_tensor, scale, offset}`, shape);
  return ids.map((id, i) => {
    const { type } = LETTERS[[...(tensor.axes as string)][i]!]!;
    let size: unknown;
    if (Array.isArray(shape)) {
      if (shape.length !== ids.length) throw wrongShape();
      size = shape[i];
    } else if (isObject(shape) && Array.isArray(shape.min) && Array.isArray(shape.step)) {
      if (shape.min.length !== ids.length || shape.step.length !== ids.length) throw wrongShape();
      const min = shape.min[i] as number;
      const step = shape.step[i] as number;
      size = step === 0 ? min : { min, step };
    } else if (isObject(shape) && typeof shape.reference_tensor === 'string' && Array.isArray(shape.scale) && Array.isArray(shape.offset)) {
      if (shape.scale.length !== ids.length || shape.offset.length !== ids.length) throw wrongShape();
      // 0.4: size = reference size * scale + 2 * offset; a null or zero scale makes a fixed size.
      const scale = shape.scale[i] as number | null;
      const offset = 2 * (shape.offset[i] as number);
      if (scale === null || scale === 0) size = offset;
      else if (scale !== 1) throw new ArgumentError(`${where}.shape.scale`, 'must be 1, 0 or null on every axis (outputs at another scale than the input are not supported)', shape.scale);
      else if (type === 'channel') size = (channelsOf(shape.reference_tensor) ?? NaN) + offset;
      else size = { tensor_id: shape.reference_tensor, axis_id: id, offset };
    } else {
      throw wrongShape();
    }
    if (type === 'batch') return { type, ...(typeof size === 'number' && size > 0 ? { size } : {}) };
    if (type === 'channel') {
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new ArgumentError(`${where}.shape`, 'must fix the channel count', shape);
      return { type, channel_names: channelNames(size) };
    }
    const h = halo[i];
    return { type, id, size, ...(typeof h === 'number' && h > 0 ? { halo: h } : {}) };
  });
}

/** A 0.4 processing step (`name`, `kwargs` with axis letters and a `mode`) as its 0.5 step. */
function step04(step: unknown, where: string): Json {
  if (!isObject(step) || typeof step.name !== 'string') throw new ArgumentError(where, "must be a processing step with a 'name'", step);
  const kwargs = isObject(step.kwargs) ? step.kwargs : {};
  const axes = () => (kwargs.axes === undefined ? {} : { axes: axisIds(kwargs.axes, `${where}.kwargs.axes`) });
  const perChannel = (...values: unknown[]) => (values.some(Array.isArray) ? { axis: 'channel' } : {});
  const eps = kwargs.eps === undefined ? {} : { eps: kwargs.eps };
  const mode = kwargs.mode;
  const needsDataset = () => new ArgumentError(`${where}.kwargs.mode`, "must be 'per_sample' or 'fixed' (per_dataset statistics are those of a training set the package does not hold)", mode);
  switch (step.name) {
    case 'zero_mean_unit_variance':
      if (mode === 'per_sample') return { id: 'zero_mean_unit_variance', kwargs: { ...axes(), ...eps } };
      if (mode === undefined || mode === 'fixed') return { id: 'fixed_zero_mean_unit_variance', kwargs: { mean: kwargs.mean, std: kwargs.std, ...perChannel(kwargs.mean, kwargs.std) } };
      throw needsDataset();
    case 'scale_range':
      if (mode !== 'per_sample') throw needsDataset();
      return {
        id: 'scale_range',
        kwargs: { ...axes(), ...eps, min_percentile: kwargs.min_percentile ?? 0, max_percentile: kwargs.max_percentile ?? 100, ...(kwargs.reference_tensor == null ? {} : { reference_tensor: kwargs.reference_tensor }) },
      };
    case 'scale_linear':
      return { id: 'scale_linear', kwargs: { gain: kwargs.gain ?? 1, offset: kwargs.offset ?? 0, ...perChannel(kwargs.gain, kwargs.offset) } };
    case 'clip':
    case 'binarize':
      return { id: step.name, kwargs };
    case 'sigmoid':
      return { id: 'sigmoid' };
    default:
      // Unknown to this library too (e.g. scale_mean_variance): refused by name where steps are checked.
      return { id: step.name, kwargs };
  }
}

/** A file entry of 0.4 (a path) as 0.5's `{ source }`. */
const file04 = (value: unknown) => (typeof value === 'string' ? { source: value } : value);

/**
 * A format 0.4 model description in the shape of format 0.5 (the fields
 * running a model needs; the rest kept as it was).
 *
 * @param raw - the parsed 0.4 description.
 * @param file - its file name, for errors.
 * @throws {@link ArgumentError} naming the field: axes that are not letters, shapes with the wrong number of entries, outputs at another scale, per-dataset statistics.
 * @example
 * ```ts
 * const like05 = fromFormat04(parseYaml(text), 'rdf.yaml');
 * like05.inputs[0].axes; // [{ type: 'batch', size: 1 }, { type: 'channel', channel_names: ['channel0'] }, ...]
 * ```
 */
export function fromFormat04(raw: Json, file: string): Json {
  const channels = new Map<string, number>();
  const tensors = (key: 'inputs' | 'outputs', tests: unknown, samples: unknown, steps: 'preprocessing' | 'postprocessing') => {
    const list = raw[key];
    if (!Array.isArray(list) || list.length === 0) throw new ArgumentError(`${file}: ${key}`, 'must be a non-empty list of tensors', list);
    return list.map((tensor: unknown, i) => {
      const where = `${file}: ${key}[${i}]`;
      if (!isObject(tensor)) throw new ArgumentError(where, 'must be a tensor description', tensor);
      const id = typeof tensor.name === 'string' ? tensor.name : `${key}${i}`;
      const axes = axes04(tensor, where, (name) => channels.get(name));
      const c = axes.find((a) => a.type === 'channel');
      if (c !== undefined) channels.set(id, (c.channel_names as string[]).length);
      const test = Array.isArray(tests) ? tests[i] : undefined;
      const sample = Array.isArray(samples) ? samples[i] : undefined;
      const processing = Array.isArray(tensor[steps]) ? { [steps]: (tensor[steps] as unknown[]).map((s, k) => step04(s, `${where}.${steps}[${k}]`)) } : {};
      return {
        id,
        ...(typeof tensor.description === 'string' ? { description: tensor.description } : {}),
        axes,
        ...(test === undefined ? {} : { test_tensor: file04(test) }),
        ...(sample === undefined ? {} : { sample_tensor: file04(sample) }),
        ...(Array.isArray(tensor.data_range) ? { data: { type: tensor.data_type, range: tensor.data_range } } : {}),
        ...processing,
      };
    });
  };
  const inputs = tensors('inputs', raw.test_inputs, raw.sample_inputs, 'preprocessing');
  const outputs = tensors('outputs', raw.test_outputs, raw.sample_outputs, 'postprocessing');
  const attachments = isObject(raw.attachments) && Array.isArray(raw.attachments.files) ? { attachments: (raw.attachments.files as unknown[]).map(file04) } : {};
  return { ...raw, inputs, outputs, ...attachments };
}
