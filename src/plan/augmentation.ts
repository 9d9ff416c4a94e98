/**
 * Augmentation as one plan parameter: a strength from 0 (flips and
 * rotations only) to 1 (the paper's ranges), and whether to deform
 * elastically.
 */
import { ArgumentError } from '../core/errors.js';
import type { AugmentOp } from '../augment/pipeline.js';

/**
 * The augmentation pipeline of a given strength: flips and any rotation
 * always (a U-Net should not care about orientation), gray-value variation
 * (gamma, contrast, brightness, noise) with ranges scaled by `strength`, and
 * with `elastic` the paper's elastic deformation (3x3 grid, sigma 10 px
 * times `strength`).
 *
 * @param strength - 0..1 (1: the paper's gray-value ranges and deformation).
 * @example
 * ```ts
 * augmentationFor(0.5, { elastic: false }); // flips, rotations, milder gray values
 * ```
 */
export function augmentationFor(strength: number, options: { readonly elastic?: boolean } = {}): AugmentOp[] {
  if (!(strength >= 0 && strength <= 1)) throw new ArgumentError('strength', 'must be in [0, 1]', strength);
  const ops: AugmentOp[] = [
    { kind: 'rotate', range: [-180, 180] },
    { kind: 'flip', horizontal: true, vertical: true },
  ];
  if (options.elastic === true && strength > 0) ops.push({ kind: 'elastic', sigma: 10 * strength, points: 3 });
  if (strength > 0) {
    ops.push(
      { kind: 'gamma', range: [1 / (1 + 0.25 * strength), 1 + 0.25 * strength] },
      { kind: 'contrast', range: [1 - 0.2 * strength, 1 + 0.2 * strength] },
      { kind: 'brightness', range: [-0.05 * strength, 0.05 * strength] },
      { kind: 'noise', std: 0.02 * strength },
    );
  }
  return ops;
}
