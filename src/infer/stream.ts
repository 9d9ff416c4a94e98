/**
 * Overlap-tile prediction of images too large to hold: the image is read a band of rows at a time
 * and the probabilities come out a band of rows at a time, in order. The tiles, their order and
 * the arithmetic are those of `predictTiled` (one code path, `stitchRows`), so where both fit the
 * results are the same numbers.
 */
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { addMoments, applyAffine, channelAffine, unitScale, zscoreAffine, type ChannelAffine, type Normalization } from '../core/normalization.js';
import { specGeometry } from './geometry.js';
import { stitchRows } from './predict.js';
import type { TilePredictor } from './predictor.js';

/** An image read a band of rows at a time (a tiled TIFF on disk, a Zarr array, a remote slide). */
export interface ImageRows {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Rows `[y0, y1)` of the whole width, channels-last, as stored (integers are put on [0, 1] by their type's maximum). */
  read(y0: number, y1: number): Promise<ImageArray<TypedArray>> | ImageArray<TypedArray>;
}

/** Options of {@link predictRows}: those of `predictTiled` that apply to an image read in bands. */
export interface PredictRowsOptions {
  /** Input tile size (valid for the network). Default: as `predictTiled` chooses. */
  readonly inputSize?: number;
  /** Tiles per `predict` call. Default 1. */
  readonly batchSize?: number;
  /** Test-time augmentation, as in `predictTiled`. Default: the model's. */
  readonly tta?: boolean | number;
  /** Activation memory for one batch when choosing the tile size, in bytes. Default 256 MiB. */
  readonly memoryBudget?: number;
  /** Same-padding models: context pixels per side shared by neighbouring tiles. Default: an eighth of the tile. */
  readonly overlap?: number;
  /** Intensity normalisation. Default: the model's, else `'scale'`. A z-score's statistics take a first pass over the image. */
  readonly normalization?: Normalization;
  /** Rows per read in the statistics pass. Default 256. */
  readonly bandRows?: number;
  /**
   * Only the output rows `[from, to)`, with the values the whole image's prediction gives them (a
   * block of a large image, predicted on its own: by a queue worker, say). Default: all rows.
   */
  readonly rows?: { readonly from: number; readonly to: number };
  /** Called after each batch of tiles with the tiles done and the total (as `predictTiled`'s); a returned promise is awaited. */
  readonly onProgress?: (done: number, total: number) => unknown;
  /** Stops the prediction between batches: it rejects with the signal's reason (an `AbortError` by default). */
  readonly signal?: AbortSignal;
}

/** A band of finished rows: probabilities `[y1 - y0, width, classes]`, channels-last. */
export interface ProbabilityRows {
  readonly y0: number;
  readonly y1: number;
  readonly probabilities: Float32Array;
  readonly classes: number;
}

/**
 * Predicts an image read a band of rows at a time and hands the class probabilities to `emit` a
 * band of rows at a time, top to bottom, each row once. Memory is bounded by the tile size, the
 * batch and the image's width, never by its height: an 8192 x 8192 slide needs a few hundred
 * rows at a time. Where the whole image fits in memory, the result equals `predictTiled`'s
 * exactly (the same tiles in the same order; a z-score's statistics are summed in the same order).
 *
 * Not for models that resample (`ModelInfo.scale` below 1) or that bring their own pre- or
 * postprocessing over the whole image (bioimage.io packages): use `predictTiled` for those.
 *
 * @throws {@link ArgumentError} for such models, a channel count the model does not take, or images under 2x2.
 * @example
 * ```ts
 * const source: ImageRows = { width: 8192, height: 8192, channels: 1, read: (y0, y1) => readRowsFromSomewhere(y0, y1) };
 * await predictRows(predictor, source, async ({ y0, y1, probabilities, classes }) => {
 *   await writeRows(y0, y1, probabilities, classes); // e.g. to a tiled TIFF
 * });
 * ```
 */
export async function predictRows(predictor: TilePredictor, source: ImageRows, emit: (rows: ProbabilityRows) => void | Promise<void>, options: PredictRowsOptions = {}): Promise<void> {
  const geometry = predictor.spec !== undefined ? specGeometry(predictor.spec) : predictor.geometry;
  if (geometry === undefined) throw new ArgumentError('predictor', 'must have a spec or a geometry', 'neither');
  if (predictor.prepare !== undefined || predictor.finish !== undefined) {
    throw new ArgumentError('predictor', 'must not declare its own pre- or postprocessing over the whole image (a bioimage.io package) to be predicted in bands; use predictTiled', 'a model with declared processing');
  }
  const scale = predictor.info?.scale ?? 1;
  if (scale !== 1) throw new ArgumentError('predictor.info.scale', 'must be 1 to predict in bands (the model resamples the whole image); use predictTiled', scale);
  const { width: W, height: H, channels: C } = source;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 2 || H < 2) throw new ArgumentError('source', 'must be at least 2x2 pixels (mirror extrapolation needs two)', `${W}x${H}`);
  if (C !== geometry.channels) throw new ArgumentError('source', `must have ${geometry.channels} channel(s) for this model`, `${C} channel(s)`);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batchSize);
  const tta = options.tta ?? predictor.info?.tta ?? false;
  const transforms = tta === true ? 8 : tta === false ? 1 : tta;
  if (!Number.isInteger(transforms) || transforms < 1 || transforms > 8) throw new ArgumentError('tta', 'must be a boolean or an integer from 1 to 8', options.tta);
  const bandRows = options.bandRows ?? 256;
  if (!Number.isInteger(bandRows) || bandRows < 1) throw new ArgumentError('bandRows', 'must be a positive integer', bandRows);

  const readBand = async (y0: number, y1: number): Promise<ImageArray<Float32Array>> => {
    const band = await source.read(y0, y1);
    if (band.width !== W || band.height !== y1 - y0 || (band.channels ?? 1) !== C || band.data.length !== W * (y1 - y0) * C) {
      throw new ArgumentError('source.read', `must return rows ${y0}..${y1 - 1}: ${W}x${y1 - y0} with ${C} channel(s)`, `${band.width}x${band.height} with ${band.channels ?? 1} channel(s), ${band.data.length} values`);
    }
    return unitScale(band);
  };
  const normalization = options.normalization ?? predictor.info?.normalization ?? { kind: 'scale' as const };
  let affine: ChannelAffine | undefined;
  if (normalization.kind === 'zscore') {
    // A first pass: the image's moments, summed band after band in raster order.
    const moments = { sums: new Float64Array(C), squares: new Float64Array(C) };
    for (let y0 = 0; y0 < H; y0 += bandRows) addMoments(await readBand(y0, Math.min(H, y0 + bandRows)), moments.sums, moments.squares);
    affine = zscoreAffine(moments, W * H);
  } else if (normalization.kind === 'percentiles') {
    affine = channelAffine({ data: new Float32Array(C), width: 1, height: 1, channels: C }, normalization);
  }
  await stitchRows(
    predictor,
    geometry,
    { width: W, height: H, channels: C },
    async (lo, hi) => {
      const unit = await readBand(lo, hi);
      return affine === undefined ? unit.data : applyAffine(unit.data, C, affine);
    },
    {
      batchSize,
      transforms,
      ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }),
      ...(options.memoryBudget === undefined ? {} : { memoryBudget: options.memoryBudget }),
      ...(options.overlap === undefined ? {} : { overlap: options.overlap }),
      ...(options.rows === undefined ? {} : { rows: options.rows }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    (y0, y1, probabilities) => emit({ y0, y1, probabilities, classes: predictor.classes }),
  );
}
