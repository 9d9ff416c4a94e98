/**
 * Planning a run for a dataset, a time budget and this machine: fingerprint
 * the data, time a few real training steps of each candidate network on the
 * current backend, and apply the rules.
 */
import type { EngineName } from '../train/engines.js';
import { ArgumentError } from '../core/errors.js';
import { buildModel } from '../compile/build.js';
import { cropImage, type ImageArray, type TypedArray } from '../core/image.js';
import type * as tf from '@tensorflow/tfjs';
import { train, type TrainData, type TrainOptions } from '../train/train.js';
import type { OnnxRuntimeLike } from '../train/engine.js';
import { trainOptionsFor } from './options.js';
import type { LossPreset } from '../loss/losses.js';
import { fingerprint, type DatasetFingerprint } from './fingerprint.js';
import {
  architectureSpec,
  candidateKey,
  choosePlan,
  FINE_TUNE_RATE_SHARE,
  MIN_STEPS,
  OVERHEAD_SHARE,
  planCandidates,
  PLANNED_DEEP_SUPERVISION,
  plannedTrainer,
  recipeFor,
  startCandidates,
  type StartingNetwork,
  type TrainerSettings,
  type PlanCandidate,
  type TrainingPlan,
} from './rules.js';
import type { Architecture } from '../spec/presets.js';

/** Steps of a timed candidate that are not counted. */
const WARMUP_STEPS = 2;

/** Options of {@link measureStepSeconds}. */
export interface MeasureOptions {
  /** Steps timed after the two warm-up steps. Default 5. */
  readonly steps?: number;
  readonly classes?: number;
  /** The engine to time. Default `'tfjs'` (the current backend). */
  readonly engine?: TrainOptions['engine'];
  /** The family member to time. Default the U-Net. */
  readonly architecture?: Architecture;
  /** Time the steps with deep-supervision heads (`train`'s `deepSupervision: true`). Default false. */
  readonly deepSupervision?: boolean;
  /** The loss to time. Default the trainer's. */
  readonly loss?: LossPreset;
  /**
   * How the candidate trains (`plannedTrainer` of the data's recipe); `loss`
   * and `deepSupervision` above override it. Default: the planned tissue
   * recipe without deep supervision. Timing always runs at scale 1 (a step's
   * cost does not depend on it).
   */
  readonly trainer?: TrainerSettings;
}

/** How a candidate trains when the caller does not say: the planned tissue recipe, without deep supervision. */
const TIMING_TRAINER: TrainerSettings = {
  ...plannedTrainer({ kind: 'tissue', scale: 1, foreground: 0, loss: 'crossEntropy', weights: 'border', reasons: [] }),
  deepSupervision: false,
};

/**
 * Seconds per training step of a candidate on the current backend: a model
 * is built and trained for two warm-up steps (ONNX Runtime's first runs are
 * slower) plus `steps` steps on the given images as the plan would train it
 * (`trainOptionsFor` of the trainer settings), the median step is returned,
 * and everything is disposed.
 *
 * @example
 * ```ts
 * const seconds = await measureStepSeconds(candidate, images.slice(0, 2), labels.slice(0, 2));
 * ```
 */
export async function measureStepSeconds(
  candidate: PlanCandidate,
  images: readonly ImageArray<TypedArray>[],
  labels: readonly ImageArray<TypedArray>[],
  options: MeasureOptions = {},
): Promise<number> {
  const trainer: TrainerSettings = {
    ...(options.trainer ?? TIMING_TRAINER),
    ...(options.loss === undefined ? {} : { loss: options.loss }),
    ...(options.deepSupervision === undefined ? {} : { deepSupervision: options.deepSupervision }),
    scale: 1,
  };
  const spec = architectureSpec(options.architecture ?? 'unet', {
    depth: candidate.depth,
    baseFilters: candidate.baseFilters,
    padding: candidate.padding,
    batchNorm: candidate.batchNorm,
    inChannels: images[0]!.channels ?? 1,
    classes: options.classes ?? 2,
    dropout: trainer.dropout,
  });
  const model = buildModel(spec, { inputSize: candidate.tile, seed: 1 });
  const { weights, options: planned } = trainOptionsFor({ ...trainer, tile: candidate.tile, batch: candidate.batch, engine: 'tfjs' }, { seed: 1 });
  try {
    return await timeTrainSteps(model, { images, labels, weights }, { ...planned, ...(options.engine === undefined ? {} : { engine: options.engine }) }, options.steps ?? 5);
  } finally {
    model.dispose();
  }
}

/**
 * Seconds per step of `train` on `model` as it stands: two warm-up steps (ONNX
 * Runtime's first runs are slower), then `steps` timed between `onStep` calls;
 * the median. The steps train the model: keep a copy of its weights to undo them.
 *
 * @example
 * ```ts
 * const onnx = await timeTrainSteps(model, data, { engine: { onnx: ort }, optimizer: 'adam' });
 * const tfjs = await timeTrainSteps(model, data, { engine: 'tfjs', optimizer: 'adam' });
 * ```
 */
export async function timeTrainSteps(model: tf.LayersModel, data: TrainData, options: Omit<TrainOptions, 'steps' | 'budget' | 'onStep'>, steps = 5): Promise<number> {
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError('steps', 'must be a positive integer', steps);
  const times: number[] = [];
  let last = performance.now();
  await train(model, data, {
    ...options,
    steps: WARMUP_STEPS + steps,
    onStep: ({ step }) => {
      const now = performance.now();
      if (step > WARMUP_STEPS) times.push((now - last) / 1000);
      last = now;
    },
  });
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** What {@link planTraining} returns: the fingerprint, the plan, and the seconds planning took. */
export interface PlanResult {
  readonly fingerprint: DatasetFingerprint;
  readonly plan: TrainingPlan;
  readonly seconds: number;
  /** Step times taken from the cache, and measured. */
  readonly cached: number;
  readonly measured: number;
  /** Candidates not timed: costlier than one too slow to reach `MIN_STEPS` in the budget. */
  readonly skipped: number;
}

/**
 * Measured step times kept between runs (e.g. `fileStepTimes` of
 * `tfjs-unet/node`, one file per machine): keys name the engine, backend,
 * network, tile, batch and data shape; the store adds what invalidates them
 * (library version, machine).
 */
export interface StepTimeCache {
  /** The seconds per step measured for `key`, if any. */
  get(key: string): number | undefined;
  /** Keeps a measured step time. */
  set(key: string, seconds: number): void;
}

/**
 * The key of a candidate's step time: everything the time depends on besides the machine and the library.
 *
 * @example
 * ```ts
 * stepTimeKey(candidate, { engine: 'onnx', backend: 'wasm', architecture: 'unet', channels: 1, classes: 2, deepSupervision: true, loss: 'diceCrossEntropy' });
 * // 'onnx/unet/same/depth 3/base 16/tile 256/batch 1/in 1/out 2/ds/diceCrossEntropy'
 * ```
 */
export function stepTimeKey(candidate: PlanCandidate, setup: { engine: EngineName; backend: string; architecture: Architecture; channels: number; classes: number; deepSupervision: boolean; loss: string }): string {
  return `${setup.engine === 'onnx' ? 'onnx' : `tfjs-${setup.backend}`}/${setup.architecture}/${candidateKey(candidate)}/in ${setup.channels}/out ${setup.classes}/${setup.deepSupervision ? 'ds' : 'no-ds'}/${setup.loss}`;
}

/** Up to two crops of at most twice the tile a side, from the first images: what a timed step needs, without decoding and weighing whole images. */
function timingSample(images: readonly ImageArray<TypedArray>[], labels: readonly ImageArray<TypedArray>[], tile: number) {
  const crop = (image: ImageArray<TypedArray>) => cropImage(image, 0, 0, Math.min(image.width, 2 * tile), Math.min(image.height, 2 * tile));
  return { images: images.slice(0, 2).map(crop), labels: labels.slice(0, 2).map(crop) };
}

/**
 * Plans a run: fingerprints the data, decides the recipe for its kind
 * (`recipeFor`), and times the candidates of `planCandidates` for a few
 * steps on the current backend (on crops of at most two images), cheapest
 * first, skipping a candidate that costs more than one already too slow to
 * reach `MIN_STEPS` in the budget (it could not be chosen); then chooses with
 * `choosePlan`. Given ONNX Runtime, the first candidate is timed on both
 * engines and the faster one times the rest and is the plan's `engine`.
 * Step times found in `cache` are not measured again (the first plan on a
 * machine measures; later ones cost almost nothing).
 *
 * @param minutes - the whole run's budget.
 * @param options - `onCandidate` is called with each candidate's step time (for progress
 *   output); `signal` stops planning between candidates.
 * @example
 * ```ts
 * const { plan } = await planTraining(images, labels, 30);
 * console.log(plan.reasons.join('\n'));
 * ```
 */
export async function planTraining(
  images: readonly ImageArray<TypedArray>[],
  labels: readonly ImageArray<TypedArray>[],
  minutes: number,
  options: {
    readonly onCandidate?: (candidate: PlanCandidate, secondsPerStep: number, engine: EngineName, cached: boolean) => void;
    readonly signal?: AbortSignal;
    /** ONNX Runtime, to time the onnx engine too (on the first candidate) and plan with the faster engine. */
    readonly onnx?: OnnxRuntimeLike;
    /** `'auto'` (default): the faster of the engines available; `'tfjs'` or `'onnx'` (needs `onnx`): that one. */
    readonly engine?: 'auto' | EngineName;
    /** The family member to plan for (its candidates are timed). Default the U-Net. */
    readonly architecture?: Architecture;
    /** Plan with or without deep supervision (candidates are timed with the heads when on). Default `PLANNED_DEEP_SUPERVISION` (on). */
    readonly deepSupervision?: boolean;
    /** Step times measured before on this machine. */
    readonly cache?: StepTimeCache;
    /** The backend's name for the cache's keys. Default: `'tfjs'`. */
    readonly backend?: string;
    /** A network to fine-tune (`train --from`): kept, with its normalisation and scale; its batch and the training are planned. */
    readonly start?: StartingNetwork;
  } = {},
): Promise<PlanResult> {
  const started = performance.now();
  const fp = fingerprint(images, labels);
  const recipe = recipeFor(fp);
  const trainer = plannedTrainer(recipe);
  const start = options.start;
  const architecture = start?.architecture ?? options.architecture ?? 'unet';
  const deepSupervision = options.deepSupervision ?? PLANNED_DEEP_SUPERVISION;
  const candidates = start === undefined ? planCandidates(fp, recipe.scale) : startCandidates(fp, start);
  const sample = timingSample(images, labels, candidates[0]!.tile);
  const speeds = new Map<string, number>();
  const engineOption = (engine: EngineName): TrainOptions['engine'] => (engine === 'onnx' ? { onnx: options.onnx! } : 'tfjs');
  const choice = options.engine ?? 'auto';
  if (choice === 'onnx' && options.onnx === undefined) throw new ArgumentError('onnx', "must be ONNX Runtime to plan with engine 'onnx'", undefined);
  const keyOf = (candidate: PlanCandidate, engine: EngineName) =>
    stepTimeKey(candidate, { engine, backend: options.backend ?? 'tfjs', architecture, channels: fp.channels, classes: fp.classes, deepSupervision, loss: recipe.loss });
  let cached = 0;
  let measured = 0;
  const timeOn = async (candidate: PlanCandidate, engine: EngineName): Promise<number> => {
    if (options.signal?.aborted === true) throw new Error('planning was aborted');
    const known = options.cache?.get(keyOf(candidate, engine));
    if (known !== undefined) {
      cached++;
      options.onCandidate?.(candidate, known, engine, true);
      return known;
    }
    const seconds = await measureStepSeconds(candidate, sample.images, sample.labels, { classes: fp.classes, engine: engineOption(engine), architecture, deepSupervision, steps: 3, trainer });
    measured++;
    options.cache?.set(keyOf(candidate, engine), seconds);
    options.onCandidate?.(candidate, seconds, engine, false);
    return seconds;
  };
  let engine: EngineName = choice === 'onnx' ? 'onnx' : 'tfjs';
  const engineReasons: string[] = choice === 'auto' ? [] : [`engine ${engine}: as asked`];
  const tooSlow: PlanCandidate[] = [];
  const trainSeconds = minutes * 60 * (1 - OVERHEAD_SHARE);
  let skipped = 0;
  for (const [i, candidate] of candidates.entries()) {
    // A candidate at least as wide and as batched as one that cannot reach MIN_STEPS cannot either.
    if (tooSlow.some((slow) => candidate.baseFilters >= slow.baseFilters && candidate.batch >= slow.batch)) {
      skipped++;
      continue;
    }
    let seconds: number;
    if (i === 0 && options.onnx !== undefined && choice === 'auto') {
      // The engines are timed on the first (cheapest) candidate; the faster one times and trains the rest.
      const tfjsSeconds = await timeOn(candidate, 'tfjs');
      const onnxSeconds = await timeOn(candidate, 'onnx');
      engine = onnxSeconds < tfjsSeconds ? 'onnx' : 'tfjs';
      seconds = Math.min(tfjsSeconds, onnxSeconds);
      engineReasons.push(`engine ${engine}: ${Math.min(tfjsSeconds, onnxSeconds).toFixed(3)} s/step against ${Math.max(tfjsSeconds, onnxSeconds).toFixed(3)} s/step on ${engine === 'onnx' ? 'tfjs' : 'onnx'} (timed on the first candidate)`);
    } else {
      seconds = await timeOn(candidate, engine);
    }
    speeds.set(candidateKey(candidate), seconds);
    if (trainSeconds / seconds < MIN_STEPS) tooSlow.push(candidate);
  }
  // The first candidate was timed right after the other engine, whose threads may still hold the cores: when it
  // competes with others measured here, it is timed again at the end and the faster measurement counts.
  const first = candidates[0]!;
  if (options.onnx !== undefined && choice === 'auto' && speeds.size > 1 && measured > 1) {
    const again = await measureStepSeconds(first, sample.images, sample.labels, { classes: fp.classes, engine: engineOption(engine), architecture, deepSupervision, steps: 3, trainer });
    options.onCandidate?.(first, again, engine, false);
    const best = Math.min(speeds.get(candidateKey(first))!, again);
    speeds.set(candidateKey(first), best);
    options.cache?.set(keyOf(first, engine), best);
  }
  const chosen = choosePlan(fp, minutes, speeds, candidates, architecture);
  // Fine-tuning keeps what the network learned to see: its normalisation and its scale.
  const plan: TrainingPlan =
    start === undefined
      ? chosen
      : {
          ...chosen,
          normalization: start.normalization ?? chosen.normalization,
          scale: start.scale ?? 1,
          learningRate: chosen.learningRate * FINE_TUNE_RATE_SHARE,
          // The ramp lets a network from random weights learn plain tiles first; a trained one needs no gentle start (and the fine-tuning rate was measured without it).
          augmentation: { ...chosen.augmentation, ramp: 0 },
          reasons: [
            ...chosen.reasons,
            `start: the network of ${start.source} (${architecture}, depth ${start.depth}, base ${start.baseFilters}), its ${(start.normalization ?? chosen.normalization).kind} normalisation and scale ${start.scale ?? 1} kept; learning rate ${chosen.learningRate * FINE_TUNE_RATE_SHARE}, ${FINE_TUNE_RATE_SHARE} of the planned, to adjust it rather than overwrite it; augmentation at full strength from the first step`,
          ],
        };
  return {
    fingerprint: fp,
    plan: { ...plan, engine, deepSupervision, reasons: [...plan.reasons, ...engineReasons] },
    seconds: (performance.now() - started) / 1000,
    cached,
    measured,
    skipped,
  };
}
