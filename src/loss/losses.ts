/**
 * Segmentation losses on logits, each taking the per-pixel weight map, and
 * their weighted sums: the paper's weighted cross-entropy, soft Dice
 * (nnU-Net's Dice + CE), and focal loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/errors.js';
import { weightedSoftmaxCrossEntropy } from './cross-entropy.js';

/** One term of a loss: a kind, its weight in the sum, and its own settings. */
export type LossTerm =
  | { readonly kind: 'crossEntropy'; readonly weight?: number }
  | {
      readonly kind: 'dice';
      readonly weight?: number;
      /** Added to numerator and denominator. Default 1e-5 (nnU-Net's). */
      readonly smooth?: number;
      /** Include the background class (class 0). Default false (nnU-Net's). */
      readonly background?: boolean;
    }
  | {
      readonly kind: 'focal';
      readonly weight?: number;
      /** Focusing exponent. Default 2 (Lin et al. 2017). */
      readonly gamma?: number;
    };

/** The kinds of {@link LossTerm}. */
export const LOSS_KINDS = ['crossEntropy', 'dice', 'focal'] as const;

/** Named recipes: the paper's cross-entropy, nnU-Net's Dice + CE (1:1), focal. */
export const LOSS_PRESETS = {
  crossEntropy: [{ kind: 'crossEntropy' }],
  diceCrossEntropy: [{ kind: 'crossEntropy' }, { kind: 'dice' }],
  focal: [{ kind: 'focal' }],
} as const satisfies Record<string, readonly LossTerm[]>;

/** A preset's name. */
export type LossPreset = keyof typeof LOSS_PRESETS;

/** A loss on `(oneHotLabels, logits, pixelWeights)` returning a scalar. */
export type SegmentationLoss = (labels: tf.Tensor, logits: tf.Tensor, weights?: tf.Tensor) => tf.Scalar;

/**
 * Soft Dice loss, `1 - mean_c (2 sum w p y + s) / (sum w (p + y) + s)` with p
 * the softmax probabilities, y the one-hot labels and w the pixel weights,
 * sums over the whole batch per class (nnU-Net's "batch Dice"), the mean over
 * the foreground classes (all classes with `background`).
 *
 * @param labels - one-hot `[b, h, w, k]`.
 * @param logits - `[b, h, w, k]`.
 * @param weights - optional `[b, h, w]`.
 * @example
 * ```ts
 * const loss = softDiceLoss(oneHot, logits);
 * ```
 */
export function softDiceLoss(labels: tf.Tensor, logits: tf.Tensor, weights?: tf.Tensor, options: { smooth?: number; background?: boolean } = {}): tf.Scalar {
  const smooth = options.smooth ?? 1e-5;
  if (!(smooth >= 0)) throw new ArgumentError('smooth', 'must be >= 0', smooth);
  const classes = logits.shape[logits.rank - 1]!;
  const first = options.background === true || classes === 1 ? 0 : 1;
  return tf.tidy(() => {
    const p = tf.softmax(logits);
    const y = labels.toFloat();
    const w = weights === undefined ? undefined : weights.toFloat().reshape([...weights.shape.slice(0, logits.rank - 1), 1]);
    const axes = Array.from({ length: logits.rank - 1 }, (_, i) => i);
    const weigh = (t: tf.Tensor) => (w === undefined ? t : t.mul(w));
    const intersection = weigh(p.mul(y)).sum(axes);
    const total = weigh(p.add(y)).sum(axes);
    const dice = intersection.mul(2).add(smooth).div(total.add(smooth).maximum(1e-12));
    return tf.scalar(1).sub(dice.slice([first], [classes - first]).mean()) as tf.Scalar;
  });
}

/**
 * Focal loss (Lin et al. 2017), `-w (1 - p_t)^gamma log p_t` per pixel with
 * p_t the softmax probability of the true class, averaged over pixels.
 * `gamma = 0` is the weighted cross-entropy.
 *
 * @example
 * ```ts
 * const loss = focalLoss(oneHot, logits, weights, { gamma: 2 });
 * ```
 */
export function focalLoss(labels: tf.Tensor, logits: tf.Tensor, weights?: tf.Tensor, options: { gamma?: number } = {}): tf.Scalar {
  const gamma = options.gamma ?? 2;
  if (!(gamma >= 0)) throw new ArgumentError('gamma', 'must be >= 0', gamma);
  return tf.tidy(() => {
    const logPt = labels.toFloat().mul(tf.logSoftmax(logits)).sum(-1);
    const perPixel = gamma === 0 ? logPt.neg() : tf.scalar(1).sub(logPt.exp()).maximum(0).pow(gamma).mul(logPt).neg();
    const weighted = weights === undefined ? perPixel : perPixel.mul(weights.toFloat().reshape(perPixel.shape));
    return weighted.mean() as tf.Scalar;
  });
}

/**
 * Checks loss terms (or a preset name) and returns the terms.
 *
 * @example
 * ```ts
 * resolveLoss('diceCrossEntropy'); // [{ kind: 'crossEntropy' }, { kind: 'dice' }]
 * ```
 */
export function resolveLoss(loss: LossPreset | readonly LossTerm[]): readonly LossTerm[] {
  if (typeof loss === 'string') {
    if (!(loss in LOSS_PRESETS)) throw new ArgumentError('loss', `must be one of ${Object.keys(LOSS_PRESETS).map((k) => `'${k}'`).join(', ')} or an array of loss terms`, loss);
    return LOSS_PRESETS[loss];
  }
  if (!Array.isArray(loss) || loss.length === 0) throw new ArgumentError('loss', 'must be a preset name or a non-empty array of loss terms', loss);
  loss.forEach((term: LossTerm, i) => {
    if (!LOSS_KINDS.includes(term?.kind)) throw new ArgumentError(`loss[${i}].kind`, `must be one of ${LOSS_KINDS.map((k) => `'${k}'`).join(', ')}`, term?.kind);
    if (term.weight !== undefined && !(term.weight >= 0)) throw new ArgumentError(`loss[${i}].weight`, 'must be >= 0', term.weight);
  });
  return loss;
}

/**
 * A loss from a preset name or a list of weighted terms, each term seeing the
 * pixel weights (the border weight map or 1s).
 *
 * @example
 * ```ts
 * const loss = segmentationLoss([{ kind: 'crossEntropy' }, { kind: 'dice', weight: 0.5 }]);
 * const value = loss(oneHot, logits, weights);
 * ```
 */
export function segmentationLoss(loss: LossPreset | readonly LossTerm[]): SegmentationLoss {
  const terms = resolveLoss(loss);
  return (labels, logits, weights) =>
    tf.tidy(() => {
      const parts = terms.map((term) => {
        const value =
          term.kind === 'crossEntropy'
            ? (weightedSoftmaxCrossEntropy(labels, logits, weights) as tf.Scalar)
            : term.kind === 'dice'
              ? softDiceLoss(labels, logits, weights, term)
              : focalLoss(labels, logits, weights, term);
        return value.mul(term.weight ?? 1);
      });
      return tf.addN(parts) as tf.Scalar;
    });
}
