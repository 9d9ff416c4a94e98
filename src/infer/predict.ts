/**
 * Overlap-tile inference (Fig. 2 of the paper): any image size, fixed tile
 * shapes, mirror extrapolation at the image borders, batches of tiles.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { modelPredictor, type TilePredictor } from './predictor.js';
import { specGeometry, type TileGeometry } from './geometry.js';
import { boundaryIndex } from '../core/boundary.js';
import { normalizeImage, unitScale, type Normalization } from '../core/normalization.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { resizeImage } from '../core/resize.js';
import { chooseInputSize, windowStarts } from './tiles.js';

/** Options of {@link predictTiled}. */
export interface PredictOptions {
  /** The model's spec. Default: the spec stored in the model's metadata (models from `buildModel` and `loadModel` have it). */
  readonly spec?: Spec;
  /** Input tile size (valid for the spec). Default: the largest valid tile under `memoryBudget`, no larger than needed. */
  readonly inputSize?: number;
  /** Tiles per `predict` call. Default 1. */
  readonly batchSize?: number;
  /**
   * Test-time augmentation: average over the 8 flips/rotations of each tile
   * (`true`), or over the first n of them (identity, then rotations by 90,
   * 180, 270 degrees, then their mirror images); `false` for none. Default:
   * what the model was calibrated with (`ModelInfo.tta`, set by `train`'s
   * `tta`), else none.
   */
  readonly tta?: boolean | number;
  /** Activation memory allowed for one batch when choosing the tile size, in bytes. Default 256 MiB. */
  readonly memoryBudget?: number;
  /**
   * Same-padding models only: context pixels per side shared by
   * neighbouring tiles, blended linearly. Default: an eighth of the tile.
   */
  readonly overlap?: number;
  /** Divide integer image arrays by their type's maximum (as training does). Default true. */
  readonly normalize?: boolean;
  /** Intensity normalisation after that. Default: the one the model was trained with (its metadata), else none. */
  readonly normalization?: Normalization;
  /**
   * The scale the network works at, in (0, 1]: the image is shrunk by it (area
   * averaging), predicted, and the probabilities enlarged back (linearly) to
   * the image's size. Default: the model's (`ModelInfo.scale`, set by `train`'s
   * `scale`), else 1.
   */
  readonly scale?: number;
  /**
   * Called after each batch of tiles with the tiles done and the total (e.g. for a progress bar).
   * A returned promise is awaited: in a worker, return one that yields to the event loop
   * (`new Promise((r) => setTimeout(r))`) so that a cancel message can arrive between batches.
   */
  readonly onProgress?: (done: number, total: number) => unknown;
  /** Stops the prediction between batches: it rejects with the signal's reason (an `AbortError` by default). */
  readonly signal?: AbortSignal;
}

/** Result of {@link predictTiled}; the caller owns (and disposes) both tensors. */
export interface TiledPrediction {
  /** Class probabilities (the model's outputs) `[H, W, classes]`. */
  readonly probabilities: tf.Tensor3D;
  /** Arg-max class per pixel `[H, W]`, int32. */
  readonly labels: tf.Tensor2D;
}

/** The 8 symmetries of the square as (transpose, flip rows, flip columns). */
const DIHEDRAL: readonly (readonly [boolean, boolean, boolean])[] = [
  [false, false, false],
  [true, false, true], // rotate 90
  [false, true, true], // rotate 180
  [true, true, false], // rotate 270
  [false, false, true],
  [true, false, false],
  [false, true, false],
  [true, true, true],
];

/**
 * Applies symmetry `t` to `batch` square NHWC tiles (`inverse`: undoes it).
 * Forward order: transpose, then flip rows, then flip columns.
 */
function dihedral(data: Float32Array, batch: number, size: number, channels: number, [transpose, flipRows, flipCols]: readonly [boolean, boolean, boolean], inverse: boolean): Float32Array {
  const out = new Float32Array(data.length);
  const plane = size * size * channels;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < size; y++) {
      const y1 = flipRows ? size - 1 - y : y;
      for (let x = 0; x < size; x++) {
        const x1 = flipCols ? size - 1 - x : x;
        const p = b * plane + (y * size + x) * channels;
        const q = b * plane + (transpose ? x1 * size + y1 : y1 * size + x1) * channels;
        if (inverse) out.set(data.subarray(p, p + channels), q);
        else out.set(data.subarray(q, q + channels), p);
      }
    }
  }
  return out;
}

async function imageData(image: tf.Tensor3D | ImageArray<TypedArray>, normalize: boolean, normalization: Normalization): Promise<ImageArray<Float32Array>> {
  if (image instanceof tf.Tensor) {
    if (image.rank !== 3) throw new ArgumentError('image', 'must be a [height, width, channels] tensor', `rank ${image.rank}`);
    const [height, width, channels] = image.shape;
    // A tensor is taken to be on the [0, 1] scale already; the model's normalisation still applies.
    const data = Float32Array.from(await image.data());
    return normalize ? normalizeImage({ data, width, height, channels }, normalization) : { data, width, height, channels };
  }
  checkImageArray('image', image);
  if (!normalize) return { data: Float32Array.from(image.data as ArrayLike<number>), width: image.width, height: image.height, channels: image.channels ?? 1 };
  return normalizeImage(image, normalization);
}

/**
 * Predicts an image of any size tile by tile. The image is extended by
 * mirroring (`d c b | a b c d`) by the network's margin; output windows of
 * the tile's output size cover it, the last row and column of windows flush
 * with the image end; every tile has the same shape (tfjs compiles once).
 * For a valid-padding network each output pixel sees exactly the context it
 * would see in one prediction on the whole mirrored image, so the stitched
 * result equals that prediction. For a same-padding network tiles overlap by
 * `overlap` pixels per side and are blended with linear ramps; the result is
 * close to, not equal to, an untiled prediction. Memory is bounded by the
 * tile batch plus the result.
 *
 * @param model - a model built from the spec (any fixed tile size; it is re-sized as needed, sharing weights),
 *   or any {@link TilePredictor}, such as an ONNX Runtime session wrapped by `onnxPredictor`.
 * @param image - `[H, W, C]` tensor, or an image array (integer arrays are scaled to [0, 1]).
 * @param options - tile size, batch size, test-time augmentation, ...
 * @returns probabilities `[H, W, classes]` and arg-max labels `[H, W]`.
 * @throws {@link ArgumentError} for images under 2x2 (mirroring needs two pixels) or a wrong channel count.
 * @example
 * ```ts
 * const { probabilities, labels } = await predictTiled(model, image, { batchSize: 2, tta: true });
 * const mask = await labels.array();
 * tf.dispose([probabilities, labels]);
 * ```
 */
export async function predictTiled(model: tf.LayersModel | TilePredictor, image: tf.Tensor3D | ImageArray<TypedArray>, options: PredictOptions = {}): Promise<TiledPrediction> {
  const predictor = isTilePredictor(model) ? model : modelPredictor(model, options.spec);
  try {
    const spec = options.spec ?? predictor.spec;
    const geometry = spec !== undefined ? specGeometry(spec) : predictor.geometry;
    if (geometry === undefined) throw new ArgumentError('model', 'must be a TilePredictor with a spec or a geometry', 'neither');
    return await predictWith(predictor, geometry, image, options);
  } finally {
    if (predictor !== model) await predictor.dispose?.();
  }
}

/** Whether `x` is a {@link TilePredictor} rather than a tfjs model. */
export function isTilePredictor(x: tf.LayersModel | TilePredictor): x is TilePredictor {
  const p = x as Partial<TilePredictor>;
  return typeof p.classes === 'number' && (typeof p.spec === 'object' || typeof p.geometry === 'object');
}

async function predictWith(predictor: TilePredictor, geometry: TileGeometry, image: tf.Tensor3D | ImageArray<TypedArray>, options: PredictOptions): Promise<TiledPrediction> {
  const scale = options.scale ?? predictor.info?.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new ArgumentError('scale', 'must be a number in (0, 1]', scale);
  const normalize = options.normalize ?? true;
  const normalization = options.normalization ?? predictor.info?.normalization ?? { kind: 'scale' as const };
  // At a scale below 1 the image is shrunk on its [0, 1] scale, then normalised (as `train` prepares it).
  const original = image instanceof tf.Tensor ? undefined : image;
  const full = original ?? (await imageData(image, false, { kind: 'scale' }));
  const { width: W, height: H } = full;
  if (W < 2 || H < 2) throw new ArgumentError('image', 'must be at least 2x2 pixels (mirror extrapolation needs two)', `${W}x${H}`);
  if (predictor.prepare !== undefined && scale !== 1) throw new ArgumentError('scale', 'must be 1 for a model that prepares its own input', scale);
  const source = scale === 1 ? image : resizeImage(normalize ? unitScale(full) : full, Math.max(2, Math.round(W * scale)), Math.max(2, Math.round(H * scale)), 'area');
  const C = full.channels ?? 1;
  if (C !== geometry.channels) throw new ArgumentError('image', `must have ${geometry.channels} channel(s) for this model`, `${C} channel(s)`);
  // A model that declares its own preprocessing (an imported package) gets the image's raw values.
  const input = predictor.prepare !== undefined ? predictor.prepare(await imageData(source, false, { kind: 'scale' })) : await imageData(source, normalize, normalization);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batchSize);
  const tta = options.tta ?? predictor.info?.tta ?? false;
  const transforms = tta === true ? 8 : tta === false ? 1 : tta;
  if (!Number.isInteger(transforms) || transforms < 1 || transforms > 8) throw new ArgumentError('tta', 'must be a boolean or an integer from 1 to 8', options.tta);
  const sum = await tileProbabilities(predictor, geometry, input, {
    batchSize,
    transforms,
    ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }),
    ...(options.memoryBudget === undefined ? {} : { memoryBudget: options.memoryBudget }),
    ...(options.overlap === undefined ? {} : { overlap: options.overlap }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  // Declared postprocessing (an imported package) turns the stitched outputs into class probabilities.
  const { data: stitched, classes: K } = predictor.finish !== undefined ? predictor.finish(sum, input.width, input.height) : { data: sum, classes: predictor.classes };
  // The probabilities of a shrunk image are enlarged back to the image's size.
  const probabilitiesData = input.width === W && input.height === H ? stitched : resizeImage({ data: stitched, width: input.width, height: input.height, channels: K }, W, H, 'linear').data;
  const probabilities = tf.tensor3d(probabilitiesData, [H, W, K]);
  return { probabilities, labels: tf.tidy(() => probabilities.argMax(-1) as tf.Tensor2D) };
}

/** The overlap-tile probabilities `[H, W, classes]` of a normalised image, row-major. */
async function tileProbabilities(predictor: TilePredictor, geometry: TileGeometry, input: ImageArray<Float32Array>, options: TilingOptions): Promise<Float32Array> {
  const { width: W, height: H } = input;
  const C = input.channels ?? 1;
  const K = predictor.classes;
  const out = new Float32Array(H * W * K);
  await stitchRows(predictor, geometry, { width: W, height: H, channels: C }, (lo, hi) => input.data.subarray(lo * W * C, hi * W * C), options, (y0, _y1, rows) => {
    out.set(rows, y0 * W * K);
  });
  return out;
}

/** How {@link stitchRows} tiles an image. */
export interface TilingOptions {
  readonly batchSize: number;
  /** Test-time augmentation: the first n of the 8 symmetries. */
  readonly transforms: number;
  readonly inputSize?: number;
  readonly memoryBudget?: number;
  readonly overlap?: number;
  /** Only the output rows `[from, to)`: the tiles that cover them, in the order and with the values of the whole image's. Default: all. */
  readonly rows?: { readonly from: number; readonly to: number };
  /** Called after each batch with the tiles done and the total; a returned promise is awaited. */
  readonly onProgress?: (done: number, total: number) => unknown;
  /** Checked before each batch: an aborted signal rejects with its reason. */
  readonly signal?: AbortSignal;
}

/**
 * Rows `[lo, hi)` of the normalised network input, channels-last, the image's whole width. The
 * returned array is only read, never kept past the next call.
 */
export type InputRows = (lo: number, hi: number) => Float32Array | Promise<Float32Array>;

/**
 * The overlap-tile prediction of an image of `size`, whose normalised input is read a band of rows
 * at a time (`read`) and whose probabilities `[rows, W, classes]` are handed to `emit` in order,
 * top to bottom, each row once, as soon as every tile that covers it has run. Memory is bounded by
 * a band of tile rows, never by the image's height: the in-memory prediction and the streamed one
 * of a large image run this same code, tile for tile in the same order, so they agree exactly.
 *
 * Tiles: windows of the tile's output size (less the shared context) at multiples of the stride
 * from the top-left corner, the input extended by mirroring at the image borders; see
 * {@link predictTiled}.
 */
export async function stitchRows(
  predictor: TilePredictor,
  geometry: TileGeometry,
  size: { readonly width: number; readonly height: number; readonly channels: number },
  read: InputRows,
  options: TilingOptions,
  emit: (y0: number, y1: number, rows: Float32Array) => void | Promise<void>,
): Promise<void> {
  const { width: W, height: H, channels: C } = size;
  const { batchSize, transforms } = options;
  const m = geometry.margin;
  const halo = geometry.halo;
  const T =
    options.inputSize === undefined
      ? chooseInputSize(geometry, Math.max(H, W) + 2 * m + 2 * halo, batchSize, options.memoryBudget ?? 256 * 2 ** 20)
      : geometry.checkInputSize(options.inputSize);
  const O = geometry.outputSize(T);
  // Tile offsets are multiples of the network's alignment P (2^depth): the
  // network is translation-equivariant only for such shifts.
  const P = geometry.alignment;
  // Valid nets: each tile predicts its output window exactly; windows overlap
  // by O mod P pixels with identical values. Same nets (margin 0) and nets
  // with a halo: tiles share `context` pixels per side (a multiple of P, at
  // least the halo), blended with ramps that give the halo no weight.
  const requested = m > 0 ? 0 : (options.overlap ?? Math.floor(T / 8));
  const context = m > 0 && halo === 0 ? 0 : Math.min(Math.max(Math.floor(requested / P), Math.ceil(halo / P)) * P, Math.floor((O - P) / 2 / P) * P);
  const stride = Math.floor((O - 2 * context) / P) * P;
  if (stride < P || context < halo) {
    throw new ArgumentError('inputSize', `must give an output of at least ${P} px (the network's alignment)${halo > 0 ? ` beside a halo of ${halo} px per side` : ''} for exact tiling; ${T} gives ${O}`, T);
  }
  const offset = m + context; // from a tile's input origin to the first pixel of its window
  const rows = windowStarts(H, O - 2 * context, stride);
  const cols = windowStarts(W, O - 2 * context, stride);
  const K = predictor.classes;
  const rowValues = W * K;
  // Weight of output row/column i: none inside the halo, rising linearly over the rest of the context.
  const ramp = (i: number) => {
    const d = Math.min(i, O - 1 - i);
    return d < halo ? 0 : Math.min(1, (d - halo + 1) / (context - halo + 1));
  };

  const from = options.rows?.from ?? 0;
  const to = options.rows?.to ?? H;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > H || from >= to) throw new ArgumentError('rows', `must be a range of rows within 0..${H}`, options.rows);
  // The tile rows whose outputs reach [from, to): every tile that adds to those rows, as for the whole image.
  const kFrom = rows.findIndex((r) => r - context + O > from);
  const kTo = rows.findIndex((r) => r - context >= to);
  // The rows [first, first + held) not yet emitted: sums of the tiles' outputs and their weights.
  let first = Math.max(0, rows[kFrom]! - context);
  let held = 0;
  let sum = new Float32Array(0);
  let weight = context > 0 ? new Float32Array(0) : undefined;
  const kEnd = kTo < 0 ? rows.length : kTo;
  const total = (kEnd - kFrom) * cols.length;
  let tilesDone = 0;
  for (let k = kFrom; k < kEnd; k++) {
    const r = rows[k]!;
    const end = Math.min(H, r - context + O);
    if (end - first > held) {
      const grown = new Float32Array((end - first) * rowValues);
      grown.set(sum);
      sum = grown;
      if (weight !== undefined) {
        const w = new Float32Array((end - first) * W);
        w.set(weight);
        weight = w;
      }
      held = end - first;
    }
    // The input rows this tile row reads, mirrored at the image borders.
    const sources = Array.from({ length: T }, (_, y) => boundaryIndex(r - offset + y, H, 'mirror'));
    const lo = Math.min(...sources);
    const band = await read(lo, Math.max(...sources) + 1);
    for (let b0 = 0; b0 < cols.length; b0 += batchSize) {
      options.signal?.throwIfAborted();
      const batch = cols.slice(b0, b0 + batchSize);
      const tiles = new Float32Array(batchSize * T * T * C);
      batch.forEach((c, b) => {
        for (let y = 0; y < T; y++) {
          const sy = sources[y]! - lo;
          for (let x = 0; x < T; x++) {
            const sx = boundaryIndex(c - offset + x, W, 'mirror');
            const src = (sy * W + sx) * C;
            tiles.set(band.subarray(src, src + C), ((b * T + y) * T + x) * C);
          }
        }
      });
      const out = new Float32Array(batchSize * O * O * K);
      for (const t of DIHEDRAL.slice(0, transforms)) {
        const identity = !t[0] && !t[1] && !t[2];
        const y = await predictor.predict(identity ? tiles : dihedral(tiles, batchSize, T, C, t, false), batchSize, T);
        if (y.length !== out.length) throw new Error(`the predictor returned ${y.length} values for ${batchSize} tiles of ${O}x${O}x${K}`);
        const back = identity ? y : dihedral(y, batchSize, O, K, t, true);
        for (let i = 0; i < out.length; i++) out[i] = out[i]! + back[i]! / transforms;
      }
      batch.forEach((c, b) => {
        // Output pixel (y, x) of the tile is image pixel (r - context + y, c - context + x).
        for (let y = 0; y < O; y++) {
          const iy = r - context + y;
          if (iy < 0 || iy >= H) continue;
          const row = iy - first;
          for (let x = 0; x < O; x++) {
            const ix = c - context + x;
            if (ix < 0 || ix >= W) continue;
            const src = ((b * O + y) * O + x) * K;
            const dst = row * rowValues + ix * K;
            if (weight === undefined) {
              sum.set(out.subarray(src, src + K), dst);
            } else {
              const w = ramp(y) * ramp(x);
              weight[row * W + ix] = weight[row * W + ix]! + w;
              for (let q = 0; q < K; q++) sum[dst + q] = sum[dst + q]! + w * out[src + q]!;
            }
          }
        }
      });
      tilesDone += batch.length;
      await options.onProgress?.(tilesDone, total);
    }
    // Rows above the next tile row's first output row are final.
    const done = Math.min(H, k + 1 < rows.length ? Math.max(first, rows[k + 1]! - context) : H);
    if (done > first) {
      const count = done - first;
      // Of those, the rows asked for.
      const lo = Math.max(first, from);
      const hi = Math.min(done, to);
      if (hi > lo) {
        const finished = sum.slice((lo - first) * rowValues, (hi - first) * rowValues);
        const w0 = (lo - first) * W;
        if (weight !== undefined) for (let p = 0; p < (hi - lo) * W; p++) for (let q = 0; q < K; q++) finished[p * K + q] = finished[p * K + q]! / weight[w0 + p]!;
        await emit(lo, hi, finished);
      }
      sum = sum.slice(count * rowValues);
      if (weight !== undefined) weight = weight.slice(count * W);
      held -= count;
      first = done;
    }
  }
}
