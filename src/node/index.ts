/**
 * tfjs-unet for Node: everything in `tfjs-unet`, plus file IO. `saveModel`
 * and `loadModel` here also accept directory paths and `file://` URLs.
 *
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs';
import { loadModel as loadWith, saveModel as saveWith, type LoadedModel } from '../compile/persist.js';
import type { ModelInfo } from '../compile/metadata.js';
import type { Spec } from '../spec/graph.js';
import { modelDirectory } from './model-files.js';
import { importOnnxRuntime } from './onnx-files.js';
import { train as trainWith, type TrainData, type TrainOptions, type TrainResult } from '../train/train.js';

export * from '../index.js';
export * from './io.js';
export { MissingPeerError } from './optional.js';
// Shadows the browser-safe useBackend of './index.js' (explicit exports win over `export *`).
export { useBackend, type NodeBackendOptions } from './use-backend.js';

/** {@link TrainOptions} with `engine: 'onnx'`: ONNX Runtime from `onnxruntime-node`. */
export interface NodeTrainOptions extends Omit<TrainOptions, 'engine'> {
  /** `'tfjs'` (default), `'onnx'` (onnxruntime-node, imported on first use), or as in {@link TrainOptions.engine}. */
  readonly engine?: TrainOptions['engine'] | 'onnx' | { readonly onnx: 'onnxruntime-node'; readonly threads?: number; readonly executionProviders?: readonly string[] };
}

/**
 * `train` with `engine: 'onnx'` available: the training step compiled into
 * one ONNX graph and run by onnxruntime-node (an optional peer; an install
 * hint when it is missing). Otherwise the same as `train` in `tfjs-unet`.
 *
 * @example
 * ```ts
 * const result = await train(model, { images, labels }, { budget: { minutes: 30 }, optimizer: 'adam', engine: 'onnx' });
 * ```
 */
export async function train(model: tf.LayersModel, data: TrainData, options: NodeTrainOptions): Promise<TrainResult> {
  const engine = options.engine;
  if (engine === 'onnx') return trainWith(model, data, { ...options, engine: { onnx: await importOnnxRuntime('the onnx training engine') } });
  if (typeof engine === 'object' && engine.onnx === 'onnxruntime-node') {
    return trainWith(model, data, { ...options, engine: { ...engine, onnx: await importOnnxRuntime('the onnx training engine') } });
  }
  return trainWith(model, data, { ...options, engine: engine as TrainOptions['engine'] });
}

function handlerFor(target: string | tf.io.IOHandler): string | tf.io.IOHandler {
  if (typeof target !== 'string') return target;
  if (target.startsWith('file://')) return modelDirectory(decodeURIComponent(target.slice('file://'.length)));
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : modelDirectory(target);
}

/**
 * Saves `model` with `spec`: to a directory (a path or `file://` URL, written
 * crash-safely), or to any tfjs URL or IO handler.
 *
 * @example
 * ```ts
 * await saveModel(model, spec, 'runs/unet');
 * ```
 */
export function saveModel(model: tf.LayersModel, spec: Spec, destination: string | tf.io.IOHandler, info?: ModelInfo): Promise<tf.io.SaveResult> {
  return saveWith(model, spec, handlerFor(destination), info);
}

/**
 * Loads a model saved with its spec from a directory (path or `file://`
 * URL), or from any tfjs URL or IO handler; validates the spec.
 *
 * @example
 * ```ts
 * const { model, spec } = await loadModel('runs/unet');
 * ```
 */
export function loadModel(source: string | tf.io.IOHandler): Promise<LoadedModel> {
  return loadWith(handlerFor(source));
}
