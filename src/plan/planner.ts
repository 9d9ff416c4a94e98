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
 * Options of {@link planTraining}.
 *
 * @example
 * ```ts
 * const ort = await import('onnxruntime-node');
 * // fileStepTimes() of 'tfjs-unet/node': step times kept per machine between runs
 * const { plan } = await planTraining(images, labels, 10, { onnx: ort, cache: fileStepTimes(), backend: tf.getBackend() });
 * ```
 */
export interface PlanOptions {
  /** Called with each candidate's step time (for progress output). */
  readonly onCandidate?: (candidate: PlanCandidate, secondsPerStep: number, engine: EngineName, cached: boolean) => void;
  /** Stops planning between candidates. */
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
}

/** Times candidates on an engine: from the cache when it knows the step, else measured (and kept). */
interface StepTimer {
  time(candidate: PlanCandidate, engine: EngineName): Promise<number>;
  /** Measures again, keeping the faster of `seconds` and the new time. */
  retime(candidate: PlanCandidate, engine: EngineName, seconds: number): Promise<number>;
  readonly counts: { cached: number; measured: number };
}

/** The timer of one planning: steps on `sample` for the data's channels and classes, with its network family and trainer. */
function stepTimer(
  fp: DatasetFingerprint,
  sample: { images: ImageArray<TypedArray>[]; labels: ImageArray<TypedArray>[] },
  setup: { architecture: Architecture; deepSupervision: boolean; trainer: TrainerSettings },
  options: PlanOptions,
): StepTimer {
  const counts = { cached: 0, measured: 0 };
  const keyOf = (candidate: PlanCandidate, engine: EngineName) =>
    stepTimeKey(candidate, { engine, backend: options.backend ?? 'tfjs', architecture: setup.architecture, channels: fp.channels, classes: fp.classes, deepSupervision: setup.deepSupervision, loss: setup.trainer.loss });
  const measure = (candidate: PlanCandidate, engine: EngineName) =>
    measureStepSeconds(candidate, sample.images, sample.labels, {
      classes: fp.classes,
      engine: engine === 'onnx' ? { onnx: options.onnx! } : 'tfjs',
      architecture: setup.architecture,
      deepSupervision: setup.deepSupervision,
      steps: 3,
      trainer: setup.trainer,
    });
  return {
    counts,
    async time(candidate, engine) {
      if (options.signal?.aborted === true) throw new Error('planning was aborted');
      const known = options.cache?.get(keyOf(candidate, engine));
      if (known !== undefined) {
        counts.cached++;
        options.onCandidate?.(candidate, known, engine, true);
        return known;
      }
      const seconds = await measure(candidate, engine);
      counts.measured++;
      options.cache?.set(keyOf(candidate, engine), seconds);
      options.onCandidate?.(candidate, seconds, engine, false);
      return seconds;
    },
    async retime(candidate, engine, seconds) {
      const again = await measure(candidate, engine);
      options.onCandidate?.(candidate, again, engine, false);
      const best = Math.min(seconds, again);
      options.cache?.set(keyOf(candidate, engine), best);
      return best;
    },
  };
}

/** The candidates' step times on the chosen engine, the engine and why, and how many were skipped. */
interface TimedCandidates {
  readonly speeds: Map<string, number>;
  readonly engine: EngineName;
  readonly engineReasons: string[];
  readonly skipped: number;
}

/**
 * Times the candidates cheapest first on one engine, skipping one at least as
 * wide and as batched as a candidate too slow to reach `MIN_STEPS`; with
 * engine `'auto'` and ONNX Runtime, the first candidate is timed on both
 * engines and the faster one times the rest.
 */
async function timeCandidates(candidates: readonly PlanCandidate[], timer: StepTimer, minutes: number, choice: 'auto' | EngineName, bothEngines: boolean): Promise<TimedCandidates> {
  const speeds = new Map<string, number>();
  let engine: EngineName = choice === 'onnx' ? 'onnx' : 'tfjs';
  const engineReasons: string[] = choice === 'auto' ? [] : [`engine ${engine}: as asked`];
  const tooSlow: PlanCandidate[] = [];
  const trainSeconds = minutes * 60 * (1 - OVERHEAD_SHARE);
  let skipped = 0;
  for (const [i, candidate] of candidates.entries()) {
    if (tooSlow.some((slow) => candidate.baseFilters >= slow.baseFilters && candidate.batch >= slow.batch)) {
      skipped++;
      continue;
    }
    let seconds: number;
    if (i === 0 && bothEngines) {
      const tfjsSeconds = await timer.time(candidate, 'tfjs');
      const onnxSeconds = await timer.time(candidate, 'onnx');
      engine = onnxSeconds < tfjsSeconds ? 'onnx' : 'tfjs';
      seconds = Math.min(tfjsSeconds, onnxSeconds);
      engineReasons.push(`engine ${engine}: ${seconds.toFixed(3)} s/step against ${Math.max(tfjsSeconds, onnxSeconds).toFixed(3)} s/step on ${engine === 'onnx' ? 'tfjs' : 'onnx'} (timed on the first candidate)`);
    } else {
      seconds = await timer.time(candidate, engine);
    }
    speeds.set(candidateKey(candidate), seconds);
    if (trainSeconds / seconds < MIN_STEPS) tooSlow.push(candidate);
  }
  // The first candidate was timed right after the other engine, whose threads may still hold the cores: when it
  // competes with others measured here, it is timed again at the end and the faster measurement counts.
  const first = candidates[0]!;
  if (bothEngines && speeds.size > 1 && timer.counts.measured > 1) speeds.set(candidateKey(first), await timer.retime(first, engine, speeds.get(candidateKey(first))!));
  return { speeds, engine, engineReasons, skipped };
}

/** Fine-tuning keeps what the network learned to see (its normalisation and scale), at a share of the planned rate and without the augmentation ramp. */
function fineTuningPlan(chosen: TrainingPlan, start: StartingNetwork, architecture: Architecture): TrainingPlan {
  const normalization = start.normalization ?? chosen.normalization;
  const learningRate = chosen.learningRate * FINE_TUNE_RATE_SHARE;
  return {
    ...chosen,
    normalization,
    scale: start.scale ?? 1,
    learningRate,
    // The ramp lets a network from random weights learn plain tiles first; a trained one needs no gentle start (and the fine-tuning rate was measured without it).
    augmentation: { ...chosen.augmentation, ramp: 0 },
    reasons: [
      ...chosen.reasons,
      `start: the network of ${start.source} (${architecture}, depth ${start.depth}, base ${start.baseFilters}), its ${normalization.kind} normalisation and scale ${start.scale ?? 1} kept; learning rate ${learningRate}, ${FINE_TUNE_RATE_SHARE} of the planned, to adjust it rather than overwrite it; augmentation at full strength from the first step`,
    ],
  };
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
  options: PlanOptions = {},
): Promise<PlanResult> {
  const started = performance.now();
  const choice = options.engine ?? 'auto';
  if (choice === 'onnx' && options.onnx === undefined) throw new ArgumentError('onnx', "must be ONNX Runtime to plan with engine 'onnx'", undefined);
  const fp = fingerprint(images, labels);
  const recipe = recipeFor(fp);
  const { start } = options;
  const architecture = start?.architecture ?? options.architecture ?? 'unet';
  const deepSupervision = options.deepSupervision ?? PLANNED_DEEP_SUPERVISION;
  const candidates = start === undefined ? planCandidates(fp, recipe.scale) : startCandidates(fp, start);
  const timer = stepTimer(fp, timingSample(images, labels, candidates[0]!.tile), { architecture, deepSupervision, trainer: plannedTrainer(recipe) }, options);
  const timed = await timeCandidates(candidates, timer, minutes, choice, choice === 'auto' && options.onnx !== undefined);
  const chosen = choosePlan(fp, minutes, timed.speeds, candidates, architecture);
  const plan = start === undefined ? chosen : fineTuningPlan(chosen, start, architecture);
  return {
    fingerprint: fp,
    plan: { ...plan, engine: timed.engine, deepSupervision, reasons: [...plan.reasons, ...timed.engineReasons] },
    seconds: (performance.now() - started) / 1000,
    ...timer.counts,
    skipped: timed.skipped,
  };
}
