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

/** A model folder's two files as `tfjs-unet train` writes them: `model.json` and a content-named weights file. */
export interface ModelFolderFiles {
  /** The text of `model.json` (topology, spec and info in its metadata, the weights manifest). */
  readonly modelJson: string;
  /** The weights file's name: `weights-` and the first 16 hex digits of its SHA-256. */
  readonly weightsFile: string;
  /** The weights' bytes. */
  readonly weights: Uint8Array;
}

/** All weight buffers of artifacts as one array. */
export function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/**
 * The files of a model folder for saved artifacts: what `modelDirectory`
 * writes in Node and what a page offers as downloads (the command line reads
 * either). The weights file is named by its content, so the same weights
 * give the same files.
 *
 * @throws {@link ArgumentError} for a binary (graph) topology.
 * @example
 * ```ts
 * let files: ModelFolderFiles | undefined;
 * await saveModel(model, spec, tf.io.withSaveHandler(async (a) => ((files = await modelFolderFiles(a)), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
 * ```
 */
export async function modelFolderFiles(artifacts: tf.io.ModelArtifacts): Promise<ModelFolderFiles> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ArgumentError('model', 'must be a layers model (binary graph topologies are not supported)', 'ArrayBuffer topology');
  }
  const weights = weightBytes(artifacts.weightData);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', weights as Uint8Array<ArrayBuffer>));
  const weightsFile = `weights-${Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')}.bin`;
  const modelJson = JSON.stringify({
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
    ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
  });
  return { modelJson, weightsFile, weights };
}

/**
 * A model and its spec as the files of a model folder (`model.json` and its
 * weights file, see {@link modelFolderFiles}), in memory: for a download
 * from a page, or any storage.
 *
 * @example
 * ```ts
 * const files = await modelFiles(model, spec); // { 'model.json': ..., 'weights-3f0c….bin': ... }
 * ```
 */
export async function modelFiles(model: tf.LayersModel, spec: Spec, info?: ModelInfo): Promise<Record<string, Uint8Array>> {
  let files: ModelFolderFiles | undefined;
  await saveModel(
    model,
    spec,
    tf.io.withSaveHandler(async (artifacts) => {
      files = await modelFolderFiles(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    info,
  );
  return { 'model.json': new TextEncoder().encode(files!.modelJson), [files!.weightsFile]: files!.weights };
}
