/**
 * Training samples from large images: random input tiles of a valid size,
 * augmented and mirror-extrapolated in one resampling, with labels and
 * weights cropped to the network's output window.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { checkInputSize, outputSize } from '../geometry/tiles.js';
import { outputChannels } from '../geometry/table.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { applyGrayValues, AUGMENT_OPS, checkPipeline, geometricMap, PAPER_AUGMENTATION, weakenPipeline, type AugmentOp } from '../augment/pipeline.js';
import { valueScale } from '../core/normalization.js';
import { Random } from '../core/random.js';
import { applyAffine, channelAffine, imageRange, unitScale, type ChannelAffine, type Normalization } from '../core/normalization.js';
import { resample } from '../augment/sampling.js';
import type { Boundary } from '../core/boundary.js';

/** Options of {@link sampleTiles}. */
export interface TileOptions {
  /** The network: fixes the output window and the margin. */
  readonly spec: Spec;
  /** Input tile size; must be valid for `spec`. */
  readonly inputSize: number;
  /**
   * Augmentation applied to each tile before cropping. Default {@link PAPER_AUGMENTATION}; `[]`
   * for none. Gray-value steps act on the range each image spans (its 0.5 and 99.5 percentiles
   * mapped to 0 and 1), so a brightness step of 0.05 is 5% of what the image shows, whatever its
   * bit depth.
   */
  readonly pipeline?: readonly AugmentOp[];
  /**
   * The pipeline's strength for the next tile, in [0, 1], read once per tile
   * (`weakenPipeline`): a ramp over a run starts at 0. Default: always 1.
   */
  readonly strength?: () => number;
  /** Seed (or generator) of tile positions and augmentation. */
  readonly seed?: number | Random;
  /** Boundary rule beyond the image. Default `'mirror'` (the overlap-tile extrapolation). */
  readonly boundary?: Boundary;
  /** Divide integer images by their type's maximum (255, 65535, ...). Default true. */
  readonly normalize?: boolean;
  /** Intensity normalisation after gray-value augmentation (needs `normalize`). Default `{ kind: 'scale' }`. */
  readonly normalization?: Normalization;
  /**
   * Share of the tiles whose output window is centred on a foreground pixel
   * (any label but 0, drawn uniformly over all images), in [0, 1]; the rest
   * are placed uniformly. Objects on a large background are otherwise rare in
   * the tiles (nnU-Net forces a third). Default 0.
   */
  readonly foreground?: number;
}

/** One training tile. */
export interface Tile {
  /** The input tile, float32, `inputSize x inputSize x channels`. */
  readonly image: ImageArray<Float32Array>;
  /** Class indices in the output window, int32. */
  readonly label: ImageArray<Int32Array>;
  /** Per-pixel weights in the output window, float32 (1 where no weights were given). */
  readonly weights: ImageArray<Float32Array>;
  /** Which source image the tile came from. */
  readonly source: number;
}

/**
 * An endless generator of random training tiles. Each tile: pick a source
 * image (in proportion to its area), pick an output window inside it, draw
 * the augmentation as one coordinate map over the input tile (the window
 * grown by the network's margin), and resample the image there (cubic,
 * mirrored beyond the image borders) and the labels (nearest) and weights
 * (linear) only inside the output window. Augmentation therefore happens
 * before cropping: the loss never sees a border artefact.
 *
 * @param images - source images.
 * @param labels - class-index labels, one per image, same sizes.
 * @param weights - optional weight maps (e.g. from `weightMap`), same sizes.
 * @param options - network, tile size, augmentation, seed.
 * @example
 * ```ts
 * const tiles = sampleTiles(images, labels, weights, { spec, inputSize: 188, seed: 1 });
 * const { image, label, weights: w } = tiles.next().value;
 * ```
 */
export function* sampleTiles(
  images: readonly ImageArray<TypedArray>[],
  labels: readonly ImageArray<TypedArray>[],
  weights: readonly ImageArray<TypedArray>[] | undefined,
  options: TileOptions,
): Generator<Tile, never, undefined> {
  const plan = planTiles(images, labels, weights, options);
  for (;;) yield drawTile(plan);
}

interface TilePlan {
  readonly images: readonly ImageArray<TypedArray>[];
  readonly labels: readonly ImageArray<TypedArray>[];
  readonly weights: readonly ImageArray<TypedArray>[] | undefined;
  readonly inputSize: number;
  readonly output: number;
  readonly margin: number;
  readonly pipeline: readonly AugmentOp[];
  readonly strength: (() => number) | undefined;
  readonly random: Random;
  readonly boundary: Boundary;
  readonly normalize: boolean;
  /** Per source image: the normalisation's affine map, or undefined for none. */
  readonly affines: readonly (ChannelAffine | undefined)[];
  /** Per source image: the range its values span on the [0, 1] scale (`imageRange`), where gray-value steps act; undefined without such steps. */
  readonly grayRanges: readonly ({ readonly low: number; readonly high: number } | undefined)[];
  readonly cumulativeArea: Float64Array;
  readonly foreground: number;
  /** Per source image: its foreground pixels' indices (only with `foreground` > 0). */
  readonly foregroundPixels: readonly Int32Array[];
  /** Running totals of the foreground pixels over the images. */
  readonly cumulativeForeground: Float64Array;
}

function planTiles(
  images: readonly ImageArray<TypedArray>[],
  labels: readonly ImageArray<TypedArray>[],
  weights: readonly ImageArray<TypedArray>[] | undefined,
  options: TileOptions,
): TilePlan {
  if (!Array.isArray(images) || images.length === 0) throw new ArgumentError('images', 'must be a non-empty array of image arrays', images);
  if (!Array.isArray(labels) || labels.length !== images.length) {
    throw new ArgumentError('labels', `must hold one label image per image (${images.length})`, labels);
  }
  if (weights !== undefined && (!Array.isArray(weights) || weights.length !== images.length)) {
    throw new ArgumentError('weights', `must hold one weight map per image (${images.length}) or be undefined`, weights);
  }
  images.forEach((image, i) => {
    checkImageArray(`images[${i}]`, image);
    const others: [string, ImageArray<TypedArray> | undefined][] = [[`labels[${i}]`, labels[i]], [`weights[${i}]`, weights?.[i]]];
    for (const [name, other] of others) {
      if (other === undefined) continue;
      if (checkImageArray(name, other) !== 1) throw new ArgumentError(`${name}.channels`, 'must be 1', other.channels);
      if (other.width !== image.width || other.height !== image.height) {
        throw new ArgumentError(name, `must be ${image.width}x${image.height} like images[${i}]`, `${other.width}x${other.height}`);
      }
    }
  });
  const inputSize = checkInputSize(options.spec, options.inputSize);
  const output = outputSize(options.spec, inputSize);
  const pipeline = options.pipeline ?? PAPER_AUGMENTATION;
  checkPipeline(pipeline);
  const cumulativeArea = new Float64Array(images.length);
  images.reduce((total, image, i) => (cumulativeArea[i] = total + image.width * image.height), 0);
  const foreground = options.foreground ?? 0;
  if (!(foreground >= 0 && foreground <= 1)) throw new ArgumentError('foreground', 'must be a share of the tiles in [0, 1]', foreground);
  const foregroundPixels = foreground === 0 ? [] : labels.map(foregroundIndices);
  const cumulativeForeground = new Float64Array(foregroundPixels.length);
  foregroundPixels.reduce((total, pixels, i) => (cumulativeForeground[i] = total + pixels.length), 0);
  return {
    images,
    labels,
    weights,
    inputSize,
    output,
    margin: (inputSize - output) / 2,
    pipeline,
    strength: options.strength,
    random: options.seed instanceof Random ? options.seed : new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32)),
    boundary: options.boundary ?? 'mirror',
    normalize: options.normalize ?? true,
    affines: images.map((image) =>
      options.normalization === undefined || options.normalization.kind === 'scale' || options.normalize === false
        ? undefined
        : channelAffine(unitScale(image), options.normalization),
    ),
    cumulativeArea,
    grayRanges: images.map((image) => {
      if (!pipeline.some((op) => AUGMENT_OPS[op.kind].stage === 'gray')) return undefined;
      const { low, high } = imageRange(image);
      const units = (options.normalize ?? true) ? 1 : valueScale(image.data);
      return { low: low * units, high: high * units };
    }),
    foreground,
    foregroundPixels,
    cumulativeForeground,
  };
}

/** Indices of the pixels whose label is not 0. */
function foregroundIndices(label: ImageArray<TypedArray>): Int32Array {
  let count = 0;
  for (let i = 0; i < label.data.length; i++) if (label.data[i] !== 0) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < label.data.length; i++) if (label.data[i] !== 0) out[k++] = i;
  return out;
}

/** The index of the first running total above `pick`. */
function sourceOf(cumulative: Float64Array, pick: number): number {
  let source = 0;
  while (cumulative[source]! <= pick && source < cumulative.length - 1) source++;
  return source;
}

/** Where a tile's output window lies: its source image and top-left corner. */
function drawWindow(plan: TilePlan): { source: number; top: number; left: number } {
  const { random, output } = plan;
  const foregroundTotal = plan.cumulativeForeground[plan.cumulativeForeground.length - 1] ?? 0;
  if (plan.foreground > 0 && foregroundTotal > 0 && random.uniform() < plan.foreground) {
    // Centred on a foreground pixel, kept inside the image where it fits.
    const pick = random.int(foregroundTotal);
    const source = sourceOf(plan.cumulativeForeground, pick);
    const pixel = plan.foregroundPixels[source]![pick - (source === 0 ? 0 : plan.cumulativeForeground[source - 1]!)]!;
    const { width, height } = plan.images[source]!;
    const centred = (at: number, size: number) => (size >= output ? Math.min(size - output, Math.max(0, at - (output >> 1))) : at - (output >> 1));
    return { source, top: centred(Math.floor(pixel / width), height), left: centred(pixel % width, width) };
  }
  const source = sourceOf(plan.cumulativeArea, random.uniform() * plan.cumulativeArea[plan.cumulativeArea.length - 1]!);
  const image = plan.images[source]!;
  // Output window top-left: inside the image when it fits, else anywhere that covers it.
  const top = image.height >= output ? random.int(image.height - output + 1) : -random.int(output - image.height + 1);
  const left = image.width >= output ? random.int(image.width - output + 1) : -random.int(output - image.width + 1);
  return { source, top, left };
}

function drawTile(plan: TilePlan): Tile {
  const { random, inputSize, output, margin } = plan;
  const { source, top, left } = drawWindow(plan);
  const image = plan.images[source]!;
  const strength = plan.strength?.() ?? 1;
  const pipeline = strength >= 1 ? plan.pipeline : weakenPipeline(plan.pipeline, Math.max(0, strength));
  const { ys, xs, identity } = geometricMap(pipeline, inputSize, inputSize, new Random(random.nextUint32()));
  for (let k = 0; k < ys.length; k++) {
    ys[k] = ys[k]! + top - margin;
    xs[k] = xs[k]! + left - margin;
  }
  // Without a geometric step the map is a whole-pixel shift, where cubic and linear sampling equal nearest.
  const sampled = resample(image, ys, xs, inputSize, { order: identity ? 'nearest' : 'cubic', boundary: plan.boundary });
  const scale = plan.normalize ? valueScale(image.data) : 1;
  const data = new Float32Array(sampled.data.length);
  for (let i = 0; i < data.length; i++) data[i] = sampled.data[i]! / scale;
  const gray = new Random(random.nextUint32());
  const range = plan.grayRanges[source];
  if (range === undefined) {
    applyGrayValues(data, pipeline, gray);
  } else {
    // Gray-value steps act on the range the image spans (a dim 16-bit image is not the [0, 1] scale's 1%).
    const span = range.high - range.low;
    for (let i = 0; i < data.length; i++) data[i] = (data[i]! - range.low) / span;
    applyGrayValues(data, pipeline, gray);
    for (let i = 0; i < data.length; i++) data[i] = range.low + data[i]! * span;
  }
  const affine = plan.affines[source];
  if (affine !== undefined) applyAffine(data, image.channels ?? 1, affine);
  const tileImage = { data, width: inputSize, height: inputSize, channels: image.channels ?? 1 };
  // Labels and weights only inside the output window.
  const wy = new Float64Array(output * output);
  const wx = new Float64Array(output * output);
  for (let y = 0, k = 0; y < output; y++)
    for (let x = 0; x < output; x++, k++) {
      const t = (y + margin) * inputSize + (x + margin);
      wy[k] = ys[t]!;
      wx[k] = xs[t]!;
    }
  const label = resample(plan.labels[source]!, wy, wx, output, { order: 'nearest', boundary: plan.boundary });
  const weightMap = plan.weights?.[source];
  const weights =
    weightMap === undefined
      ? new Float32Array(output * output).fill(1)
      : Float32Array.from(resample(weightMap, wy, wx, output, { order: identity ? 'nearest' : 'linear', boundary: plan.boundary }).data as ArrayLike<number>);
  return {
    image: tileImage,
    label: { data: Int32Array.from(label.data as ArrayLike<number>), width: output, height: output, channels: 1 },
    weights: { data: weights, width: output, height: output, channels: 1 },
    source,
  };
}


/**
 * The next `batchSize` tiles of a sampler: the one batching step of
 * `train` and {@link tileBatches}.
 *
 * @example
 * ```ts
 * const batch = drawBatch(sampleTiles(images, labels, undefined, { spec, inputSize: 188 }), 4);
 * ```
 */
export function drawBatch(tiles: Iterator<Tile, never, undefined>, batchSize: number): Tile[] {
  return Array.from({ length: batchSize }, () => tiles.next().value);
}

/** Options of {@link tileBatches}. */
export interface BatchOptions extends TileOptions {
  /** Tiles per batch. Default 1 (the paper: one large tile per step). */
  readonly batchSize?: number;
  /** Number of classes for the one-hot labels. Default: the spec's output channels (`outputChannels`). */
  readonly classes?: number;
}

/** A batch of training tensors. The consumer owns them and must dispose them. */
export interface TileBatch {
  /** Input tiles `[batch, inputSize, inputSize, channels]`. */
  readonly x: tf.Tensor4D;
  /** One-hot labels `[batch, out, out, classes]`. */
  readonly y: tf.Tensor4D;
  /** Per-pixel weights `[batch, out, out]`. */
  readonly weights: tf.Tensor3D;
}

/** Runs `work` in a later macrotask, so it can overlap with asynchronous backend work (GPU, tfjs-node). */
function later<T>(work: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const run = () => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    };
    if (typeof setImmediate === 'function') setImmediate(run);
    else setTimeout(run, 0);
  });
}

/**
 * Batches of random training tiles as tfjs tensors, through an async
 * iterator. The next batch's tiles are prepared in a macrotask scheduled
 * while the current batch is in use, so with an asynchronous backend
 * (WebGL, tfjs-node) sampling and augmentation overlap the training step;
 * on the synchronous cpu and wasm backends they simply run between steps.
 * Tensors are created only when a batch is handed out; dispose them after
 * the step (the iterator holds no tensors).
 *
 * @example
 * ```ts
 * for await (const { x, y, weights } of tileBatches(images, labels, maps, { spec, inputSize: 188, batchSize: 2 })) {
 *   // ... one training step ...
 *   tf.dispose([x, y, weights]);
 *   if (++step === 100) break;
 * }
 * ```
 */
export async function* tileBatches(
  images: readonly ImageArray<TypedArray>[],
  labels: readonly ImageArray<TypedArray>[],
  weights: readonly ImageArray<TypedArray>[] | undefined,
  options: BatchOptions,
): AsyncGenerator<TileBatch, never, undefined> {
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batchSize);
  const classes = options.classes ?? outputChannels(options.spec);
  const tiles = sampleTiles(images, labels, weights, options);
  const draw = () => drawBatch(tiles, batchSize);
  let pending = later(draw);
  for (;;) {
    const tiles = await pending;
    pending = later(draw);
    yield tilesToTensors(tiles, classes);
  }
}

/** A batch of tiles as flat arrays, with the shapes they have in their layout. */
export interface TileArrays {
  /** Images: `[batch, size, size, channels]` (NHWC) or `[batch, channels, size, size]` (NCHW). */
  readonly x: Float32Array;
  /** One-hot labels: `[batch, out, out, classes]` (NHWC) or `[batch, classes, out, out]` (NCHW). */
  readonly y: Float32Array;
  /** Per-pixel loss weights: `[batch, out, out]`. */
  readonly weights: Float32Array;
  readonly xShape: [number, number, number, number];
  readonly yShape: [number, number, number, number];
  readonly weightsShape: [number, number, number];
}

/**
 * Stacks tiles into flat arrays: images, one-hot labels, weights, channels
 * last (tfjs) or first (ONNX).
 *
 * @throws {@link ArgumentError} when a label is outside `[0, classes)`.
 * @example
 * ```ts
 * const { x, y, weights } = tilesToArrays([tiles.next().value], 2, 'NCHW');
 * ```
 */
export function tilesToArrays(tiles: readonly Tile[], classes: number, layout: 'NHWC' | 'NCHW' = 'NHWC'): TileArrays {
  const first = tiles[0]!;
  const { width: size, channels = 1 } = first.image;
  const out = first.label.width;
  const n = tiles.length;
  const x = new Float32Array(n * size * size * channels);
  const y = new Float32Array(n * out * out * classes);
  const w = new Float32Array(n * out * out);
  const pixels = size * size;
  const outPixels = out * out;
  tiles.forEach((tile, b) => {
    if (layout === 'NHWC' || channels === 1) x.set(tile.image.data, b * pixels * channels);
    else for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) x[(b * channels + c) * pixels + p] = tile.image.data[p * channels + c]!;
    w.set(tile.weights.data, b * outPixels);
    const labels = tile.label.data;
    for (let p = 0; p < labels.length; p++) {
      const c = labels[p]!;
      if (c < 0 || c >= classes) {
        throw new ArgumentError(`labels[${tile.source}]`, `must hold class indices in [0, ${classes}) (set \`classes\`, or map 255 to 1)`, c);
      }
      y[layout === 'NHWC' ? (b * outPixels + p) * classes + c : (b * classes + c) * outPixels + p] = 1;
    }
  });
  return {
    x,
    y,
    weights: w,
    xShape: layout === 'NHWC' ? [n, size, size, channels] : [n, channels, size, size],
    yShape: layout === 'NHWC' ? [n, out, out, classes] : [n, classes, out, out],
    weightsShape: [n, out, out],
  };
}

/**
 * Stacks tiles into a batch of tensors: images, one-hot labels, weights.
 *
 * @throws {@link ArgumentError} when a label is outside `[0, classes)`.
 * @example
 * ```ts
 * const { x, y, weights } = tilesToTensors([tiles.next().value], 2);
 * ```
 */
export function tilesToTensors(tiles: readonly Tile[], classes: number): TileBatch {
  const a = tilesToArrays(tiles, classes, 'NHWC');
  return { x: tf.tensor4d(a.x, a.xShape), y: tf.tensor4d(a.y, a.yShape), weights: tf.tensor3d(a.weights, a.weightsShape) };
}
