/**
 * Objects from a trained model: overlap-tile prediction, then the model's
 * calibrated threshold and object settings (or the caller's).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ImageArray, TypedArray } from '../core/image.js';
import { decideClasses } from '../metrics/report.js';
import { labelInstances, type InstanceOptions, type Instances } from '../regions/instances.js';
import { modelInfoOf } from '../compile/metadata.js';
import { isTilePredictor, predictTiled, type PredictOptions } from './predict.js';
import type { TilePredictor } from './predictor.js';

/** Options of {@link predictInstances}: prediction options, and object settings that override the model's. */
export interface PredictInstancesOptions extends PredictOptions, InstanceOptions {}

/** What {@link predictInstances} returns. */
export interface PredictedInstances extends Instances {
  /** Foreground probability per pixel. */
  readonly probability: Float32Array;
  /** Class per pixel at the threshold. */
  readonly classes: Int32Array;
  /** The threshold used. */
  readonly threshold: number;
}

/**
 * Predicts an image and labels its objects: the foreground probability is
 * thresholded at the model's calibrated threshold (stored by `train`; 0.5
 * when absent), and objects are formed with the model's calibrated settings
 * (border thinning, splitting, smallest object), each overridable.
 *
 * @param model - a trained model, or any tile predictor (e.g. ONNX Runtime).
 * @param image - the image (integer arrays are scaled and normalised as in training).
 * @example
 * ```ts
 * const { labels, count } = await predictInstances(model, image);
 * console.log(`${count} cells`);
 * ```
 */
export async function predictInstances(model: tf.LayersModel | TilePredictor, image: tf.Tensor3D | ImageArray<TypedArray>, options: PredictInstancesOptions = {}): Promise<PredictedInstances> {
  const info = isTilePredictor(model) ? (model.info ?? {}) : modelInfoOf(model);
  const { probabilities, labels } = await predictTiled(model, image, options);
  const [height, width, classes] = probabilities.shape;
  const values = await probabilities.data();
  probabilities.dispose();
  labels.dispose();
  const threshold = options.threshold ?? info.threshold ?? 0.5;
  const { foreground, predicted } = decideClasses(values, classes, threshold);
  const objects = labelInstances(foreground, width, height, { ...info.instances, ...pick(options), threshold });
  return { ...objects, probability: foreground, classes: predicted, threshold };
}

/** The object settings among the options. */
function pick(options: InstanceOptions): InstanceOptions {
  return {
    ...(options.thin === undefined ? {} : { thin: options.thin }),
    ...(options.split === undefined ? {} : { split: options.split }),
    ...(options.minSize === undefined ? {} : { minSize: options.minSize }),
  };
}
