/**
 * ONNX files in Node: export a model to a `.onnx` file (crash-safely) and
 * run one with `onnxruntime-node`, an optional peer imported only here.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Spec } from '../spec/graph.js';
import { ArgumentError, describe } from '../core/errors.js';
import { toOnnx, type OnnxExportOptions } from '../onnx/export.js';
import { readOnnxInfo, type OnnxModelInfo } from '../onnx/metadata.js';
import { openOnnxModel, type OrtModuleLike } from '../onnx/predictor.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
import { importOptional } from './optional.js';
import { writeFileAtomic } from './atomic.js';

/** Where {@link exportOnnx} writes, and how. */
export type OnnxExportTarget = string | (OnnxExportOptions & { readonly path: string });

/**
 * Writes `model` as an ONNX model file (see `toOnnx`), crash-safely: a
 * reader sees the old file or the new one.
 *
 * @param model - a model built from `spec`.
 * @param spec - its spec, or undefined for the one in the model's metadata.
 * @param target - the file path, or `{ path, layout, inputSize }`.
 * @returns the bytes written.
 * @example
 * ```ts
 * await exportOnnx(model, spec, 'unet.onnx');
 * await exportOnnx(model, spec, { path: 'unet-nchw.onnx', layout: 'NCHW' });
 * ```
 */
export async function exportOnnx(model: tf.LayersModel, spec: Spec | undefined, target: OnnxExportTarget): Promise<Uint8Array> {
  const { path, ...options } = typeof target === 'string' ? { path: target } : target;
  if (typeof path !== 'string' || path === '') throw new ArgumentError('path', 'must be a non-empty file path', path);
  const bytes = toOnnx(model, spec, options);
  await writeFileAtomic(path, bytes);
  return bytes;
}

/** Options of {@link loadOnnxPredictor}. */
export interface OnnxPredictorOptions {
  /** ORT intra-op threads. Default: the machine's available parallelism. */
  readonly threads?: number;
}

const ORT_HINT = 'npm install onnxruntime-node (set onnxruntime-node-install=skip in .npmrc to keep its install step offline; see docs/backends.md)';

type OrtModule = OrtModuleLike;

/** `onnxruntime-node`, imported on first use; `purpose` names what needs it in the install hint. */
export async function importOnnxRuntime(purpose = 'ONNX inference'): Promise<OrtModule> {
  const module = await importOptional<OrtModule & { default?: OrtModule }>('onnxruntime-node', purpose, ORT_HINT);
  return module.InferenceSession === undefined && module.default !== undefined ? module.default : module;
}

/**
 * Opens an ONNX model exported by tfjs-unet with `onnxruntime-node` (CPU,
 * `threads` intra-op threads) as a `TilePredictor` for `predictTiled`, with
 * the spec and layout read from the file. Call `dispose()` when done.
 *
 * @throws Error with an install hint when onnxruntime-node is missing;
 *   {@link ArgumentError} for a file that is not a tfjs-unet ONNX model.
 * @example
 * ```ts
 * const predictor = await loadOnnxPredictor('unet.onnx', { threads: 2 });
 * const { labels } = await predictTiled(predictor, image);
 * await predictor.dispose();
 * ```
 */
export async function loadOnnxPredictor(path: string, options: OnnxPredictorOptions = {}): Promise<OwnedTilePredictor & OnnxModelInfo> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new ArgumentError('threads', 'must be a positive integer', threads);
  const what = 'an ONNX file written by `tfjs-unet export` (or a model folder)';
  const bytes = new Uint8Array(
    await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new ArgumentError('model', `must be ${what}, and ${error.code === 'ENOENT' ? 'nothing exists at this path' : `this file cannot be read (${error.code ?? error.message})`}`, path);
    }),
  );
  try {
    readOnnxInfo(bytes);
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    throw new ArgumentError('model', `must be ${what}, and this file ${error.rule.startsWith('must be an ONNX model exported') ? 'has no tfjs-unet spec in its metadata' : 'is not ONNX'} (${describe(error.received)})`, path);
  }
  const ort = await importOnnxRuntime();
  return openOnnxModel(bytes, ort, { threads });
}
