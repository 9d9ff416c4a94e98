/** Reading ISBI 2012 slices and scoring a model on them: what the bench:isbi scripts share. */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { predictTiled, readImage, readMask, type ScoredImage, type Spec, type TilePredictor } from '../src/node/index.js';

/** The slices bench:isbi trains on and the ones it scores. */
export const TRAIN_SLICES: readonly string[] = Array.from({ length: 16 }, (_, i) => String(i).padStart(2, '0'));
export const TEST_SLICES: readonly string[] = ['16', '17', '18', '19'];

/** One slice: the image and its class mask (0 = membrane, 1 = cell). */
export interface Slice {
  readonly image: Awaited<ReturnType<typeof readImage>>;
  readonly truth: Awaited<ReturnType<typeof readMask>>['mask'];
}

/** Reads slices `ids` of the ISBI folder `data` (`images/ID.png`, `labels/ID.png`). */
export async function readSlices(data: string, ids: readonly string[] = TEST_SLICES): Promise<Slice[]> {
  return Promise.all(ids.map(async (id) => ({ image: await readImage(join(data, 'images', `${id}.png`)), truth: (await readMask(join(data, 'labels', `${id}.png`))).mask })));
}

/**
 * Predicts every slice with the model (overlap-tile, whole slice) and pairs the class probabilities
 * with the truth, ready for `evaluateSegmentation`. `tta` as `predictTiled`'s (default: the model's).
 */
export async function predictSlices(model: tf.LayersModel | TilePredictor, spec: Spec, slices: readonly Slice[], tta?: boolean | number): Promise<ScoredImage[]> {
  const scored: ScoredImage[] = [];
  for (const { image, truth } of slices) {
    const { probabilities, labels } = await predictTiled(model, image, { spec, ...(tta === undefined ? {} : { tta }) });
    scored.push({ probabilities: await probabilities.data(), truth });
    tf.dispose([probabilities, labels]);
  }
  return scored;
}

/** The cell (class 1) channel of two-class probabilities `[pixels, 2]`. */
export function cellProbability(probabilities: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: probabilities.length / 2 }, (_, i) => probabilities[2 * i + 1]!);
}

/** Two-class probabilities `[pixels, 2]` from a cell probability. */
export function twoClass(cell: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: 2 * cell.length }, (_, i) => (i % 2 === 0 ? 1 - cell[i >> 1]! : cell[i >> 1]!));
}
