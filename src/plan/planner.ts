/**
 * Planning a run for a dataset, a time budget and this machine: fingerprint
 * the data, time a few real training steps of each candidate network on the
 * current backend, and apply the rules.
 */
import { ArgumentError } from '../core/errors.js';
import { buildModel } from '../compile/build.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { train, type TrainOptions } from '../train/train.js';
import type { OnnxRuntimeLike } from '../train/engine.js';
import { augmentationFor } from './augmentation.js';
import { fingerprint, type DatasetFingerprint } from './fingerprint.js';
import { architectureSpec, candidateKey, choosePlan, planCandidates, PLANNED_DEEP_SUPERVISION, type Architecture, type PlanCandidate, type TrainingPlan } from './rules.js';

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
}

/**
 * Seconds per training step of a candidate on the current backend: a model
 * is built and trained for two warm-up steps (ONNX Runtime's first runs are
 * slower) plus `steps` steps on the given
 * images as the plan trains (border weight map, full augmentation with
 * elastic deformation, z-score), the median step is returned, and everything
 * is disposed.
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
  const spec = architectureSpec(options.architecture ?? 'unet', {
    depth: candidate.depth,
    baseFilters: candidate.baseFilters,
    padding: candidate.padding,
    batchNorm: candidate.batchNorm,
    inChannels: images[0]!.channels ?? 1,
    classes: options.classes ?? 2,
    dropout: 0.1,
  });
  const model = buildModel(spec, { inputSize: candidate.tile, seed: 1 });
  const times: number[] = [];
  let last = performance.now();
  try {
    await train(model, { images, labels, weights: 'border' }, {
      steps: WARMUP_STEPS + (options.steps ?? 5),
      batchSize: candidate.batch,
      inputSize: candidate.tile,
      optimizer: 'adam',
      augmentation: augmentationFor(1, { elastic: true }),
      normalization: { kind: 'zscore' },
      seed: 1,
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      ...(options.deepSupervision === true ? { deepSupervision: true } : {}),
      onStep: ({ step }) => {
        const now = performance.now();
        if (step > WARMUP_STEPS) times.push((now - last) / 1000);
        last = now;
      },
    });
  } finally {
    model.dispose();
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

/** What {@link planTraining} returns: the fingerprint, the plan, and the seconds planning took. */
export interface PlanResult {
  readonly fingerprint: DatasetFingerprint;
  readonly plan: TrainingPlan;
  readonly seconds: number;
}

/**
 * Plans a run: fingerprints the data, times each candidate of
 * `planCandidates` for a few steps on the current backend (on at most two of
 * the images), and chooses with `choosePlan`. Given ONNX Runtime, the first
 * candidate is timed on both engines and the faster one times the rest and
 * is the plan's `engine`; the first candidate is timed once more at the end
 * on it and the faster measurement kept.
 *
 * @param minutes - the whole run's budget.
 * @param options - `onCandidate` is called with each candidate's measured step time (for progress
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
    readonly onCandidate?: (candidate: PlanCandidate, secondsPerStep: number, engine: 'tfjs' | 'onnx') => void;
    readonly signal?: AbortSignal;
    /** ONNX Runtime, to time the onnx engine too (on the first candidate) and plan with the faster engine. */
    readonly onnx?: OnnxRuntimeLike;
    /** `'auto'` (default): the faster of the engines available; `'tfjs'` or `'onnx'` (needs `onnx`): that one. */
    readonly engine?: 'auto' | 'tfjs' | 'onnx';
    /** The family member to plan for (its candidates are timed). Default the U-Net. */
    readonly architecture?: Architecture;
    /** Plan with or without deep supervision (candidates are timed with the heads when on). Default `PLANNED_DEEP_SUPERVISION` (on). */
    readonly deepSupervision?: boolean;
  } = {},
): Promise<PlanResult> {
  const started = performance.now();
  const fp = fingerprint(images, labels);
  const speeds = new Map<string, number>();
  const sample = { images: images.slice(0, 2), labels: labels.slice(0, 2) };
  const engineOption = (engine: 'tfjs' | 'onnx'): TrainOptions['engine'] => (engine === 'onnx' ? { onnx: options.onnx! } : 'tfjs');
  const choice = options.engine ?? 'auto';
  if (choice === 'onnx' && options.onnx === undefined) throw new ArgumentError('onnx', "must be ONNX Runtime to plan with engine 'onnx'", undefined);
  let engine: 'tfjs' | 'onnx' = choice === 'onnx' ? 'onnx' : 'tfjs';
  const engineReasons: string[] = choice === 'auto' ? [] : [`engine ${engine}: as asked`];
  const timeOn = (candidate: PlanCandidate, e: 'tfjs' | 'onnx') => {
    if (options.signal?.aborted === true) throw new Error('planning was aborted');
    return measureStepSeconds(candidate, sample.images, sample.labels, {
      classes: fp.classes,
      engine: engineOption(e),
      architecture: options.architecture ?? 'unet',
      deepSupervision: options.deepSupervision ?? PLANNED_DEEP_SUPERVISION,
    });
  };
  const candidates = planCandidates(fp);
  for (const [i, candidate] of candidates.entries()) {
    let seconds: number;
    if (i === 0 && options.onnx !== undefined && choice === 'auto') {
      // The engines are timed on the first (smallest) candidate; the faster one times and trains the rest.
      const tfjsSeconds = await timeOn(candidate, 'tfjs');
      options.onCandidate?.(candidate, tfjsSeconds, 'tfjs');
      const onnxSeconds = await timeOn(candidate, 'onnx');
      engine = onnxSeconds < tfjsSeconds ? 'onnx' : 'tfjs';
      seconds = Math.min(tfjsSeconds, onnxSeconds);
      engineReasons.push(`engine ${engine}: ${Math.min(tfjsSeconds, onnxSeconds).toFixed(3)} s/step against ${Math.max(tfjsSeconds, onnxSeconds).toFixed(3)} s/step on ${engine === 'onnx' ? 'tfjs' : 'onnx'} (timed on the first candidate)`);
      options.onCandidate?.(candidate, onnxSeconds, 'onnx');
    } else {
      seconds = await timeOn(candidate, engine);
      options.onCandidate?.(candidate, seconds, engine);
    }
    speeds.set(candidateKey(candidate), seconds);
  }
  // The first candidate was timed right after the other engine, whose threads may still hold the cores (it
  // measured 0.25-0.38 s/step in four ISBI plans for about 0.30 s in training): timed again at the end, the
  // faster of its measurements counts.
  const first = candidates[0];
  if (first !== undefined && options.onnx !== undefined && choice === 'auto') {
    const again = await timeOn(first, engine);
    options.onCandidate?.(first, again, engine);
    speeds.set(candidateKey(first), Math.min(speeds.get(candidateKey(first))!, again));
  }
  const plan = choosePlan(fp, minutes, speeds, undefined, options.architecture ?? 'unet');
  return {
    fingerprint: fp,
    plan: { ...plan, engine, deepSupervision: options.deepSupervision ?? plan.deepSupervision, reasons: [...plan.reasons, ...engineReasons] },
    seconds: (performance.now() - started) / 1000,
  };
}
