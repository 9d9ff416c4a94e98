/**
 * Prediction of image files to image files: the model a path names opened on the engine asked for,
 * and one image predicted to `NAME-mask.png`, `NAME-probability.png`, `NAME-overlay.png` (and
 * `NAME-instances.png`). `tfjs-unet predict` and the queue's workers both run these, so a job on a
 * worker writes the bytes the command writes.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BACKENDS, type BackendName } from '../backend/use.js';
import { modelInfoOf } from '../compile/metadata.js';
import { loadModel } from '../compile/persist.js';
import { ArgumentError } from '../core/errors.js';
import type { ImageArray } from '../core/image.js';
import { predictTiled } from '../infer/predict.js';
import { decisionThreshold, modelPredictor, type OwnedTilePredictor, type TilePredictor } from '../infer/predictor.js';
import { decideClasses } from '../metrics/report.js';
import { toOnnx } from '../onnx/export.js';
import { onnxPredictor } from '../onnx/predictor.js';
import { labelInstances } from '../regions/instances.js';
import { maskImage, overlay } from '../regions/overlay.js';
import { readImage, writeImage } from './images.js';
import { isLargeTiff, predictLargeImageFile } from './large-images.js';
import { isZarrPath } from './zarr-images.js';
import { modelDirectory } from './model-files.js';
import { importOnnxRuntime, loadOnnxPredictor } from './onnx-files.js';
import { modelPath } from './ready-made.js';
import { useBackend } from './use-backend.js';
import { isBioimageioPackage, loadBioimageioModel } from './zoo-files.js';

/** The engines a model can run on: `auto` takes ONNX Runtime when it is installed and no backend is asked for. */
export const PREDICT_ENGINES = ['auto', 'tfjs', 'onnx'] as const;

/** Which model, on which engine (the `--model`, `--engine`, `--backend`, `--threads` of `tfjs-unet predict`). */
export interface PredictorOptions {
  /** A model directory, a `.onnx` file from `tfjs-unet export`, a bioimage.io package, or a ready-made model's name. */
  readonly model: string;
  /** Default `'auto'`: a `.onnx` file or a package runs in onnxruntime-node; a model directory too when it is installed and no `backend` is given, else in tfjs. */
  readonly engine?: (typeof PREDICT_ENGINES)[number];
  /** The tfjs backend (tfjs engine). Default: tfjs-node when installed, else wasm, else cpu. */
  readonly backend?: BackendName;
  /** ONNX Runtime's intra-op threads, or the wasm backend's. Default: all cores. */
  readonly threads?: number;
}

/** How each image is predicted and which files it gives (the other flags of `tfjs-unet predict`). */
export interface PredictFileOptions {
  /** Test-time augmentation: `true` all 8 flips and rotations, `false` none. Default: as the model was calibrated. */
  readonly tta?: boolean;
  /** Tile input size. Default: the predictor's. */
  readonly tile?: number;
  /** Tiles per batch. Default 1. */
  readonly batch?: number;
  /** Decision threshold in [0, 1). Default: the model's calibrated one, else 0.5. */
  readonly threshold?: number;
  /** Also write `NAME-instances.png`, a 16-bit label image of the objects. Default false. */
  readonly instances?: boolean;
  /** Smallest object kept, in pixels. Default: as calibrated. */
  readonly minSize?: number;
  /**
   * Predict in bands of rows and write tiled BigTIFFs (`NAME-mask.tif`, ...), in memory bounded by
   * the image's width: `true` for any image, `false` never. Default: TIFF files of more than
   * `STREAM_PIXELS` pixels.
   */
  readonly stream?: boolean;
}

/** What {@link predictImageFile} wrote. */
export interface PredictedFile {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  /** The files written, in the order mask, probability, overlay (, instances). */
  readonly files: readonly string[];
  /** Objects in `NAME-instances.png`, when asked for. */
  readonly objects?: number;
  readonly seconds: number;
}

function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new ArgumentError('threads', 'must be a positive integer', threads);
}

/**
 * Selects `name`, else the best backend installed: tfjs-node(-gpu), then wasm (on `threads` threads), then cpu.
 *
 * @returns the backend's name.
 * @example
 * ```ts
 * await chooseBackend();        // 'tensorflow', 'wasm' or 'cpu', whichever is installed first
 * await chooseBackend('cpu');   // 'cpu'
 * ```
 */
export async function chooseBackend(name?: BackendName, threads?: number): Promise<BackendName> {
  checkThreads(threads);
  const options = threads === undefined ? {} : { threads };
  if (name !== undefined) {
    if (!BACKENDS.includes(name)) throw new ArgumentError('backend', `must be one of ${BACKENDS.join(', ')}`, name);
    await useBackend(name, options);
    return name;
  }
  for (const candidate of ['tensorflow', 'wasm'] as const) {
    try {
      await useBackend(candidate, options);
      return candidate;
    } catch {
      // not installed: try the next one
    }
  }
  await useBackend('cpu');
  return 'cpu';
}

/** onnxruntime-node for a model directory: required with `engine: 'onnx'`; with `auto`, when installed and no backend is asked for. */
async function runtimeFor(options: PredictorOptions) {
  const engine = options.engine ?? 'auto';
  if (engine === 'tfjs' || (engine === 'auto' && options.backend !== undefined)) return undefined;
  if (engine === 'onnx') return importOnnxRuntime('engine onnx');
  try {
    return await importOnnxRuntime();
  } catch {
    return undefined;
  }
}

/**
 * Opens the model `options.model` names as a tile predictor on the engine asked for; the caller
 * disposes it.
 *
 * @throws {@link ArgumentError} naming `model`, `engine`, `backend` or `threads` when they do not fit.
 * @example
 * ```ts
 * const predictor = await openPredictor({ model: 'runs/cells', engine: 'onnx' });
 * try {
 *   await predictImageFile(predictor, 'images/a.png', 'predictions', { instances: true });
 * } finally {
 *   await predictor.dispose();
 * }
 * ```
 */
export async function openPredictor(options: PredictorOptions): Promise<OwnedTilePredictor> {
  const engine = options.engine ?? 'auto';
  if (!PREDICT_ENGINES.includes(engine)) throw new ArgumentError('engine', `must be one of ${PREDICT_ENGINES.join(', ')}`, engine);
  checkThreads(options.threads);
  const path = await modelPath(options.model, 'model');
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  const isFile = await stat(path).then((st) => st.isFile(), () => false);
  if (!path.endsWith('.onnx') && (await isBioimageioPackage(path))) {
    if (engine === 'tfjs') throw new ArgumentError('engine', 'must be onnx or auto for a bioimage.io package (its ONNX weights run in ONNX Runtime; tfjs needs a model directory from tfjs-unet train)', engine);
    return (await loadBioimageioModel(path, threads)).predictor;
  }
  if (path.endsWith('.onnx') || (engine === 'onnx' && isFile)) {
    if (engine === 'tfjs') throw new ArgumentError('engine', 'must be onnx or auto for a .onnx file (tfjs needs a model directory from tfjs-unet train)', engine);
    return loadOnnxPredictor(path, threads);
  }
  const ort = await runtimeFor(options);
  await chooseBackend(options.backend, options.threads);
  const { model, spec } = await loadModel(modelDirectory(path));
  if (ort !== undefined) {
    // The model directory exported on the fly and run by ONNX Runtime.
    const info = modelInfoOf(model);
    const bytes = toOnnx(model, spec);
    model.dispose();
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: options.threads ?? availableParallelism() });
    return onnxPredictor(session, ort.Tensor, { spec, layout: 'NHWC', info });
  }
  const predictor = modelPredictor(model, spec);
  return {
    ...predictor,
    async dispose() {
      await predictor.dispose();
      model.dispose();
    },
  };
}

/**
 * Overlap-tile prediction of one image: all class probabilities, the decided classes, the
 * foreground probability, and the picture's probability (the foreground's for binary models, the
 * winning class's for more classes).
 *
 * @example
 * ```ts
 * const { predicted, classes } = await predictImage(predictor, await readImage('a.png'));
 * ```
 */
export async function predictImage(predictor: TilePredictor, image: ImageArray, options: PredictFileOptions = {}) {
  const { probabilities, labels } = await predictTiled(predictor, image as ImageArray<Uint8Array>, {
    ...(options.tta === undefined ? {} : { tta: options.tta }),
    batchSize: options.batch ?? 1,
    ...(options.tile === undefined ? {} : { inputSize: options.tile }),
  });
  const classes = probabilities.shape[2]!;
  const all = (await probabilities.data()) as Float32Array;
  tf.dispose([probabilities, labels]);
  const { foreground, predicted } = decideClasses(all, classes, decisionThreshold(predictor, options.threshold));
  const probability = classes === 2 ? foreground : Float32Array.from({ length: foreground.length }, (_, i) => Math.max(...all.subarray(i * classes, (i + 1) * classes)));
  return { predicted, probability, foreground, all, classes };
}

/**
 * Predicts the image file `file` and writes `NAME-mask.png` (classes spread over 0..255),
 * `NAME-probability.png`, `NAME-overlay.png` and, with `instances`, `NAME-instances.png` (16-bit
 * object labels) into `out`, each file written whole or not at all (temporary file, then rename).
 * The same image, model and options give the same bytes, so running it twice is harmless. A TIFF
 * larger than `STREAM_PIXELS`, an OME-Zarr folder (`NAME.zarr`), or any image with `stream: true`
 * is predicted in bands instead and written as tiled BigTIFFs (`predictLargeImageFile`).
 *
 * @throws {@link ArgumentError} naming `image` when the file does not decode, `instances` past 65535 objects.
 * @example
 * ```ts
 * const done = await predictImageFile(predictor, 'images/a.png', 'predictions', { instances: true });
 * done.files; // ['predictions/a-mask.png', 'predictions/a-probability.png', 'predictions/a-overlay.png', 'predictions/a-instances.png']
 * ```
 */
export async function predictImageFile(predictor: TilePredictor, file: string, out: string, options: PredictFileOptions = {}): Promise<PredictedFile> {
  if (isZarrPath(file) || (options.stream ?? (await isLargeTiff(file)))) return predictLargeImageFile(predictor, file, out, options);
  const image = await readImage(file, { argument: 'image' });
  const started = performance.now();
  const { predicted, probability, foreground, classes } = await predictImage(predictor, image, options);
  const base = join(out, basename(file, extname(file)));
  const files = [`${base}-mask.png`, `${base}-probability.png`, `${base}-overlay.png`];
  const { width, height } = image;
  let objects: number | undefined;
  let instances: Uint16Array | undefined;
  if (options.instances === true) {
    const settings = { ...predictor.info?.instances, ...(options.minSize === undefined ? {} : { minSize: options.minSize }) };
    const found = labelInstances(foreground, width, height, { ...settings, threshold: decisionThreshold(predictor, options.threshold) });
    if (found.count > 65535) throw new ArgumentError('instances', 'must fit a 16-bit label image (at most 65535 objects)', `${found.count} objects in ${file}`);
    objects = found.count;
    instances = Uint16Array.from(found.labels);
  }
  await writeImage(files[0]!, maskImage(predicted, width, height, classes));
  await writeImage(files[1]!, { data: probability, width, height });
  await writeImage(files[2]!, overlay(image, predicted));
  if (instances !== undefined) {
    files.push(`${base}-instances.png`);
    await writeImage(files[3]!, { data: instances, width, height });
  }
  return { image: file, width, height, files, ...(objects === undefined ? {} : { objects }), seconds: (performance.now() - started) / 1000 };
}
