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
import { registerOnnxRuntime } from '../train/engines.js';
import type { TrainOptions } from '../train/train.js';

export * from '../index.js';
export * from './io.js';
export { MissingPeerError } from './optional.js';
// Shadows the browser-safe useBackend of './index.js' (explicit exports win over `export *`).
export { useBackend, type NodeBackendOptions } from './use-backend.js';

// `engine: 'onnx'` (or `{ onnx: 'onnxruntime-node' }`) trains on onnxruntime-node, an optional peer imported on first use.
registerOnnxRuntime('onnxruntime-node', () => importOnnxRuntime('the onnx training engine'));

/**
 * {@link TrainOptions}: in `tfjs-unet/node`, `engine: 'onnx'` runs on
 * onnxruntime-node (registered by this entry).
 *
 * @deprecated Use `TrainOptions`; `train` is the same function in both entries.
 * @example
 * ```ts
 * const options: NodeTrainOptions = { budget: { minutes: 30 }, optimizer: 'adam', engine: 'onnx' };
 * ```
 */
export type NodeTrainOptions = TrainOptions;

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
