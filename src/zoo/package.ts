/**
 * A bioimage.io model package as a tile predictor: its axes become the tile
 * geometry, its ONNX weights run in ONNX Runtime, its declared processing runs
 * on the whole image before tiling and on the stitched output after it.
 */
import { ArgumentError } from '../core/errors.js';
import type { ImageArray } from '../core/image.js';
import { stepGeometry, type TileGeometry } from '../infer/geometry.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
import type { OrtSessionLike, OrtTensorConstructor } from '../onnx/predictor.js';
import { checkModelInfo, type ModelInfo } from '../compile/metadata.js';
import { applySteps, checkSteps } from './processing.js';
import { rdfFiles, type ModelRdf, type RdfAxis, type RdfFile } from './rdf.js';
import type { PackageSource } from './sources.js';

/** How a package's tensors map onto this library's channels-last tiles. */
export interface PackageLayout {
  /** The input's axis ids in the model's order, e.g. `['batch', 'channel', 'y', 'x']`. */
  readonly inputAxes: readonly string[];
  /** The output's axis ids in the model's order. */
  readonly outputAxes: readonly string[];
  /** Output channels of the network. */
  readonly outputChannels: number;
  /** Whether the network takes one tile at a time (batch axis of size 1, or none). */
  readonly singleBatch: boolean;
  /** Sizes, margin, halo and alignment from the axes. */
  readonly geometry: TileGeometry;
}

type SizeRule = { readonly min: number; readonly step: number };

function spaceAxes(axes: readonly RdfAxis[], where: string): { y: RdfAxis; x: RdfAxis } {
  const order = axes.map((a) => (a.type === 'space' ? a.id : a.type));
  const space = axes.filter((a) => a.type === 'space');
  const unsupported = axes.find((a) => !['batch', 'channel', 'space'].includes(a.type));
  const y = space.find((a) => a.id === 'y');
  const x = space.find((a) => a.id === 'x');
  if (unsupported !== undefined || space.length !== 2 || y === undefined || x === undefined || axes.filter((a) => a.type === 'batch').length > 1 || axes.filter((a) => a.type === 'channel').length > 1) {
    throw new ArgumentError(`${where}.axes`, 'must be 2D: an optional batch and channel axis and the space axes y and x, in any order', order.join(','));
  }
  return { y, x };
}

function inputRule(axis: RdfAxis, axes: readonly RdfAxis[], where: string, seen: ReadonlySet<string> = new Set()): SizeRule {
  const size = axis.size;
  if (typeof size === 'number') return { min: size, step: 0 };
  if (typeof size === 'object' && 'min' in size) return { min: size.min, step: size.step };
  if (typeof size === 'object' && 'axis_id' in size) {
    const other = axes.find((a) => a.id === size.axis_id);
    if (other === undefined || seen.has(axis.id) || (size.offset ?? 0) !== 0) throw new ArgumentError(`${where}.size`, 'must be a size, {min, step}, or a reference without offset to the other space axis of the same input', size);
    return inputRule(other, axes, where, new Set([...seen, axis.id]));
  }
  throw new ArgumentError(`${where}.size`, 'must be a size or {min, step}', size);
}

/**
 * Reads a package's axes into the tile layout: one 2D input and its first
 * output, square tiles (y and x take the same sizes), outputs sized by
 * reference to the input (with an offset for valid convolutions) at the same
 * scale.
 *
 * @throws {@link ArgumentError} naming the field for another axis layout, non-square sizes, or rescaled outputs.
 * @example
 * ```ts
 * const layout = packageLayout(rdf);
 * layout.inputAxes; // ['batch', 'channel', 'y', 'x']
 * layout.geometry.validInputSizes(1, 600); // [512] for a fixed-size model
 * ```
 */
export function packageLayout(rdf: ModelRdf, referenceSize?: number): PackageLayout {
  if (rdf.inputs.length !== 1) throw new ArgumentError('inputs', 'must be one tensor (models with several inputs are not supported)', `${rdf.inputs.length} inputs`);
  const input = rdf.inputs[0]!;
  const output = rdf.outputs[0]!;
  const inSpace = spaceAxes(input.axes, 'inputs[0]');
  const outSpace = spaceAxes(output.axes, 'outputs[0]');
  const ry = inputRule(inSpace.y, input.axes, 'inputs[0].axes[y]');
  const rx = inputRule(inSpace.x, input.axes, 'inputs[0].axes[x]');
  if (ry.min !== rx.min || ry.step !== rx.step) throw new ArgumentError('inputs[0].axes', 'must let y and x take the same sizes (tiles are square)', `y ${JSON.stringify(ry)}, x ${JSON.stringify(rx)}`);
  let offset: number | undefined;
  let halo = 0;
  for (const [name, axis, inAxis] of [['y', outSpace.y, inSpace.y], ['x', outSpace.x, inSpace.x]] as const) {
    if ((axis.scale ?? 1) !== (inAxis.scale ?? 1)) throw new ArgumentError(`outputs[0].axes[${name}].scale`, `must equal the input's (${inAxis.scale ?? 1}): rescaled outputs are not supported`, axis.scale);
    const size = axis.size;
    let o: number;
    if (typeof size === 'object' && 'axis_id' in size) {
      if (size.tensor_id !== input.id || size.axis_id !== name) throw new ArgumentError(`outputs[0].axes[${name}].size`, `must refer to the input's ${name} axis`, size);
      o = size.offset ?? 0;
    } else if (typeof size === 'number' && rx.step === 0) {
      o = size - rx.min;
    } else {
      throw new ArgumentError(`outputs[0].axes[${name}].size`, 'must refer to the input axis (or be fixed for a fixed-size input)', size);
    }
    if (offset !== undefined && o !== offset) throw new ArgumentError('outputs[0].axes', 'must crop y and x alike', `offsets ${offset} and ${o}`);
    offset = o;
    halo = Math.max(halo, axis.halo ?? 0);
  }
  if (offset! > 0 || offset! % 2 !== 0) throw new ArgumentError('outputs[0].axes[x].size.offset', 'must be zero or a negative even number (a margin lost on both sides)', offset);
  const channelsOf = (axes: readonly RdfAxis[]) => axes.find((a) => a.type === 'channel')?.channel_names?.length ?? 1;
  const batch = input.axes.find((a) => a.type === 'batch');
  // A fixed-size U-Net downsamples by a power of two that divides its size; 32 at most is assumed.
  const alignment = rx.step > 0 ? rx.step : Math.min(32, rx.min & -rx.min);
  const fallback = rx.step === 0 ? rx.min : rx.min + Math.max(0, Math.floor((512 - rx.min) / rx.step)) * rx.step;
  const geometry = { ...stepGeometry({ ...rx, offset: offset!, halo, channels: channelsOf(input.axes), referenceSize: referenceSize ?? fallback }), alignment };
  return {
    inputAxes: input.axes.map((a) => (a.type === 'space' ? a.id : a.type)),
    outputAxes: output.axes.map((a) => (a.type === 'space' ? a.id : a.type)),
    outputChannels: channelsOf(output.axes),
    singleBatch: batch === undefined || batch.size === 1,
    geometry,
  };
}

/**
 * Moves data between this library's `[batch, y, x, channel]` order and a
 * model's axis order (ids `batch`, `channel`, `y`, `x`; absent axes have size 1).
 *
 * @example
 * ```ts
 * // NHWC tiles to a model that takes [batch, channel, y, x]
 * const nchw = reorder(tiles, { batch: 2, y: 64, x: 64, channel: 3 }, ['batch', 'y', 'x', 'channel'], ['batch', 'channel', 'y', 'x']);
 * ```
 */
export function reorder(data: Float32Array, sizes: Readonly<Record<'batch' | 'y' | 'x' | 'channel', number>>, from: readonly string[], to: readonly string[]): Float32Array {
  const dims = (order: readonly string[]) => order.map((id) => sizes[id as keyof typeof sizes] ?? 1);
  const fromDims = dims(from);
  const strides = new Map<string, number>();
  let stride = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    strides.set(from[i]!, stride);
    stride *= fromDims[i]!;
  }
  const toDims = dims(to);
  const out = new Float32Array(data.length);
  const index = new Array<number>(to.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let source = 0;
    for (let i = 0; i < to.length; i++) source += index[i]! * (strides.get(to[i]!) ?? 0);
    out[k] = data[source]!;
    for (let i = to.length - 1; i >= 0; i--) {
      if (++index[i]! < toDims[i]!) break;
      index[i] = 0;
    }
  }
  return out;
}

const ORDER = ['batch', 'y', 'x', 'channel'] as const;

/** What a package exported by tfjs-unet carries in `config['tfjs-unet']` (spec, normalisation, calibration); undefined for other packages. */
export function tfjsUnetConfig(rdf: ModelRdf): Readonly<Record<string, unknown>> | undefined {
  const config = (rdf.raw.config as Record<string, unknown> | undefined)?.['tfjs-unet'];
  return typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : undefined;
}

/**
 * How to use a package's output beyond its declared processing: the
 * calibrated threshold, object settings and test-time augmentation a package
 * written by this library keeps in `config['tfjs-unet']` (the normalisation
 * is its declared preprocessing); `{}` for other packages.
 *
 * @example
 * ```ts
 * packageInfo(rdf).threshold; // 0.35 for a package exported after calibration
 * ```
 */
export function packageInfo(rdf: ModelRdf): ModelInfo {
  const config = tfjsUnetConfig(rdf);
  if (config === undefined) return {};
  const { threshold, instances, tta } = config;
  const kept = Object.fromEntries(Object.entries({ threshold, instances, tta }).filter(([, v]) => v !== undefined));
  return checkModelInfo(kept, 1, "config['tfjs-unet']");
}

/**
 * A package's network, processing and geometry as a tile predictor for
 * `predictTiled`: preprocessing on the whole image, tiles through the ONNX
 * session in the model's axis order, postprocessing on the stitched output
 * (a one-channel output becomes background and foreground).
 *
 * @param rdf - the parsed description.
 * @param session - an ONNX Runtime session of its ONNX weights.
 * @param Tensor - that runtime's `Tensor`.
 * @example
 * ```ts
 * const predictor = packagePredictor(rdf, session, ort.Tensor);
 * const { probabilities } = await predictTiled(predictor, image);
 * ```
 */
export function packagePredictor(rdf: ModelRdf, session: OrtSessionLike, Tensor: OrtTensorConstructor, layout: PackageLayout = packageLayout(rdf)): OwnedTilePredictor {
  const pre = rdf.inputs[0]!.preprocessing ?? [];
  const post = rdf.outputs[0]!.postprocessing ?? [];
  checkSteps(pre, 'inputs[0].preprocessing');
  checkSteps(post, 'outputs[0].postprocessing');
  const { geometry, inputAxes, outputAxes, outputChannels: K } = layout;
  const C = geometry.channels;
  const run = async (tiles: Float32Array, batch: number, size: number): Promise<Float32Array> => {
    const feed = new Tensor('float32', reorder(tiles, { batch, y: size, x: size, channel: C }, ORDER, inputAxes), inputAxes.map((id) => ({ batch, y: size, x: size, channel: C })[id as 'batch'] ?? 1));
    const result = await session.run({ [session.inputNames[0]!]: feed });
    feed.dispose?.();
    const y = result[session.outputNames[0]!]!;
    const o = geometry.outputSize(size);
    const expected = outputAxes.map((id) => ({ batch, y: o, x: o, channel: K })[id as 'batch'] ?? 1);
    if (y.dims.length !== expected.length || y.dims.some((d, i) => d !== expected[i])) {
      throw new ArgumentError('outputs[0].axes', `must describe the network's output: for a ${size} px tile it gave [${y.dims.join(', ')}], the axes say [${expected.join(', ')}]`, outputAxes.join(','));
    }
    const values = reorder(Float32Array.from(y.data as ArrayLike<number>), { batch, y: o, x: o, channel: K }, outputAxes, ORDER);
    for (const t of Object.values(result)) t.dispose?.();
    return values;
  };
  return {
    geometry,
    classes: K,
    info: packageInfo(rdf),
    async predict(tiles, batch, size) {
      if (!layout.singleBatch || batch === 1) return run(tiles, batch, size);
      const per = size * size * C;
      const parts: Float32Array[] = [];
      for (let b = 0; b < batch; b++) parts.push(await run(tiles.subarray(b * per, (b + 1) * per), 1, size));
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
      return out;
    },
    prepare: (image: ImageArray<Float32Array>) => applySteps(pre, image, 'inputs[0].preprocessing'),
    finish(outputs, width, height) {
      const done = applySteps(post, { data: outputs, width, height, channels: K }, 'outputs[0].postprocessing').data;
      if (K !== 1) return { data: done, classes: K };
      // One probability channel: background 1 - p and foreground p, so masks, thresholds and instances work as for two classes.
      const two = new Float32Array(done.length * 2);
      for (let i = 0; i < done.length; i++) {
        two[2 * i] = 1 - done[i]!;
        two[2 * i + 1] = done[i]!;
      }
      return { data: two, classes: 2 };
    },
    async dispose() {
      await session.release?.();
    },
  };
}

/**
 * The SHA-256 of some bytes as lowercase hex (Web Crypto: Node 20 and browsers).
 *
 * @example
 * ```ts
 * await sha256(new TextEncoder().encode('abc')); // 'ba7816bf...'
 * ```
 */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What {@link verifyPackage} checked. */
export interface PackageCheck {
  /** Files whose hash matched. */
  readonly verified: readonly string[];
  /** Files the description names that are not in the package (weights of other formats, say), with no hash to check. */
  readonly absent: readonly string[];
}

/**
 * Checks every file the description names that is in the package against its
 * declared SHA-256, and that the files `needed` are there.
 *
 * @throws {@link ArgumentError} naming the file for a wrong hash or a needed file that is missing.
 * @example
 * ```ts
 * const { verified, absent } = await verifyPackage(rdf, source, [rdf.weights.onnx.source]);
 * ```
 */
export async function verifyPackage(rdf: ModelRdf, source: PackageSource, needed: readonly string[]): Promise<PackageCheck> {
  const verified: string[] = [];
  const absent: string[] = [];
  const files = new Map<string, RdfFile>(rdfFiles(rdf).map((f) => [f.source, f]));
  for (const path of needed) if (!files.has(path)) files.set(path, { source: path });
  for (const file of files.values()) {
    const bytes = await source.read(file.source);
    if (bytes === undefined) {
      if (needed.includes(file.source)) throw new ArgumentError(`${source.location}: ${file.source}`, 'must be in the package (the description names it and running the model needs it)', 'missing');
      absent.push(file.source);
      continue;
    }
    if (file.sha256 !== undefined) {
      const actual = await sha256(bytes);
      if (actual !== file.sha256.toLowerCase()) throw new ArgumentError(`${source.location}: ${file.source}`, `must have the SHA-256 the description declares (${file.sha256})`, `sha256 ${actual}`);
      verified.push(file.source);
    }
  }
  return { verified, absent };
}

/**
 * Runs the package's network once on a whole tensor in the model's own axis
 * order (a test input), with the declared pre- and postprocessing: what
 * bioimage.io's test tool does to check a package against its test output.
 *
 * @param input - the input tensor (e.g. `readNpy(test_input.npy)`), in the model's axis order.
 * @returns the postprocessed output in the model's output axis order, and its shape.
 * @example
 * ```ts
 * const { data } = await runPackage(rdf, session, ort.Tensor, readNpy(testInputBytes));
 * ```
 */
export async function runPackage(
  rdf: ModelRdf,
  session: OrtSessionLike,
  Tensor: OrtTensorConstructor,
  input: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
): Promise<{ data: Float32Array; shape: number[] }> {
  const layout = packageLayout(rdf);
  const { inputAxes, outputAxes } = layout;
  if (input.shape.length !== inputAxes.length) throw new ArgumentError('input.shape', `must have one size per input axis (${inputAxes.join(', ')})`, input.shape);
  const size = (id: string) => input.shape[inputAxes.indexOf(id)] ?? 1;
  const [batch, H, W, C] = [size('batch'), size('y'), size('x'), size('channel')];
  if (batch !== 1) throw new ArgumentError('input.shape', 'must hold one sample (batch 1)', input.shape);
  const pre = rdf.inputs[0]!.preprocessing ?? [];
  const post = rdf.outputs[0]!.postprocessing ?? [];
  const sample = applySteps(pre, { data: reorder(Float32Array.from(input.data), { batch, y: H, x: W, channel: C }, inputAxes, ORDER), width: W, height: H, channels: C }, 'inputs[0].preprocessing');
  const feed = new Tensor('float32', reorder(sample.data, { batch, y: H, x: W, channel: C }, ORDER, inputAxes), input.shape);
  const result = await session.run({ [session.inputNames[0]!]: feed });
  const y = result[session.outputNames[0]!]!;
  const at = (id: string) => y.dims[outputAxes.indexOf(id)] ?? 1;
  const [oh, ow, k] = [at('y'), at('x'), at('channel')];
  const raw = reorder(Float32Array.from(y.data as ArrayLike<number>), { batch, y: oh, x: ow, channel: k }, outputAxes, ORDER);
  const done = applySteps(post, { data: raw, width: ow, height: oh, channels: k }, 'outputs[0].postprocessing');
  for (const t of [feed, ...Object.values(result)]) t.dispose?.();
  return { data: reorder(done.data, { batch, y: oh, x: ow, channel: k }, ORDER, outputAxes), shape: [...y.dims] };
}
