/**
 * Planning a run for a dataset, a time budget and this machine: fingerprint
 * the data, time a few real training steps of each candidate network on the
 * current backend, and apply the rules.
 */
import { unet } from '../spec/unet.js';
import { buildModel } from '../compile/build.js';
import type { ImageArray, TypedArray } from '../loss/image.js';
import { train } from '../train/train.js';
import { augmentationFor } from './augmentation.js';
import { fingerprint, type DatasetFingerprint } from './fingerprint.js';
import { candidateKey, choosePlan, planCandidates, type PlanCandidate, type TrainingPlan } from './rules.js';

/** Options of {@link measureStepSeconds}. */
export interface MeasureOptions {
  /** Steps timed after the warm-up step. Default 3. */
  readonly steps?: number;
  readonly classes?: number;
}

/**
 * Seconds per training step of a candidate on the current backend: a model
 * is built and trained for a warm-up step plus `steps` steps on the given
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
  const spec = unet({
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
      steps: 1 + (options.steps ?? 3),
      batchSize: candidate.batch,
      inputSize: candidate.tile,
      optimizer: 'adam',
      augmentation: augmentationFor(1, { elastic: true }),
      normalization: { kind: 'zscore' },
      seed: 1,
      onStep: ({ step }) => {
        const now = performance.now();
        if (step > 1) times.push((now - last) / 1000);
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
 * the images), and chooses with `choosePlan`.
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
  options: { readonly onCandidate?: (candidate: PlanCandidate, secondsPerStep: number) => void; readonly signal?: AbortSignal } = {},
): Promise<PlanResult> {
  const started = performance.now();
  const fp = fingerprint(images, labels);
  const speeds = new Map<string, number>();
  const sample = { images: images.slice(0, 2), labels: labels.slice(0, 2) };
  for (const candidate of planCandidates(fp)) {
    if (options.signal?.aborted === true) throw new Error('planning was aborted');
    const seconds = await measureStepSeconds(candidate, sample.images, sample.labels, { classes: fp.classes });
    speeds.set(candidateKey(candidate), seconds);
    options.onCandidate?.(candidate, seconds);
  }
  return { fingerprint: fp, plan: choosePlan(fp, minutes, speeds), seconds: (performance.now() - started) / 1000 };
}
