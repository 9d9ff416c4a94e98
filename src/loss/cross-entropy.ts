/**
 * The paper's loss: pixel-wise softmax cross-entropy weighted by a per-pixel
 * weight map, as a plain function for custom loops and as a `model.compile`
 * loss that reads weights packed into `yTrue`.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/errors.js';

/** How per-pixel losses are reduced. */
export const REDUCTIONS = ['mean', 'weightedMean', 'sum', 'none'] as const;
/**
 * - `'mean'` (default): sum of w * ce over all pixels, divided by the number of pixels
 *   (Keras's sum-over-batch-size convention for sample weights).
 * - `'weightedMean'`: divided by the sum of the weights instead.
 * - `'sum'`: the plain sum.
 * - `'none'`: the weighted per-pixel losses, shape `[b, h, w]`.
 */
export type Reduction = (typeof REDUCTIONS)[number];

/** Options of the weighted cross-entropy losses. */
export interface CrossEntropyOptions {
  /** Default `'mean'`. */
  readonly reduction?: Reduction;
}

const shapeText = (t: tf.Tensor) => `[${t.shape.join(', ')}]`;

/** One-hot labels of `logits`' shape from one-hot or class-index labels. */
function oneHotLike(labels: tf.Tensor, logits: tf.Tensor, argument: string): tf.Tensor {
  const classes = logits.shape[logits.rank - 1]!;
  if (labels.rank === logits.rank) {
    if (!tf.util.arraysEqual(labels.shape, logits.shape)) {
      throw new ArgumentError(argument, `must be one-hot with the logits' shape ${shapeText(logits)} or class indices of shape [${logits.shape.slice(0, -1).join(', ')}]`, shapeText(labels));
    }
    return labels.toFloat();
  }
  if (labels.rank === logits.rank - 1 && tf.util.arraysEqual(labels.shape, logits.shape.slice(0, -1))) {
    return tf.oneHot(labels.toInt().reshape([-1]), classes).reshape(logits.shape);
  }
  throw new ArgumentError(argument, `must be one-hot with the logits' shape ${shapeText(logits)} or class indices of shape [${logits.shape.slice(0, -1).join(', ')}]`, shapeText(labels));
}

/** Weights of shape `logits.shape` without the channel axis (a trailing 1 is accepted). */
function pixelWeights(weights: tf.Tensor, logits: tf.Tensor, argument: string): tf.Tensor {
  const pixels = logits.shape.slice(0, -1);
  if (tf.util.arraysEqual(weights.shape, pixels)) return weights.toFloat();
  if (tf.util.arraysEqual(weights.shape, [...pixels, 1])) return weights.toFloat().reshape(pixels);
  throw new ArgumentError(argument, `must have shape [${pixels.join(', ')}] (or with a trailing 1) to match the logits ${shapeText(logits)}`, shapeText(weights));
}

function reduce(weighted: tf.Tensor, weights: tf.Tensor | undefined, reduction: Reduction): tf.Tensor {
  switch (reduction) {
    case 'none':
      return weighted;
    case 'sum':
      return weighted.sum();
    case 'mean':
      return weighted.mean();
    case 'weightedMean':
      return weights === undefined ? weighted.mean() : weighted.sum().div(weights.sum().maximum(tf.scalar(1e-12)));
  }
}

function checkReduction(options: CrossEntropyOptions): Reduction {
  const reduction = options.reduction ?? 'mean';
  if (!REDUCTIONS.includes(reduction)) {
    throw new ArgumentError('reduction', `must be one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')}`, reduction);
  }
  return reduction;
}

/**
 * Pixel-wise softmax cross-entropy weighted per pixel (eq. 1 of the paper):
 * `-sum_x w(x) log p_{l(x)}(x)`, computed stably with a log-softmax of the
 * logits, then reduced (default: divided by the number of pixels).
 *
 * @param labels - one-hot `[b, h, w, k]`, or class indices `[b, h, w]`.
 * @param logits - raw scores `[b, h, w, k]` (before softmax).
 * @param weights - per-pixel weights `[b, h, w]` (or `[b, h, w, 1]`); omit for unweighted.
 * @param options - the reduction.
 * @returns a scalar (or `[b, h, w]` for reduction `'none'`).
 * @throws {@link ArgumentError} when shapes disagree.
 * @example
 * ```ts
 * const loss = tf.tidy(() => weightedSoftmaxCrossEntropy(labels, logits, weights));
 * ```
 */
export function weightedSoftmaxCrossEntropy(
  labels: tf.Tensor,
  logits: tf.Tensor,
  weights?: tf.Tensor,
  options: CrossEntropyOptions = {},
): tf.Tensor {
  const reduction = checkReduction(options);
  if (logits.rank < 2) throw new ArgumentError('logits', 'must have a class axis last, e.g. [b, h, w, k]', shapeText(logits));
  return tf.tidy(() => {
    const oneHot = oneHotLike(labels, logits, 'labels');
    const w = weights === undefined ? undefined : pixelWeights(weights, logits, 'weights');
    const crossEntropy = oneHot.mul(tf.logSoftmax(logits)).sum(-1).neg();
    return reduce(w === undefined ? crossEntropy : crossEntropy.mul(w), w, reduction);
  });
}

/**
 * Packs one-hot labels and per-pixel weights into one `yTrue` tensor of the
 * model output's shape `[b, h, w, k]`: the one-hot vector scaled by the
 * pixel's weight. `model.fit` rejects per-pixel `sampleWeight` and insists
 * that targets match the output shape; this form satisfies both, and
 * {@link packedWeightedCrossEntropy} reads the weight back as the sum over
 * channels. Weights must be >= 0.
 *
 * @param labels - one-hot `[b, h, w, k]`, or class indices `[b, h, w]` when `classes` is given.
 * @param weights - `[b, h, w]` or `[b, h, w, 1]`.
 * @param classes - give it when `labels` holds class indices: the number of classes.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: packedWeightedCrossEntropy() });
 * await model.fit(x, packTargets(labels, weights, 2), { epochs: 10 });
 * ```
 */
export function packTargets(labels: tf.Tensor, weights: tf.Tensor, classes?: number): tf.Tensor {
  return tf.tidy(() => {
    const oneHot =
      classes === undefined ? labels : tf.oneHot(labels.toInt().reshape([-1]), classes).reshape([...labels.shape, classes]);
    if (oneHot.rank < 2) throw new ArgumentError('labels', 'must be one-hot [b, h, w, k], or indices [b, h, w] with `classes`', shapeText(labels));
    const w = pixelWeights(weights, oneHot, 'weights');
    if (w.min().dataSync()[0]! < 0) throw new ArgumentError('weights', 'must be >= 0', 'a negative weight');
    return oneHot.toFloat().mul(w.expandDims(-1));
  });
}

/** Options of {@link packedWeightedCrossEntropy}. */
export interface PackedLossOptions extends CrossEntropyOptions {
  /**
   * Whether the model outputs logits. Default false: the model ends in a
   * softmax (as `unet()` does), so the loss takes the log of clipped
   * probabilities.
   */
  readonly fromLogits?: boolean;
  /** Probabilities are clipped to `[epsilon, 1]` before the log. Default 1e-7. */
  readonly epsilon?: number;
}

/**
 * A loss for `model.compile` that reads `yTrue` packed by {@link packTargets}
 * (one-hot labels scaled by the pixel weights): `-sum_k yTrue_k log p_k`,
 * which is `-w log p_label`, reduced like {@link weightedSoftmaxCrossEntropy}.
 *
 * @example
 * ```ts
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: packedWeightedCrossEntropy() });
 * ```
 */
export function packedWeightedCrossEntropy(options: PackedLossOptions = {}): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const reduction = checkReduction(options);
  const epsilon = options.epsilon ?? 1e-7;
  return (yTrue, yPred) =>
    tf.tidy(() => {
      if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
        throw new ArgumentError('yTrue', `must have the prediction's shape ${shapeText(yPred)} (see packTargets)`, shapeText(yTrue));
      }
      const logProbabilities = options.fromLogits === true ? tf.logSoftmax(yPred) : yPred.clipByValue(epsilon, 1).log();
      return reduce(yTrue.mul(logProbabilities).sum(-1).neg(), yTrue.sum(-1), reduction);
    });
}
