/**
 * Training checkpoints as data: everything needed to continue a run (model
 * weights including batch-norm statistics, optimizer state, step, random
 * state, history, best weights) in one JSON-safe object plus one binary blob.
 * Writing them somewhere is the caller's job (see `fileCheckpoints` in
 * `tfjs-unet/node`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import type { RandomState } from '../core/random.js';
import type { ValidationRecord } from './validation.js';

/** The `format` tag of checkpoints. */
export const CHECKPOINT_FORMAT = 'tfjs-unet/checkpoint';

/** One training step's record. */
export interface StepRecord {
  readonly step: number;
  readonly loss: number;
}


/** Where a checkpoint's tensors sit in its binary blob. */
export interface TensorManifest {
  readonly name: string;
  readonly shape: number[];
  /** Offset in floats into `Checkpoint.data`. */
  readonly offset: number;
}

/** Everything needed to resume training. `data` holds every tensor as float32. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  readonly spec: Spec;
  /** Steps completed. */
  readonly step: number;
  readonly random: RandomState;
  readonly history: readonly StepRecord[];
  readonly validations: readonly ValidationRecord[];
  readonly best: { readonly step: number; readonly value: number } | null;
  /** Validations since the best one (for early stopping). */
  readonly sinceBest: number;
  /** Seconds of training so far (a run with a time budget continues with what is left). */
  readonly seconds?: number;
  readonly weights: readonly TensorManifest[];
  readonly optimizerWeights: readonly TensorManifest[];
  /** Present when best weights are kept. */
  readonly bestWeights: readonly TensorManifest[] | null;
  /** The deep-supervision heads' weights (`supervision_1/kernel`, ...), present when the run has heads. */
  readonly headWeights?: readonly TensorManifest[];
  /** The moving average of the trainable weights (`train`'s `ema`), present when the run averages. */
  readonly averageWeights?: readonly TensorManifest[];
  readonly data: Float32Array;
}

/** Packs named float arrays into one buffer and a manifest. */
export function packTensors(groups: readonly (readonly { name: string; shape: number[]; values: Float32Array }[])[]): {
  manifests: TensorManifest[][];
  data: Float32Array;
} {
  const total = groups.flat().reduce((n, t) => n + t.values.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  const manifests = groups.map((group) =>
    group.map((t) => {
      data.set(t.values, offset);
      const entry = { name: t.name, shape: t.shape, offset };
      offset += t.values.length;
      return entry;
    }),
  );
  return { manifests, data };
}

/** The float values of a manifest entry. */
export function unpack(entry: TensorManifest, data: Float32Array): Float32Array {
  const size = entry.shape.reduce((a, b) => a * b, 1);
  if (entry.offset < 0 || entry.offset + size > data.length) {
    throw new Error(`checkpoint tensor '${entry.name}' lies outside the checkpoint data (truncated file?)`);
  }
  return data.subarray(entry.offset, entry.offset + size);
}

/** The current values of a model's weights (all of them, batch-norm statistics included). */
export function weightValues(model: tf.LayersModel): { name: string; shape: number[]; values: Float32Array }[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[], values: Float32Array.from(w.read().dataSync()) }));
}

/** Sets a model's weights from manifest entries, in order, checking names and shapes. */
export function setWeightValues(model: tf.LayersModel, entries: readonly TensorManifest[], data: Float32Array): void {
  if (entries.length !== model.weights.length) {
    throw new Error(`checkpoint holds ${entries.length} weights, the model has ${model.weights.length}`);
  }
  const tensors = entries.map((entry, i) => {
    const w = model.weights[i]!;
    if (entry.name !== w.originalName || entry.shape.join('x') !== w.shape.join('x')) {
      throw new Error(`checkpoint weight ${i} is '${entry.name}' [${entry.shape}], the model expects '${w.originalName}' [${w.shape}]`);
    }
    return tf.tensor(unpack(entry, data), entry.shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}
