/**
 * The engine behind overlap-tile inference: anything that turns a batch of
 * square NHWC input tiles into NHWC output tiles. A tfjs model is one
 * ({@link modelPredictor}); an ONNX Runtime session is another
 * (`onnxPredictor`); `predictTiled` runs the same tiling on either.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { modelInfoOf, specOf, type ModelInfo } from '../compile/metadata.js';
import { withInputSize } from '../compile/build.js';
import type { ImageArray } from '../core/image.js';
import type { TileGeometry } from './geometry.js';

/**
 * Runs batches of square tiles through a U-Net.
 *
 * @example
 * ```ts
 * // A predictor that answers 0.5 for both classes everywhere (for tests of the tiling).
 * const flat: TilePredictor = {
 *   spec, classes: 2,
 *   predict: async (_tiles, batch, size) => new Float32Array(batch * outputSize(spec, size) ** 2 * 2).fill(0.5),
 * };
 * ```
 */
export interface TilePredictor {
  /** The network's spec: tile sizes, margin and alignment come from it. Absent for imported models, which give {@link TilePredictor.geometry}. */
  readonly spec?: Spec;
  /** The tile geometry of a network without a spec (an imported bioimage.io package); ignored when `spec` is given. */
  readonly geometry?: TileGeometry;
  /** Output channels of {@link TilePredictor.predict} (classes, unless {@link TilePredictor.finish} says otherwise). */
  readonly classes: number;
  /**
   * Turns the whole image's raw values (channels-last, as read) into the
   * network's input, in place of `predictTiled`'s normalisation: for models
   * that declare their own preprocessing (bioimage.io packages), whose
   * statistics are over the whole image, never per tile.
   */
  prepare?(image: ImageArray<Float32Array>): ImageArray<Float32Array>;
  /**
   * Turns the stitched raw outputs `[height, width, classes]` into class
   * probabilities (declared postprocessing); a one-channel probability
   * becomes two classes, background and foreground.
   */
  finish?(outputs: Float32Array, width: number, height: number): { readonly data: Float32Array; readonly classes: number };
  /** What training stored about using the model (normalisation, threshold); `predictTiled` applies the normalisation. */
  readonly info?: ModelInfo;
  /**
   * Predicts `batch` tiles of `size` x `size` pixels, given row-major NHWC
   * (`[batch, size, size, channels]`); resolves to the NHWC outputs
   * `[batch, outputSize(spec, size), outputSize(spec, size), classes]`.
   */
  predict(tiles: Float32Array, batch: number, size: number): Promise<Float32Array>;
  /** Releases what the predictor holds (called by whoever created it). */
  dispose?(): void | Promise<void>;
}

/** A {@link TilePredictor} that holds resources: its creator calls `dispose()` when done. */
export interface OwnedTilePredictor extends TilePredictor {
  /** Releases what the predictor holds (models for other tile sizes, a runtime session). */
  dispose(): void | Promise<void>;
}

/**
 * A {@link TilePredictor} running a tfjs model on the current backend. Models
 * for other tile sizes share the model's weights (`withInputSize`) and are
 * disposed by `dispose()`; the model itself is left to its owner.
 *
 * @param model - a model built from a spec (`buildModel`, `loadModel`).
 * @param spec - its spec. Default: the spec in the model's metadata.
 * @example
 * ```ts
 * const predictor = modelPredictor(model);
 * const out = await predictor.predict(tiles, 1, 252); // [1, 68, 68, 2] for the depth-4 default
 * predictor.dispose();
 * ```
 */
export function modelPredictor(model: tf.LayersModel, spec: Spec | undefined = specOf(model)): OwnedTilePredictor {
  if (spec === undefined) throw new ArgumentError('options.spec', 'is required for a model that carries no spec in its metadata', undefined);
  const resized = new Map<number, tf.LayersModel>();
  const fixed = model.inputs[0]!.shape[1];
  const runnerFor = (size: number) => {
    if (fixed === null || fixed === size) return model;
    let runner = resized.get(size);
    if (runner === undefined) {
      runner = withInputSize(model, spec, size);
      resized.set(size, runner);
    }
    return runner;
  };
  const channels = model.inputs[0]!.shape[3]!;
  return {
    spec,
    classes: model.outputs[0]!.shape[3]!,
    info: modelInfoOf(model),
    async predict(tiles, batch, size) {
      const y = tf.tidy(() => runnerFor(size).predict(tf.tensor4d(tiles, [batch, size, size, channels])) as tf.Tensor);
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
    dispose() {
      for (const runner of resized.values()) runner.dispose();
      resized.clear();
    },
  };
}

/**
 * The decision threshold of a predictor: `threshold` when given, else the model's calibrated one,
 * else 0.5.
 *
 * @throws {@link ArgumentError} for a threshold outside [0, 1).
 * @example
 * ```ts
 * decisionThreshold(predictor, undefined); // e.g. 0.35 for a calibrated model
 * ```
 */
export function decisionThreshold(predictor: TilePredictor, threshold?: number): number {
  if (threshold === undefined) return predictor.info?.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold < 1)) throw new ArgumentError('threshold', 'must be a number in [0, 1)', threshold);
  return threshold;
}
