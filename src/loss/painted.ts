/**
 * Labels and loss weights from painted strokes (sparse annotation, as ilastik
 * and Cellpose's GUI take it): painted pixels teach their class, the rest
 * weigh nothing in the loss.
 */
import { ArgumentError } from '../core/errors.js';
import { checkImageArray, type ImageArray } from '../core/image.js';

/** What {@link paintedLabels} returns: what `train` takes as `labels` and `weights`. */
export interface PaintedLabels {
  /** Class per pixel: the painted class, 0 where nothing was painted. */
  readonly labels: ImageArray<Uint8Array>;
  /** Loss weight per pixel: 0 where nothing was painted; painted classes weigh equally in total. */
  readonly weights: ImageArray<Float32Array>;
  /** Painted pixels per class. */
  readonly painted: readonly number[];
}

/**
 * Turns a stroke image into training labels and weights. A stroke pixel holds
 * 0 where nothing was painted and `c + 1` where class `c` was painted (1 =
 * background, 2 = the first foreground class: ilastik's convention). Painted
 * pixels weigh `P / (K * n_c)` (P painted pixels, K painted classes, n_c of
 * class c), so a thin background stroke counts as much as a filled object and
 * the mean weight of a painted pixel is 1; unpainted pixels weigh 0, so the
 * loss (every term multiplies by the weights) ignores them.
 *
 * @param strokes - one channel, values 0..classes.
 * @param options.classes - the model's classes (2 for foreground/background).
 * @throws {@link ArgumentError} for a value above `classes`, or nothing painted.
 * @example
 * ```ts
 * const strokes = { data: new Uint8Array(64 * 64), width: 64, height: 64 };
 * strokes.data.fill(2, 0, 64 * 8);   // foreground painted on the top rows
 * strokes.data.fill(1, 64 * 56);     // background on the bottom rows
 * const { labels, weights } = paintedLabels(strokes, { classes: 2 });
 * await train(model, { images: [image], labels: [labels], weights: [weights] }, { steps: 100, foreground: 0.5 });
 * ```
 */
export function paintedLabels(strokes: ImageArray, options: { readonly classes: number }): PaintedLabels {
  const channels = checkImageArray('strokes', strokes);
  if (channels !== 1) throw new ArgumentError('strokes.channels', 'must be 1 (one stroke value per pixel)', channels);
  const { classes } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new ArgumentError('classes', 'must be an integer >= 2', classes);
  const { width, height, data } = strokes;
  const painted = new Array<number>(classes).fill(0);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value === 0) continue;
    if (!Number.isInteger(value) || value < 0 || value > classes) {
      throw new ArgumentError('strokes', `must hold 0 (unpainted) or a class + 1 in 1..${classes}`, `${value} at pixel (${i % width}, ${Math.floor(i / width)})`);
    }
    painted[value - 1]!++;
  }
  const total = painted.reduce((a, b) => a + b, 0);
  if (total === 0) throw new ArgumentError('strokes', 'must hold at least one painted pixel', 'nothing painted');
  const present = painted.filter((n) => n > 0).length;
  const classWeight = painted.map((n) => (n === 0 ? 0 : total / (present * n)));
  const labels = new Uint8Array(data.length);
  const weights = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value === 0) continue;
    labels[i] = value - 1;
    weights[i] = classWeight[value - 1]!;
  }
  return { labels: { data: labels, width, height }, weights: { data: weights, width, height }, painted };
}
