/**
 * Saving and loading models with their spec, through any tfjs IO handler or
 * URL (`indexeddb://`, `localstorage://`, `downloads://`, `http(s)://`; in
 * Node, `tfjs-unet/node` adds file paths). The spec rides in the model's
 * metadata, so the saved files are a standard tfjs layers model.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { attachSpec, modelInfoOf, specOf, type ModelInfo } from './metadata.js';

/** A model and the spec it was built from. */
export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly spec: Spec;
  /** What training stored about using the model: normalisation, calibrated threshold, instance settings. */
  readonly info: ModelInfo;
}

/**
 * Saves `model` with `spec` in its metadata, and `info` (normalisation,
 * calibrated threshold; default: what the model already carries).
 *
 * @param destination - a tfjs URL (`indexeddb://unet`, `downloads://unet`, ...) or an IO handler.
 * @example
 * ```ts
 * await saveModel(model, spec, 'indexeddb://my-unet');
 * ```
 */
export async function saveModel(model: tf.LayersModel, spec: Spec, destination: string | tf.io.IOHandler, info?: ModelInfo): Promise<tf.io.SaveResult> {
  attachSpec(model, spec, info ?? modelInfoOf(model));
  return model.save(destination);
}

/**
 * Loads a model saved by {@link saveModel} and validates its spec (a hostile
 * or truncated file gives a clear error, never a silently wrong model). The
 * file is an ordinary tfjs layers model: `tf.loadLayersModel` reads it too.
 *
 * @param source - a tfjs URL or an IO handler.
 * @throws {@link ArgumentError} when the model cannot be read or carries no valid spec.
 * @example
 * ```ts
 * const { model, spec } = await loadModel('indexeddb://my-unet');
 * ```
 */
export async function loadModel(source: string | tf.io.IOHandler): Promise<LoadedModel> {
  const where = typeof source === 'string' ? source : 'the given IO handler';
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(source);
  } catch (error) {
    // An IO handler's own error already names the file and what is wrong with it.
    if (error instanceof ArgumentError) throw error;
    throw new ArgumentError('source', `must hold a readable tfjs layers model (${(error as Error).message})`, where);
  }
  let spec: Spec | undefined;
  let info: ModelInfo;
  try {
    spec = specOf(model);
    info = modelInfoOf(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (spec === undefined) {
    model.dispose();
    throw new ArgumentError('source', 'must hold a model saved with its tfjs-unet spec (saveModel)', where);
  }
  return { model, spec, info };
}
