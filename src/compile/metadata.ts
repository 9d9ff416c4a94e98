/**
 * The spec travels with its model: in the model's user-defined metadata,
 * which tfjs writes into `model.json` and reads back on load. Beside it, what
 * training learned about using the model: the intensity normalisation, the
 * calibrated decision threshold, the instance settings and the test-time
 * augmentation they were calibrated with.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { SpecError } from '../spec/errors.js';
import { specFromJSON, specToJSON } from '../spec/json.js';
import { checkNormalization, type Normalization } from '../core/normalization.js';
import type { InstanceOptions } from '../regions/instances.js';

/** The key under which the spec sits in a model's user-defined metadata. */
export const METADATA_KEY = 'tfjsUnet';

/**
 * What a trained model needs besides its weights to be used as it was
 * validated: every prediction path (tfjs, ONNX, the CLI) applies it.
 */
export interface ModelInfo {
  /** How images become inputs. Absent: `{ kind: 'scale' }`. */
  readonly normalization?: Normalization;
  /** Calibrated decision threshold on the foreground probability (binary models). Absent: arg-max. */
  readonly threshold?: number;
  /** How objects are formed from the mask (calibrated `minSize`, `thin`, `split`). */
  readonly instances?: Omit<InstanceOptions, 'threshold'>;
  /**
   * Test-time augmentation the model was calibrated with: predictions average
   * over this many flips/rotations (2..8) unless told otherwise. Absent: none.
   */
  readonly tta?: number;
  /**
   * The scale the network works at: images are resized by this factor (area
   * averaging) before the network sees them and its probabilities resized
   * back (linearly), so objects have the size it was trained on. Absent: 1.
   */
  readonly scale?: number;
}

/** Stores `spec` (and `info`) in `model`'s user-defined metadata (kept by save and load). */
export function attachSpec(model: tf.LayersModel, spec: Spec, info: ModelInfo = modelInfoOf(model)): void {
  const existing = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  model.setUserDefinedMetadata({ ...existing, [METADATA_KEY]: { spec: JSON.parse(specToJSON(spec)) as unknown, ...(Object.keys(info).length === 0 ? {} : { info }) } });
}

function metadataEntry(model: tf.LayersModel): Record<string, unknown> | undefined {
  const metadata = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const entry = metadata?.[METADATA_KEY];
  if (entry === undefined) return undefined;
  if (typeof entry !== 'object' || entry === null || !('spec' in entry)) {
    throw new SpecError(`userDefinedMetadata.${METADATA_KEY}`, 'must be an object with a spec', entry);
  }
  return entry as Record<string, unknown>;
}

/**
 * The spec a model was built from, read from its metadata and validated
 * (untrusted: it may come from a file).
 *
 * @returns the spec, or undefined when the model carries none.
 * @throws {@link SpecError} when the stored spec is malformed.
 * @example
 * ```ts
 * const model = await tf.loadLayersModel('indexeddb://my-unet');
 * const spec = specOf(model); // the spec saved with it
 * ```
 */
export function specOf(model: tf.LayersModel): Spec | undefined {
  const entry = metadataEntry(model);
  return entry === undefined ? undefined : specFromJSON(entry.spec);
}

/**
 * Checks a {@link ModelInfo} of untrusted origin (a model file).
 *
 * @throws {@link ArgumentError} naming the field.
 * @example
 * ```ts
 * checkModelInfo(JSON.parse(text), 1, 'info');
 * ```
 */
export function checkModelInfo(value: unknown, channels: number, argument = 'info'): ModelInfo {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArgumentError(argument, 'must be an object', value);
  const { normalization, threshold, instances, tta, scale } = value as Record<string, unknown>;
  if (scale !== undefined && !(typeof scale === 'number' && scale > 0 && scale <= 1)) throw new ArgumentError(`${argument}.scale`, 'must be a number in (0, 1]', scale);
  if (tta !== undefined && !(Number.isInteger(tta) && (tta as number) >= 1 && (tta as number) <= 8)) throw new ArgumentError(`${argument}.tta`, 'must be an integer from 1 to 8', tta);
  if (normalization !== undefined) checkNormalization(normalization, channels, `${argument}.normalization`);
  if (threshold !== undefined && !(typeof threshold === 'number' && threshold >= 0 && threshold < 1)) {
    throw new ArgumentError(`${argument}.threshold`, 'must be a number in [0, 1)', threshold);
  }
  if (instances !== undefined) {
    if (typeof instances !== 'object' || instances === null) throw new ArgumentError(`${argument}.instances`, 'must be an object', instances);
    const { minSize, thin, split } = instances as Record<string, unknown>;
    if (minSize !== undefined && !(Number.isInteger(minSize) && (minSize as number) >= 0)) throw new ArgumentError(`${argument}.instances.minSize`, 'must be a non-negative integer', minSize);
    if (thin !== undefined && typeof thin !== 'boolean') throw new ArgumentError(`${argument}.instances.thin`, 'must be a boolean', thin);
    if (split !== undefined && typeof split !== 'boolean' && (typeof split !== 'object' || split === null)) throw new ArgumentError(`${argument}.instances.split`, 'must be a boolean or split options', split);
    const seedThreshold = typeof split === 'object' && split !== null ? (split as Record<string, unknown>).seedThreshold : undefined;
    if (seedThreshold !== undefined && !(typeof seedThreshold === 'number' && seedThreshold > 0 && seedThreshold < 1)) {
      throw new ArgumentError(`${argument}.instances.split.seedThreshold`, 'must be a number in (0, 1)', seedThreshold);
    }
  }
  return value as ModelInfo;
}

/**
 * What training stored about using a model (normalisation, calibrated
 * threshold, instance settings); `{}` for a model without it.
 *
 * @throws {@link ArgumentError} when the stored information is malformed.
 * @example
 * ```ts
 * const { threshold = 0.5 } = modelInfoOf(model);
 * ```
 */
export function modelInfoOf(model: tf.LayersModel): ModelInfo {
  const entry = metadataEntry(model);
  if (entry === undefined) return {};
  const channels = model.inputs[0]?.shape[3] ?? 1;
  return checkModelInfo(entry.info, channels, `userDefinedMetadata.${METADATA_KEY}.info`);
}
