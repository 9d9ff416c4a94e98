/** Reading ISBI 2012 slices and scoring a model on them: what the bench:isbi scripts share. */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { evaluateSegmentation, predictTiled, readImage, readMask, type Checkpoint, type ScoredImage, type Spec, type TilePredictor } from '../../src/node/index.js';
import { setWeightValues, unpack } from '../../src/train/checkpoint.js';

/** The cross-validation folds of bench:isbi: fold k (1..5) scores slices 4(k - 1) .. 4k - 1 and trains on the other 16. */
export const FOLDS = 5;
/** The fold every bench:isbi run used before the folds: train on 00-15, score 16-19. */
export const STANDARD_FOLD = 5;

/** The slice ids fold `fold` trains on and scores. */
export function foldSplit(fold: number): { readonly train: readonly string[]; readonly test: readonly string[] } {
  if (!Number.isInteger(fold) || fold < 1 || fold > FOLDS) throw new Error(`fold must be an integer from 1 to ${FOLDS}, got ${fold}`);
  const ids = Array.from({ length: 4 * FOLDS }, (_, i) => String(i).padStart(2, '0'));
  const test = ids.slice(4 * (fold - 1), 4 * fold);
  return { train: ids.filter((id) => !test.includes(id)), test };
}

/** The slices bench:isbi trains on and the ones it scores in the standard fold. */
export const { train: TRAIN_SLICES, test: TEST_SLICES } = foldSplit(STANDARD_FOLD);

/** The fold of a bench:isbi run from its name or a path through its folder (`CONFIG-Nmin-seedS[-foldK]`; no suffix: the standard fold). */
export function foldOfRun(run: string): number {
  const match = /-fold(\d+)(?:[/\\]|$)/.exec(run);
  return match === null ? STANDARD_FOLD : Number(match[1]);
}

/** The slices a bench:isbi run (a name or a path through its folder) is scored on: its fold's test slices. */
export function testSlicesOf(run: string): readonly string[] {
  return foldSplit(foldOfRun(run)).test;
}

/** The folder name of a bench:isbi run. */
export function runName(config: string, minutes: number, seed: number, fold: number = STANDARD_FOLD): string {
  return `${config}-${minutes}min-seed${seed}${fold === STANDARD_FOLD ? '' : `-fold${fold}`}`;
}

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

/** The challenge scores at the best thresholds of a model predicting `slices` (`threshold`: its decision threshold). */
export async function scoreSlices(model: tf.LayersModel, spec: Spec, slices: readonly Slice[], threshold: number) {
  return evaluateSegmentation(await predictSlices(model, spec, slices), { threshold }).best;
}

/**
 * Writes a checkpoint's weights into `model`: the trained ones, or (`'average'`) the moving average
 * an `ema` run validates and saves.
 */
export function useCheckpointWeights(model: tf.LayersModel, checkpoint: Checkpoint, which: 'trained' | 'average'): void {
  setWeightValues(model, checkpoint.weights, checkpoint.data);
  if (which === 'trained') return;
  if (checkpoint.averageWeights === undefined) throw new Error(`the checkpoint of step ${checkpoint.step} holds no moving average of the weights`);
  const average = new Map(checkpoint.averageWeights.map((e) => [e.name, e]));
  for (const w of model.trainableWeights) {
    const entry = average.get(w.originalName);
    if (entry === undefined) throw new Error(`the checkpoint's average has no '${w.originalName}'`);
    w.write(tf.tensor(unpack(entry, checkpoint.data), entry.shape));
  }
}

/** The cell (class 1) channel of two-class probabilities `[pixels, 2]`. */
export function cellProbability(probabilities: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: probabilities.length / 2 }, (_, i) => probabilities[2 * i + 1]!);
}

/** Two-class probabilities `[pixels, 2]` from a cell probability. */
export function twoClass(cell: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: 2 * cell.length }, (_, i) => (i % 2 === 0 ? 1 - cell[i >> 1]! : cell[i >> 1]!));
}
