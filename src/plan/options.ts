/**
 * The one translation of a plan into `train`'s options: the CLI's runs, the
 * planner's timing and library users go through it, so a plan field means the
 * same thing everywhere.
 */
import type { OnnxRuntimeLike } from '../train/engine.js';
import type { RunPolicy, StepConfig, TrainData } from '../train/train.js';
import { augmentationFor } from './augmentation.js';
import type { TrainerSettings, TrainingPlan } from './rules.js';

/** What {@link trainOptionsFor} needs of a plan: how it trains, its tile, batch, engine and selection. */
export type PlannedTraining = TrainerSettings & Pick<TrainingPlan, 'tile' | 'batch' | 'engine' | 'selectAfter'>;

/** What a plan decides of `train`'s options: the step, and the parts of the run policy a plan chooses. */
export type PlannedOptions = StepConfig & Pick<RunPolicy, 'kind' | 'tta' | 'selectAfter'>;

/**
 * `train`'s pixel weights and options for a plan: the {@link StepConfig} and
 * the plan's data kind, test-time augmentation and selection (the run's
 * length, validation, checkpoints and callbacks belong to the run).
 * Fields of older plans that are absent mean what they meant then (no
 * scale, no foreground tiles, no averaging).
 *
 * @param plan - the plan (or its trainer settings, tile, batch, engine and selection).
 * @param run - the run's seed, and ONNX Runtime when the plan's engine is onnx.
 * @example
 * ```ts
 * const { weights, options } = trainOptionsFor(plan, { seed: 1 });
 * await train(model, { images, labels, weights }, { ...options, budget: { minutes: 10 }, validation: { holdOut: plan.validationShare } });
 * ```
 */
export function trainOptionsFor(plan: PlannedTraining, run: { readonly seed: number; readonly onnx?: OnnxRuntimeLike }): { weights: TrainData['weights']; options: PlannedOptions } {
  return {
    weights: plan.weights,
    options: {
      inputSize: plan.tile,
      batchSize: plan.batch,
      optimizer: plan.optimizer,
      learningRate: plan.learningRate,
      schedule: plan.schedule,
      loss: plan.loss,
      normalization: plan.normalization,
      augmentation: augmentationFor(plan.augmentation.strength, { elastic: plan.augmentation.elastic }),
      ...((plan.augmentation.ramp ?? 0) === 0 ? {} : { augmentationRamp: plan.augmentation.ramp! }),
      seed: run.seed,
      ...(plan.deepSupervision === true ? { deepSupervision: true } : {}),
      ...((plan.ema ?? 0) > 0 ? { ema: { momentum: plan.ema! } } : {}),
      ...(plan.tta === 'calibrate' || (plan.tta ?? 1) > 1 ? { tta: plan.tta! } : {}),
      ...(plan.kind === undefined ? {} : { kind: plan.kind }),
      ...((plan.scale ?? 1) === 1 ? {} : { scale: plan.scale! }),
      ...((plan.foreground ?? 0) === 0 ? {} : { foreground: plan.foreground! }),
      ...(plan.selectAfter === undefined ? {} : { selectAfter: plan.selectAfter }),
      ...(plan.engine === 'onnx' && run.onnx !== undefined ? { engine: { onnx: run.onnx } } : {}),
    },
  };
}
