/**
 * The spec travels with its model: in the model's user-defined metadata,
 * which tfjs writes into `model.json` and reads back on load.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { SpecError } from '../spec/errors.js';
import { specFromJSON, specToJSON } from '../spec/json.js';

/** The key under which the spec sits in a model's user-defined metadata. */
export const METADATA_KEY = 'tfjsUnet';

/** Stores `spec` in `model`'s user-defined metadata (kept by save and load). */
export function attachSpec(model: tf.LayersModel, spec: Spec): void {
  const existing = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  model.setUserDefinedMetadata({ ...existing, [METADATA_KEY]: { spec: JSON.parse(specToJSON(spec)) as unknown } });
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
  const metadata = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const entry = metadata?.[METADATA_KEY];
  if (entry === undefined) return undefined;
  if (typeof entry !== 'object' || entry === null || !('spec' in entry)) {
    throw new SpecError(`userDefinedMetadata.${METADATA_KEY}`, 'must be an object with a spec', entry);
  }
  return specFromJSON((entry as { spec: unknown }).spec);
}
