/**
 * The training loop: a custom loop (not `fit`, which cannot take per-pixel
 * weights) with the paper's defaults, validation, early stopping, best-model
 * keeping, progress callbacks and resumable checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { graph } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { specToJSON } from '../spec/json.js';
import { defaultInputSize } from '../geometry/tiles.js';
import { attachSpec, modelInfoOf, specOf, type ModelInfo } from '../compile/metadata.js';
import { withInputSize, withSupervisionHeads } from '../compile/build.js';
import { supervisedNodes, type DeepSupervision } from '../spec/supervision.js';
import { supervisionHeads, type SupervisionHead } from '../geometry/supervision.js';
import { supervisionLossWeights } from './supervision.js';
import { toOnnx } from '../onnx/export.js';
import { onnxPredictor } from '../onnx/predictor.js';
import type { TilePredictor } from '../infer/predictor.js';
import { leanConvGradients } from '../compile/lean-gradients.js';
import { PAPER_AUGMENTATION, type AugmentOp } from '../augment/pipeline.js';
import { Random } from '../core/random.js';
import { drawBatch, sampleTiles } from './tiles.js';
import { atScale, weightsAtScale } from './scale.js';
import { thresholdBaseline } from './baseline.js';
import { outputChannels } from '../geometry/table.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { weightMap } from '../loss/weight-map.js';
import { resolveLoss, segmentationLoss, type LossPreset, type LossTerm } from '../loss/losses.js';
import { checkNormalization, type Normalization } from '../core/normalization.js';
import { calibrate, dataKind, type Calibration, type DataKind } from './calibrate.js';
import { checkSchedule, learningRateAt, type Schedule } from './schedule.js';
import { RunClock } from './clock.js';
import { resolveEngine, unsupported, type EngineChoice, type ResolvedEngine } from './engines.js';
import { onnxEngine, sessionOptions, tfjsEngine, type EngineSetup, type StepEngine } from './engine.js';
import { holdOut, lowerIsBetter, validationRecord, validationReport, type LabelledImages, type ValidationMetric, type ValidationRecord } from './validation.js';
import { evaluateSegmentation, type EvaluationReport, type ScoredImage } from '../metrics/report.js';
import { ModelSelection, type NamedWeights, type SelectionState } from './selection.js';
import {
  CHECKPOINT_FORMAT,
  packTensors,
  setWeightValues,
  unpack,
  weightValues,
  type Checkpoint,
  type StepRecord,
  type TensorManifest,
} from './checkpoint.js';

/**
 * Thrown when the loss becomes NaN or infinite; the weights are left as they were before that step.
 *
 * @example
 * ```ts
 * try {
 *   await train(model, data, { steps: 1000, learningRate: 10 });
 * } catch (e) {
 *   if (e instanceof TrainingError) console.log(`diverged at step ${e.step}`);
 * }
 * ```
 */
export class TrainingError extends Error {
  /** The step whose loss was not finite. */
  readonly step: number;
  /** The loss value. */
  readonly loss: number;
  constructor(step: number, loss: number) {
    super(`Training diverged at step ${step}: the loss is ${loss}. The weights (and the last checkpoint) are from before this step; lower the learning rate.`);
    this.name = 'TrainingError';
    this.step = step;
    this.loss = loss;
  }
}

/** Images with class-index labels (and optional weight maps). */
export interface TrainData {
  readonly images: readonly ImageArray<TypedArray>[];
  /** Class indices 0..classes-1 per pixel (0 = background). */
  readonly labels: readonly ImageArray<TypedArray>[];
  /**
   * The objects, when the masks were instance labels (0 = background, one id
   * per object; `labels` then marks their foreground with touching objects
   * apart, as `separateInstances` makes them): the border weight map is
   * computed from them, and validation scores objects (AP, PQ) against them.
   */
  readonly instances?: readonly ImageArray<TypedArray>[];
  /**
   * Per-pixel loss weights: `'border'` (default) computes the paper's weight
   * map from each label image (w0 10, sigma 5, balanced classes);
   * `'borderUnbalanced'` the border term without class balancing (w_c = 1);
   * `'none'` weighs every pixel 1; or give the maps.
   */
  readonly weights?: 'border' | 'borderUnbalanced' | 'none' | readonly ImageArray<TypedArray>[];
}

/** What {@link TrainOptions.onStep} receives. */
export interface StepInfo {
  readonly step: number;
  /** Steps of the run: the target, or with a time budget the estimate at the current speed. */
  readonly steps: number;
  readonly loss: number;
  readonly learningRate: number;
  /** Steps per second over this run so far. */
  readonly stepsPerSecond: number;
  /** Estimated seconds to the end of the run (with a budget: the time left). */
  readonly etaSeconds: number;
  /** Fraction of the run done, 0..1 (steps or time). */
  readonly progress: number;
}

/** Where checkpoints go. */
export interface CheckpointSink {
  /** Steps between checkpoints (one is also written at the end). */
  readonly every?: number;
  /** Minutes between checkpoints, for runs with a time budget (default: a tenth of the budget). */
  readonly everyMinutes?: number;
  /** Persists a checkpoint (e.g. `fileCheckpoints(dir).save`); should be crash-safe. */
  readonly save: (checkpoint: Checkpoint) => Promise<void>;
}

/** How often and on what a run validates. */
interface ValidationSchedule {
  /** Steps between validations. Default: 50 in runs counted in steps. */
  readonly every?: number;
  /**
   * Minutes between validations in runs with a time budget. Default: a tenth
   * of the budget, spaced out further when a validation takes more than a
   * twentieth of that (`VALIDATION_SHARE`): a run that keeps its last weights
   * validates along the way only to draw its curve.
   */
  readonly everyMinutes?: number;
  /** Metric that picks the best model and drives early stopping. Default for two classes `'randError'` (tissue) or `'panopticQuality'` (objects), `'iou'` for more. */
  readonly metric?: ValidationMetric;
  /** Tile size for validation predictions. Default: the training tile size. */
  readonly inputSize?: number;
}

/** Held-out images given by the caller. */
export interface GivenValidation extends ValidationSchedule, LabelledImages {}

/** A share of the training data held out by {@link holdOut}. */
export interface HoldOutValidation extends ValidationSchedule {
  /** Fraction of the data held out, in (0, 0.5]. */
  readonly holdOut: number;
}

/**
 * What one training step computes (Keras's `compile`): the network and tile,
 * the optimizer and its schedule, the loss and its heads, the weights'
 * averaging, the engine, and how tiles are drawn. A plan's
 * `trainOptionsFor` fills it.
 *
 * @example
 * ```ts
 * const step: StepConfig = { inputSize: 188, batchSize: 2, optimizer: 'adam', learningRate: 1e-3, loss: 'diceCrossEntropy', engine: 'onnx' };
 * await train(model, { images, labels }, { ...step, steps: 500 });
 * ```
 */
export interface StepConfig {
  /** The model's spec. Default: the one in the model's metadata. */
  readonly spec?: Spec;
  /** Training tile size (valid for the spec). Default: the model's input size, else the valid size nearest 572. */
  readonly inputSize?: number;
  /** Tiles per step. Default 1 (the paper: one large tile). */
  readonly batchSize?: number;
  /** `'sgd'` (momentum, the paper's; default), `'nesterov'` (SGD with Nesterov momentum, nnU-Net's), `'adam'`, or any tfjs optimizer. */
  readonly optimizer?: 'sgd' | 'nesterov' | 'adam' | tf.Optimizer;
  /**
   * What runs the steps. `'tfjs'` (default): tfjs autodiff and optimizers on
   * the active backend. `'onnx'` or `{ onnx: ort, threads }`: the spec
   * compiled into one ONNX training graph run by ONNX Runtime (the one
   * `tfjs-unet/node` registers, onnxruntime-node, or the module given),
   * several times faster on a CPU; what it computes is in
   * `ENGINE_CAPABILITIES`. Both engines train the same model and write the
   * same checkpoints.
   */
  readonly engine?: EngineChoice;
  /** Momentum of `'sgd'` and `'nesterov'`. Default 0.99 (the paper's and nnU-Net's). */
  readonly momentum?: number;
  /** The base rate, or a function `step => rate` (step counts from 1). Default 1e-3. */
  readonly learningRate?: number | ((step: number) => number);
  /** How a numeric `learningRate` changes over the run (steps or budget). Default `{ kind: 'constant' }`. */
  readonly schedule?: Schedule;
  /**
   * The loss: a preset (`'crossEntropy'`, the default; `'diceCrossEntropy'`; `'focal'`), weighted
   * terms (`[{ kind: 'crossEntropy' }, { kind: 'dice', weight: 0.5 }]`), or a function of
   * `(oneHotLabels, logits, weights)`. Every term sees the pixel weights.
   */
  readonly loss?: LossPreset | readonly LossTerm[] | ((labels: tf.Tensor, logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor);
  /**
   * Deep supervision (nnU-Net's default, Zhou's for U-Net++): 1x1-conv heads on
   * hidden maps, each trained on the labels pooled to its resolution, losses
   * weighted 1, 1/2, 1/4, ... (normalised). `true`: every place the builder
   * declares but the coarsest (`supervisionPoints`); a count; or node names
   * (any spec). The heads exist only while training (and in checkpoints): the
   * trained model keeps its one output. Default: none.
   */
  readonly deepSupervision?: DeepSupervision;
  /**
   * An exponential moving average of the weights (Polyak averaging; Keras's
   * `use_ema`): after every step `average = m * average + (1 - m) * weights`,
   * with `m = min(momentum, (1 + t) / (10 + t))` at step t so that early
   * averages follow the weights. Validations, model selection and the model
   * the run leaves use the average; the steps train the weights (checkpoints
   * keep both). Batch-norm statistics are the trained ones. `true`: momentum
   * 0.999. Default none.
   */
  readonly ema?: boolean | { readonly momentum?: number };
  /** Augmentation per tile. Default: the paper's (elastic deformation on). `[]` for none. */
  readonly augmentation?: readonly AugmentOp[];
  /**
   * Share of the run, in [0, 1), over which the augmentation's strength rises
   * linearly from none to full (`weakenPipeline`: deformation, shifts and
   * gray-value ranges scaled; flips and rotations always whole), so the first
   * steps learn from images as they are. Default 0: full from the start.
   */
  readonly augmentationRamp?: number;
  /** Share of the training tiles centred on a foreground pixel (see `sampleTiles`). Default 0: tiles placed uniformly. */
  readonly foreground?: number;
  /**
   * The scale the network works at, in (0, 1]: the training images are shrunk
   * by it (area averaging; labels by nearest neighbour, instance masks' objects
   * kept apart again), and it is stored in the model, so every prediction
   * shrinks its input the same way and enlarges the probabilities back
   * (validation and calibration see full-size predictions against full-size
   * truth). Objects far larger than the network needs (nuclei 80 px across)
   * train several times faster at 0.4. Default 1.
   */
  readonly scale?: number;
  /** Intensity normalisation of the inputs; stored in the model, so predictions apply it. Default `{ kind: 'scale' }`. */
  readonly normalization?: Normalization;
  /** Seed of tile sampling and augmentation. */
  readonly seed?: number;
}

/**
 * How a run goes (Keras's `fit`): its length, validation, model selection,
 * early stopping, checkpoints and resume, calibration and test-time
 * augmentation.
 *
 * @example
 * ```ts
 * const policy: RunPolicy = { budget: { minutes: 10 }, validation: { holdOut: 0.2 }, checkpoint: fileCheckpoints('run/checkpoints') };
 * await train(model, { images, labels }, { ...step, ...policy });
 * ```
 */
export interface RunPolicy {
  /** Steps to run in total (a resumed run continues up to this count). Give this or `budget`. */
  readonly steps?: number;
  /**
   * A time budget: the run ends on time with its selected, validated model. The
   * learning-rate schedule is laid over the budget, validations and
   * checkpoints are spaced by time, and the end keeps time for the last
   * validation and the calibration. With `steps` too, whichever ends first.
   */
  readonly budget?: { readonly minutes: number };
  /**
   * What the images show (`dataKind`): `'tissue'` (objects fill the image, thin boundaries between
   * them) or `'objects'` (on a background). It decides the default validation metric (the challenge
   * Rand error, or the objects' panoptic quality), how validation forms objects and what the
   * calibration optimises. Default: from the labels.
   */
  readonly kind?: DataKind;
  /** Validation: held-out images, or a share of the training data to hold out. Predicted whole (overlap-tile). */
  readonly validation?: GivenValidation | HoldOutValidation;
  /** After training, choose the decision threshold and object settings on the validation data and store them in the model. Default true when validating. */
  readonly calibrate?: boolean;
  /**
   * Test-time augmentation of the model's predictions: the calibration
   * predicts the validation images averaged over this many flips/rotations
   * (`true`: all 8; see `predictTiled`'s `tta`), and the count is stored in
   * the model, so later predictions use it unless told otherwise.
   * `'calibrate'`: the validation images are predicted with and without the
   * 8, and the augmentation is kept only when it does not worsen the
   * selection metric (a model trained briefly, or data whose rotations are
   * not symmetries, can lose by it). Model selection during the run predicts
   * without it (8x cheaper). Default none.
   */
  readonly tta?: boolean | number | 'calibrate';
  /** Stop after this many validations without improvement. */
  readonly earlyStopping?: { readonly patience: number };
  /** Restore the best validated weights at the end. Default true when validating. */
  readonly keepBest?: boolean;
  /**
   * Validations before this fraction of the run (steps or budget) do not compete for the best model;
   * the last weights always do. With a decaying learning rate the last models are the most refined,
   * and a snapshot that scores well on a few validation images is more often luck than a better
   * model (evidence: docs/results-isbi.md, "Model selection"). Default with
   * a `'poly'` or `'cosine'` schedule: 1, the run keeps its last (annealed) weights, and
   * validations still draw the curve and calibrate; 0.75 when `earlyStopping` is given (it needs
   * competing validations). With a constant rate or a rate function: 0.
   */
  readonly selectAfter?: number;
  /** Where and how often checkpoints are written. Default: none. */
  readonly checkpoint?: CheckpointSink;
  /** Continue from a checkpoint of the same spec. */
  readonly resume?: Checkpoint;
  /** Stops the run after the current step (a checkpoint is written first when checkpointing). */
  readonly signal?: AbortSignal;
}

/**
 * What a run reports as it goes (Keras's callbacks): each awaited, so a
 * callback can write a log or update a page before the next step.
 *
 * @example
 * ```ts
 * const callbacks: TrainCallbacks = { onStep: ({ step, loss }) => console.log(step, loss) };
 * ```
 */
export interface TrainCallbacks {
  /** Called after every step with the loss, rate, speed and ETA (awaited). */
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
  /** Called after every validation with the metrics and whether they are the best so far (awaited). */
  readonly onValidation?: (record: ValidationRecord, isBest: boolean) => void | Promise<void>;
}

/**
 * Options of {@link train}: a {@link StepConfig}, a {@link RunPolicy} and
 * {@link TrainCallbacks} in one object.
 *
 * @example
 * ```ts
 * await train(model, { images, labels }, { inputSize: 188, optimizer: 'adam', budget: { minutes: 5 }, onStep: ({ loss }) => console.log(loss) });
 * ```
 */
export interface TrainOptions extends StepConfig, RunPolicy, TrainCallbacks {}

/** What {@link train} returns. */
export interface TrainResult {
  /** Steps completed (including those before a resume). */
  readonly steps: number;
  /** Seconds of training (including those before a resume). */
  readonly seconds: number;
  readonly history: readonly StepRecord[];
  readonly validations: readonly ValidationRecord[];
  readonly best: { readonly step: number; readonly value: number } | null;
  /** Why the run ended: its steps or budget were used up, early stopping, or the signal. */
  readonly stopped: 'completed' | 'earlyStopping' | 'aborted';
  /** What the images show, as the run treated them (`TrainOptions.kind`). */
  readonly kind: DataKind;
  /** The metric validations selected on. */
  readonly metric: ValidationMetric;
  /** What the model now carries about its use (normalisation, calibrated threshold, object settings). */
  readonly info: ModelInfo;
  /** The calibration's choice and scores, when it ran. */
  readonly calibration?: Calibration;
  /**
   * With a calibration: what a global Otsu threshold of each validation image
   * scores on the same images and metrics (`thresholdBaseline`), the bar a
   * trained model has to clear.
   */
  readonly baseline?: { readonly polarity: 'bright' | 'dark'; readonly randError: number; readonly panopticQuality: number; readonly ap50: number; readonly foregroundDice: number };
}

/** The last validation is reserved for as this many of the first (later ones predict more objects). */
const END_VALIDATION_SLACK = 1.2;
/** Each test-time-augmented prediction of the calibration is reserved for as this many validations. */
const END_TTA_SLACK = 1.1;

/** The most of a timed run's training time that validations along the way take by default (`validation.everyMinutes` unset). */
export const VALIDATION_SHARE = 0.05;

/** The spec with the output activation removed: its output is the logits. */
function logitsSpec(spec: Spec): Spec {
  const out = spec.nodes.find((n) => n.name === spec.output)!;
  if (out.kind !== 'output') return spec;
  if (out.activation === 'sigmoid') {
    throw new ArgumentError('spec', "must end in a softmax or linear output to train with the softmax cross-entropy (sigmoid outputs are not supported by train)", out.activation);
  }
  return graph({ name: spec.name, nodes: spec.nodes.filter((n) => n !== out), output: out.input });
}

/** The loss terms of the onnx engine, or an error naming what it cannot compute (`ENGINE_CAPABILITIES`) before any step runs. */
function onnxLossTerms(options: TrainOptions): readonly LossTerm[] {
  const missing = unsupported('onnx', options);
  if (missing !== undefined) {
    const loss = options.loss;
    const received = missing.option === 'optimizer' ? 'a tf.Optimizer' : typeof loss === 'function' ? 'a function' : typeof loss === 'string' ? loss : JSON.stringify(loss);
    throw new ArgumentError(missing.option, `must suit the engine: ${missing.reason}`, received);
  }
  return resolveLoss(options.loss as LossPreset | readonly LossTerm[] | undefined ?? 'crossEntropy');
}

/** Resolves after pending macrotasks (timers, I/O, signals) have had a turn. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** The per-pixel weights `data.weights` asks for (undefined: all 1). */
function pixelWeights(data: LabelledImages, weights: TrainData['weights']): readonly ImageArray<TypedArray>[] | undefined {
  if (weights === 'none') return undefined;
  if (weights === undefined || weights === 'border' || weights === 'borderUnbalanced') {
    const classWeights = weights === 'borderUnbalanced' ? ({ classWeights: 'uniform' } as const) : {};
    return data.labels.map((label, i) => {
      const objects = data.instances?.[i];
      // Instances: the objects as the labels keep them (a gap between touching ones is background).
      const map =
        objects === undefined
          ? weightMap(label, { kind: 'classes', ...classWeights })
          : weightMap({ data: Int32Array.from(objects.data as ArrayLike<number>, (id, p) => (label.data[p] === 0 ? 0 : id)), width: label.width, height: label.height }, { kind: 'instances', ...classWeights });
      return { data: map, width: label.width, height: label.height };
    });
  }
  return weights;
}

/** The loss function the option asks for. */
function lossFunction(option: TrainOptions['loss']): (labels: tf.Tensor, logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor {
  if (typeof option === 'function') return option;
  return segmentationLoss(option ?? 'crossEntropy');
}

/** Checks the run length options: steps and/or a budget in minutes. */
function checkLength(options: TrainOptions): { steps: number; budgetSeconds: number } {
  if (options.steps === undefined && options.budget === undefined) throw new ArgumentError('steps', 'or `budget` must be given', undefined);
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) throw new ArgumentError('steps', 'must be a positive integer', options.steps);
  const minutes = options.budget?.minutes;
  if (options.budget !== undefined && !(typeof minutes === 'number' && minutes > 0 && Number.isFinite(minutes))) {
    throw new ArgumentError('budget.minutes', 'must be a positive number of minutes', minutes);
  }
  return { steps: options.steps ?? Number.POSITIVE_INFINITY, budgetSeconds: minutes === undefined ? Number.POSITIVE_INFINITY : minutes * 60 };
}

/**
 * Trains a U-Net on images and label masks. Each step draws `batchSize`
 * random tiles (augmented, mirror-extrapolated, labels cropped to the output
 * window; see `sampleTiles`), computes the loss on the logits (the output
 * softmax is skipped for stability), and applies the gradients unless the
 * loss is not finite (then a {@link TrainingError} names the step and the
 * weights stay as they were). The run lasts `steps`, or a time `budget`
 * over which the learning-rate schedule, validations and checkpoints are
 * laid out and which it ends within, time for the last validation and the
 * calibration included. With validation (given images, or a held-out share)
 * the best model is kept (with a decaying schedule: the last weights, see
 * `selectAfter`) and, by default, the decision threshold and object
 * settings are calibrated on it and stored in the model with the intensity
 * normalisation, so every prediction path applies them. The library prints
 * nothing: progress goes to the callbacks. Tensor counts stay flat across steps.
 *
 * @param model - a model from `buildModel` / `loadModel` (softmax or linear output).
 * @param data - training images and class-index labels.
 * @param options - length, optimizer, schedule, loss, augmentation, validation, checkpoints, callbacks.
 * @returns the history, validations, best result, calibration and why the run ended.
 * @throws {@link TrainingError} when the loss diverges; {@link ArgumentError} for bad input, or a budget
 *   too small for one validation (before any step runs).
 * @example
 * ```ts
 * const result = await train(model, { images, labels }, {
 *   budget: { minutes: 30 },
 *   optimizer: 'adam',
 *   schedule: { kind: 'cosine', warmup: 0.02 },
 *   loss: 'diceCrossEntropy',
 *   normalization: { kind: 'zscore' },
 *   validation: { holdOut: 0.2 },
 *   checkpoint: { save: fileCheckpoints('runs/ckpt').save },
 *   onStep: ({ step, loss, etaSeconds }) => console.log(step, loss, etaSeconds),
 * });
 * result.info.threshold; // calibrated on the held-out images, saved with the model
 * ```
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const settings = resolveRun(model, options);
  const engine = await resolveEngine(options.engine);
  const run = await TrainingRun.open(model, data, options, settings, engine);
  try {
    await run.measureTheEnd();
    const stopped = await run.trainSteps();
    await run.keepWhatWasValidated(stopped);
    const calibration = await run.calibrateAndStore(stopped);
    return run.result(stopped, calibration);
  } finally {
    await run.dispose();
  }
}

/**
 * One training run's state between its steps: the model and its training
 * copy, the engine, the tiles, the clock, the records and the best model.
 * `train` calls its steps in order.
 */
class TrainingRun {
  private step: number;
  private lastValidatedStep = -1;
  private readonly history: StepRecord[];
  private readonly validations: ValidationRecord[];
  /** What validations, selection and the finished model see: the weights' moving average with `ema`. */
  private readonly shown: 'trained' | 'averaged';
  /** The bar the calibrated model is compared with, measured before training (its time is the budget's). */
  private readonly baseline: TrainResult['baseline'];

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly options: TrainOptions,
    private readonly run: RunSettings,
    private readonly chosen: ResolvedEngine,
    private readonly sets: ReturnType<typeof splitData>,
    private readonly training: TrainingModel,
    private readonly engine: StepEngine,
    private readonly tiles: ReturnType<typeof sampleTiles>,
    private readonly random: Random,
    private readonly kind: DataKind,
    private readonly metric: ValidationMetric,
    private readonly selection: ModelSelection,
    private readonly clock: RunClock,
  ) {
    const resume = options.resume;
    this.step = resume?.step ?? 0;
    this.history = [...(resume?.history ?? [])];
    this.validations = [...(resume?.validations ?? [])];
    this.shown = run.emaMomentum === undefined ? 'trained' : 'averaged';
    const otsu = sets.calibrating ? thresholdBaseline(sets.validation!, { instances: this.objects }) : undefined;
    this.baseline =
      otsu === undefined
        ? undefined
        : { polarity: otsu.polarity, randError: otsu.report.mean.randError, panopticQuality: otsu.report.mean.panopticQuality, ap50: otsu.report.mean.ap50, foregroundDice: otsu.report.mean.foregroundDice };
  }

  /** Sets a run up: its data, the model's stored settings, the training copy with its heads, the tiles, the engine, and a checkpoint's state. */
  static async open(model: tf.LayersModel, data: TrainData, options: TrainOptions, run: RunSettings, chosen: ResolvedEngine): Promise<TrainingRun> {
    const sets = splitData(data, options, run.scale);
    // Predictions (validation, and the user's later on) apply the normalisation and scale stored in the model.
    const { scale: _earlierScale, ...earlier } = modelInfoOf(model);
    attachSpec(model, run.spec, { ...earlier, normalization: run.normalization, ...(run.scale === 1 ? {} : { scale: run.scale }) });
    const training = trainingModel(model, run, options.seed);
    const kind = options.kind ?? dataKind([...sets.fit.labels, ...(sets.validation?.labels ?? [])]);
    const metric: ValidationMetric = options.validation?.metric ?? (training.classes !== 2 ? 'iou' : kind === 'tissue' ? 'randError' : 'panopticQuality');
    const resume = options.resume;
    const random = resume === undefined ? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32)) : Random.fromState(resume.random);
    const ramp = options.augmentationRamp ?? 0;
    if (!(ramp >= 0 && ramp < 1)) throw new ArgumentError('augmentationRamp', 'must be a share of the run in [0, 1)', ramp);
    const clock = runClock(run, options, resume, sets);
    // The ramp reads the run's progress when each tile is drawn (the run exists by then).
    let opened: TrainingRun | undefined;
    const tiles = sampleTiles(sets.fit.images, sets.fit.labels, sets.weights, {
      spec: run.spec,
      inputSize: run.inputSize,
      pipeline: options.augmentation ?? PAPER_AUGMENTATION,
      seed: random,
      normalization: run.normalization,
      ...(options.foreground === undefined ? {} : { foreground: options.foreground }),
      ...(ramp === 0 ? {} : { strength: () => Math.min(1, clock.progress(opened?.step ?? 0) / ramp) }),
    });
    const { heads, logitsModel, logits, classes } = training;
    const supervision = heads.length === 0 ? undefined : { heads, lossWeights: supervisionLossWeights(heads.length) };
    const engine = await createEngine(options, chosen, { logitsModel, spec: logits, classes, momentum: run.momentum, inputSize: run.inputSize, batchSize: run.batchSize, random, supervision });
    const selection = new ModelSelection(metric, { weights: options.keepBest ?? sets.validation !== undefined, predictions: sets.calibrating }, resume === undefined ? undefined : selectionOf(resume));
    if (resume !== undefined) await restore(resume, model, engine, headLayers(logitsModel, heads), run.emaMomentum !== undefined);
    opened = new TrainingRun(model, options, run, chosen, sets, training, engine, tiles, random, kind, metric, selection, clock);
    return opened;
  }

  /** Objects as the kind forms them: tessellations thinned, objects on a background as connected regions. */
  private get objects(): { thin: boolean } {
    return { thin: this.kind === 'tissue' };
  }

  /** A timed run validates (and calibrates) once before training, to know what its end must keep time for. */
  async measureTheEnd(): Promise<void> {
    const { run, sets, clock, selection } = this;
    if (run.timed && sets.validation !== undefined && this.step === 0) {
      await this.validate();
      if (sets.calibrating && selection.bestScored !== null) {
        const began = performance.now();
        calibrate(selection.bestScored, { kind: this.kind });
        clock.calibrated((performance.now() - began) / 1000);
      }
      checkBudgetFits(run, this.options, sets.validation, clock.validationSeconds, clock.calibrationSeconds);
    }
    // The schedule spans the training time: from after the first validation to the reserve for the end
    // (a resumed run takes its start from the first validation's record).
    if (this.step === 0) clock.startSchedule();
    else clock.startSchedule(this.validations.find((v) => v.step === 0)?.seconds ?? 0);
  }

  /** Steps until the budget or step target ends the run, early stopping stops it, or the signal aborts it. */
  async trainSteps(): Promise<TrainResult['stopped']> {
    const { options, run, clock, engine, sets } = this;
    const rateOption = options.learningRate ?? 1e-3;
    for (;;) {
      // Let timers and signal handlers run (an AbortSignal timeout, Ctrl-C): backend promises such as
      // wasm's data() resolve as microtasks, so without this the event loop would never turn.
      await yieldToEventLoop();
      if (options.signal?.aborted === true) return 'aborted';
      if (!clock.hasTimeFor(this.step)) return 'completed';
      const next = this.step + 1;
      const rate = typeof rateOption === 'number' ? learningRateAt(rateOption, run.schedule, clock.progress(this.step)) : rateOption(next);
      const loss = await engine.step(drawBatch(this.tiles, run.batchSize), rate);
      if (!Number.isFinite(loss)) {
        engine.sync(); // the model keeps the last finite step's weights
        throw new TrainingError(next, loss);
      }
      this.step = next;
      if (run.emaMomentum !== undefined) engine.updateAverage(emaMomentumAt(run.emaMomentum, next));
      this.history.push({ step: next, loss });
      await options.onStep?.({
        step: next,
        steps: clock.expectedSteps(next),
        loss,
        learningRate: rate,
        stepsPerSecond: clock.stepsPerSecond(next),
        etaSeconds: clock.secondsLeft(next),
        progress: clock.progress(next),
      });
      if (sets.validation !== undefined && clock.validationDue(next) && (await this.validate())) return 'earlyStopping';
      if (options.checkpoint !== undefined && clock.checkpointDue(next) && next < run.stepTarget) await this.saveCheckpoint();
    }
  }

  /** Validates the last weights too (so the best of the run is really kept), saves a checkpoint, and puts the kept weights in the model. */
  async keepWhatWasValidated(stopped: TrainResult['stopped']): Promise<void> {
    const { engine, sets, selection, options } = this;
    engine.sync(this.shown);
    if (sets.validation !== undefined && stopped !== 'aborted' && (this.lastValidatedStep !== this.step || selection.best === null)) await this.validate(true);
    if (options.checkpoint !== undefined) await this.saveCheckpoint();
    // The model keeps what was validated (a checkpoint wrote the trained weights into it).
    engine.sync(this.shown);
    if (selection.bestWeights !== null && (options.keepBest ?? sets.validation !== undefined)) {
      const { manifests, data: blob } = packTensors([selection.bestWeights]);
      setWeightValues(this.model, manifests[0]!, blob);
    }
  }

  /** Calibrates the kept model on the held-out images (unless the run was aborted) and stores the result (and the test-time augmentation) in it. */
  async calibrateAndStore(stopped: TrainResult['stopped']): Promise<Calibration | undefined> {
    const { model, run, sets } = this;
    if (!sets.calibrating || stopped === 'aborted') {
      if (run.tta > 1 && !run.ttaChoice) attachSpec(model, run.spec, { ...modelInfoOf(model), tta: run.tta });
      return undefined;
    }
    const calibration = await calibrateModel(run, this.selection.bestScored, { metric: this.metric, kind: this.kind }, (tta) => this.predictValidation(tta));
    const tta = calibration.tta === undefined ? run.tta : calibration.tta.kept ? calibration.tta.count : 1;
    // A test-time augmentation stored by an earlier run does not describe this calibration.
    const { tta: _earlier, ...info } = modelInfoOf(model);
    attachSpec(model, run.spec, { ...info, ...calibration.info, ...(tta > 1 ? { tta } : {}) });
    return calibration;
  }

  /** What `train` returns. */
  result(stopped: TrainResult['stopped'], calibration: Calibration | undefined): TrainResult {
    return {
      steps: this.step,
      seconds: this.clock.elapsed(),
      history: this.history,
      validations: this.validations,
      best: this.selection.best,
      stopped,
      kind: this.kind,
      metric: this.metric,
      info: modelInfoOf(this.model),
      ...(calibration === undefined ? {} : { calibration }),
      ...(this.baseline === undefined ? {} : { baseline: this.baseline }),
    };
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
    this.training.logitsModel.dispose();
  }

  /** The validation images' report and predictions, predicted with `tta` flips/rotations. */
  private predictValidation(tta = 1): Promise<{ report: EvaluationReport; scored: ScoredImage[] }> {
    const { model, run, sets, options } = this;
    return withValidationPredictor(model, run.spec, this.chosen, (predictor) =>
      validationReport(predictor, run.spec, sets.validation!, { inputSize: options.validation?.inputSize ?? run.inputSize, ...(tta === 1 ? {} : { tta }), instances: this.objects }),
    );
  }

  /** Validates the current weights (`last`: the run's last weights); returns whether early stopping asks to stop. */
  private async validate(last = false): Promise<boolean> {
    const { clock, selection, options } = this;
    const began = performance.now();
    this.engine.sync(this.shown);
    const { report, scored } = await this.predictValidation();
    const record = validationRecord(report, this.step, clock.elapsed());
    clock.validated(began);
    this.lastValidatedStep = this.step;
    this.validations.push(record);
    const competes = last || clock.progress(this.step) >= this.run.selectAfter;
    const improved = selection.consider(this.step, record[this.metric], competes, this.model, scored);
    await options.onValidation?.(record, improved);
    return selection.exhausted(options.earlyStopping?.patience);
  }

  private async saveCheckpoint(): Promise<void> {
    const { engine, training, clock } = this;
    const began = performance.now();
    engine.sync();
    const named = (weights: readonly { name: string; shape: readonly number[]; values: Float32Array }[]) => weights.map((n) => ({ name: n.name, shape: [...n.shape], values: n.values }));
    const optimizerWeights = named(await engine.optimizerWeights());
    const headWeights = training.heads.length === 0 ? undefined : headLayers(training.logitsModel, training.heads).flatMap(layerWeightValues);
    const average = engine.averageWeights();
    const averageWeights = average === undefined ? undefined : named(average);
    await this.options.checkpoint!.save(
      checkpointOf({ spec: this.run.spec, model: this.model, optimizerWeights, headWeights, averageWeights, step: this.step, random: this.random, history: this.history, validations: this.validations, selection: this.selection, seconds: clock.elapsed() }),
    );
    clock.checkpointed(began);
  }
}

/** The model `train` steps: the logits at the training tile size, with deep-supervision heads when asked. */
interface TrainingModel {
  readonly logitsModel: tf.LayersModel;
  readonly logits: Spec;
  readonly classes: number;
  readonly heads: readonly SupervisionHead[];
}

function trainingModel(model: tf.LayersModel, run: RunSettings, seed: number | undefined): TrainingModel {
  const logits = logitsSpec(run.spec);
  const classes = outputChannels(run.spec);
  const heads = supervisionHeads(logits, run.inputSize, run.supervised);
  const logitsModel =
    heads.length === 0 ? withInputSize(model, logits, run.inputSize) : withSupervisionHeads(model, logits, run.inputSize, heads, { classes, ...(seed === undefined ? {} : { seed }) });
  leanConvGradients(logitsModel);
  return { logitsModel, logits, classes, heads };
}

/** The checked settings of a run. */
interface RunSettings {
  readonly spec: Spec;
  readonly stepTarget: number;
  readonly budgetSeconds: number;
  readonly timed: boolean;
  readonly batchSize: number;
  readonly momentum: number;
  readonly schedule: Schedule;
  readonly inputSize: number;
  readonly normalization: Normalization;
  readonly selectAfter: number;
  /** The nodes deep supervision puts heads on (none: empty). */
  readonly supervised: readonly string[];
  /** Flips/rotations the calibration and later predictions average over (1: none). */
  readonly tta: number;
  /** Whether the calibration keeps `tta` only when it does not worsen the validation metric. */
  readonly ttaChoice: boolean;
  /** The weights' moving average's momentum (none: no average). */
  readonly emaMomentum: number | undefined;
  /** The scale the network works at. */
  readonly scale: number;
}

/**
 * `selectAfter` when not given: 0 (every validation competes) with a constant rate or a rate
 * function (`schedule` undefined); with a decaying schedule 1 (the last weights), or 0.75 (the last
 * quarter) when early stopping needs competing validations.
 */
export function defaultSelectAfter(schedule: Schedule | undefined, earlyStopping = false): number {
  if (schedule === undefined || schedule.kind === 'constant') return 0;
  return earlyStopping ? 0.75 : 1;
}

/** The momentum of the weights' moving average after `step` steps: `min(momentum, (1 + step) / (10 + step))`. */
export function emaMomentumAt(momentum: number, step: number): number {
  return Math.min(momentum, (1 + step) / (10 + step));
}

/** Checks the options against the model and resolves their defaults, before anything runs. */
function resolveRun(model: tf.LayersModel, options: TrainOptions): RunSettings {
  const spec = options.spec ?? specOf(model);
  if (spec === undefined) throw new ArgumentError('options.spec', 'is required for a model that carries no spec in its metadata', undefined);
  const { steps: stepTarget, budgetSeconds } = checkLength(options);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batchSize);
  const momentum = options.momentum ?? 0.99;
  if (!(momentum >= 0 && momentum < 1)) throw new ArgumentError('momentum', 'must be in [0, 1)', momentum);
  const schedule = checkSchedule(options.schedule ?? { kind: 'constant' });
  const inputSize = options.inputSize ?? model.inputs[0]!.shape[1] ?? defaultInputSize(spec);
  const resume = options.resume;
  if (resume !== undefined && (resume.format !== CHECKPOINT_FORMAT || specToJSON(resume.spec) !== specToJSON(spec))) {
    throw new ArgumentError('resume', "must be a checkpoint of this model's spec", resume.format);
  }
  const normalization = options.normalization ?? { kind: 'scale' as const };
  checkNormalization(normalization, model.inputs[0]!.shape[3] ?? 1, 'normalization');
  const selectAfter = options.selectAfter ?? defaultSelectAfter(typeof options.learningRate === 'function' ? undefined : schedule, options.earlyStopping !== undefined);
  if (!(selectAfter >= 0 && selectAfter <= 1)) throw new ArgumentError('selectAfter', 'must be a fraction of the run in [0, 1]', selectAfter);
  const supervised = supervisedNodes(spec, options.deepSupervision);
  const resumedHeads = resume?.headWeights === undefined ? 0 : new Set(resume.headWeights.map((w) => w.name.slice(0, w.name.indexOf('/')))).size;
  if (resume !== undefined && resumedHeads !== supervised.length) {
    throw new ArgumentError(
      'resume',
      `must be a checkpoint of a run with the same deep supervision: it has ${resumedHeads} head(s), the options ask for ${supervised.length} (deepSupervision)`,
      options.deepSupervision ?? false,
    );
  }
  const tta = options.tta === undefined || options.tta === false ? 1 : options.tta === true || options.tta === 'calibrate' ? 8 : options.tta;
  if (!Number.isInteger(tta) || tta < 1 || tta > 8) throw new ArgumentError('tta', "must be a boolean, an integer from 1 to 8 or 'calibrate'", options.tta);
  const ttaChoice = options.tta === 'calibrate';
  const emaMomentum = options.ema === undefined || options.ema === false ? undefined : options.ema === true ? 0.999 : (options.ema.momentum ?? 0.999);
  if (emaMomentum !== undefined && !(emaMomentum > 0 && emaMomentum < 1)) throw new ArgumentError('ema.momentum', 'must be in (0, 1)', emaMomentum);
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new ArgumentError('scale', 'must be a number in (0, 1]', scale);
  return { spec, stepTarget, budgetSeconds, timed: Number.isFinite(budgetSeconds), batchSize, momentum, schedule, inputSize, normalization, selectAfter, supervised, tta, ttaChoice, emaMomentum, scale };
}

/** The data a run trains on and validates on, and the pixel weights of the training part. */
function splitData(data: TrainData, options: TrainOptions, scale: number) {
  const given = options.validation;
  if (data.instances !== undefined && data.instances.length !== data.images.length) {
    throw new ArgumentError('data.instances', `must hold one object image per image (${data.images.length})`, data.instances.length);
  }
  const split = given !== undefined && 'holdOut' in given ? holdOut(data, given.holdOut) : undefined;
  if (split !== undefined && Array.isArray(data.weights)) {
    throw new ArgumentError('data.weights', "must be 'border', 'borderUnbalanced' or 'none' with a held-out validation share (given maps cannot be split)", 'an array of maps');
  }
  // The training part at the network's scale; validation stays whole (predictions are enlarged back).
  const fit: LabelledImages = atScale(split?.train ?? data, scale);
  const validation: LabelledImages | undefined = split?.validation ?? (given !== undefined && 'images' in given ? given : undefined);
  const weights = Array.isArray(data.weights) ? weightsAtScale(data.weights, scale) : pixelWeights(fit, data.weights);
  return { fit, validation, weights, calibrating: (options.calibrate ?? true) && validation !== undefined };
}

/** The engine the options ask for, set up for the logits model. */
async function createEngine(
  options: TrainOptions,
  chosen: ResolvedEngine,
  setup: {
    logitsModel: tf.LayersModel;
    spec: Spec;
    classes: number;
    momentum: number;
    inputSize: number;
    batchSize: number;
    random: Random;
    supervision: EngineSetup['supervision'];
  },
): Promise<StepEngine> {
  const rateOption = options.learningRate ?? 1e-3;
  const common = {
    logitsModel: setup.logitsModel,
    spec: setup.spec,
    classes: setup.classes,
    optimizer: options.optimizer,
    learningRate: typeof rateOption === 'number' ? rateOption : rateOption(1),
    momentum: setup.momentum,
    loss: lossFunction(options.loss),
    ...(setup.supervision === undefined ? {} : { supervision: setup.supervision }),
  };
  if (chosen.name === 'tfjs') return tfjsEngine(common);
  return onnxEngine({ ...common, inputSize: setup.inputSize, batchSize: setup.batchSize, random: setup.random, lossTerms: onnxLossTerms(options) }, chosen);
}

/** The best-model state a checkpoint carries. */
function selectionOf(resume: Checkpoint): SelectionState {
  return {
    best: resume.best,
    sinceBest: resume.sinceBest,
    bestWeights: resume.bestWeights === null ? null : resume.bestWeights.map((e) => ({ name: e.name, shape: e.shape, values: Float32Array.from(unpack(e, resume.data)) })),
  };
}

/**
 * The calibration at the end of a run: the threshold and object settings
 * chosen on the best model's validation predictions, made as later
 * predictions will be (with the run's test-time augmentation; with
 * `'calibrate'`, with or without it, whichever scores no worse).
 */
async function calibrateModel(
  run: RunSettings,
  bestScored: ScoredImage[] | null,
  { metric, kind }: { metric: ValidationMetric; kind: DataKind },
  predict: (tta: number) => Promise<{ scored: ScoredImage[] }>,
): Promise<Calibration> {
  // After a resume the best model's predictions may be from the earlier process: predict them again.
  const plain = async () => bestScored ?? (await predict(1)).scored;
  if (!run.ttaChoice) return calibrate(run.tta === 1 ? await plain() : (await predict(run.tta)).scored, { kind });
  const without = await plain();
  const augmented = (await predict(run.tta)).scored;
  const scoreOf = (images: ScoredImage[]) => validationRecord(evaluateSegmentation(images, { instances: { thin: kind === 'tissue' } }), 0, 0)[metric];
  const [a, b] = [scoreOf(augmented), scoreOf(without)];
  const kept = lowerIsBetter(metric) ? a <= b : a >= b;
  return { ...calibrate(kept ? augmented : without, { kind }), tta: { count: run.tta, with: a, without: b, kept } };
}

/**
 * Runs `use` with what validations predict with: the model on the tfjs
 * backend, or with the onnx engine an ONNX Runtime session of its current
 * weights (`toOnnx`; a few times faster on a CPU, equal to tfjs to float
 * rounding), released afterwards.
 */
async function withValidationPredictor<T>(model: tf.LayersModel, spec: Spec, engine: ResolvedEngine, use: (predictor: tf.LayersModel | TilePredictor) => Promise<T>): Promise<T> {
  if (engine.name === 'tfjs') return use(model);
  const session = await engine.runtime.InferenceSession.create(toOnnx(model, spec), sessionOptions(engine));
  const predictor = onnxPredictor(session, engine.runtime.Tensor, { spec, layout: 'NHWC', info: modelInfoOf(model) });
  try {
    return await use(predictor);
  } finally {
    await predictor.dispose();
  }
}

/** The deep-supervision heads' layers of a training model (none without heads). */
function headLayers(logitsModel: tf.LayersModel, heads: readonly SupervisionHead[]): tf.layers.Layer[] {
  return heads.map((h) => logitsModel.getLayer(h.name));
}

/** A layer's weights as named values. */
function layerWeightValues(layer: tf.layers.Layer): NamedWeights {
  return layer.weights.map((w) => ({ name: `${layer.name}/${w.originalName.slice(w.originalName.lastIndexOf('/') + 1)}`, shape: [...w.shape] as number[], values: Float32Array.from(w.read().dataSync()) }));
}

/** Puts a checkpoint's weights (the heads' too) and optimizer state into the model and the engine. */
async function restore(resume: Checkpoint, model: tf.LayersModel, engine: StepEngine, heads: readonly tf.layers.Layer[], averaging: boolean): Promise<void> {
  setWeightValues(model, resume.weights, resume.data);
  const saved = new Map((resume.headWeights ?? []).map((e) => [e.name, e]));
  for (const layer of heads) {
    const values = layerWeightValues(layer).map((w) => {
      const entry = saved.get(w.name);
      if (entry === undefined || entry.shape.join('x') !== w.shape.join('x')) {
        throw new ArgumentError('resume.headWeights', `must hold '${w.name}' of shape [${w.shape.join(', ')}] (a checkpoint of this run's deep supervision)`, entry === undefined ? 'none' : `[${entry.shape.join(', ')}]`);
      }
      return tf.tensor(unpack(entry, resume.data), entry.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  engine.reload();
  await engine.setOptimizerWeights(resume.optimizerWeights.map((e) => ({ name: e.name, shape: e.shape, values: Float32Array.from(unpack(e, resume.data)) })));
  // A run that averages continues its average (a checkpoint without one starts it afresh; a run without `ema` ignores it).
  if (averaging && resume.averageWeights !== undefined) engine.setAverageWeights(resume.averageWeights.map((e) => ({ name: e.name, shape: e.shape, values: Float32Array.from(unpack(e, resume.data)) })));
}

/** The clock that lays validations, checkpoints and the schedule over the run's steps or budget. */
function runClock(run: RunSettings, options: TrainOptions, resume: Checkpoint | undefined, sets: ReturnType<typeof splitData>): RunClock {
  const given = options.validation;
  // The end validates once more (with some slack), and with test-time augmentation the calibration predicts the validation images `tta` times over.
  const ttaValidations = sets.calibrating && run.tta > 1 ? END_TTA_SLACK * (run.tta + (run.ttaChoice ? 1 : 0)) : 0;
  return new RunClock({
    endValidations: sets.validation === undefined ? 0 : END_VALIDATION_SLACK + ttaValidations,
    endCheckpoint: options.checkpoint !== undefined,
    steps: run.stepTarget,
    budgetSeconds: run.budgetSeconds,
    startStep: resume?.step ?? 0,
    startSeconds: resume?.seconds ?? 0,
    validationInterval: given?.everyMinutes !== undefined ? given.everyMinutes * 60 : run.budgetSeconds / 10,
    ...(given?.everyMinutes === undefined ? { validationShare: VALIDATION_SHARE } : {}),
    checkpointInterval: options.checkpoint?.everyMinutes !== undefined ? options.checkpoint.everyMinutes * 60 : run.budgetSeconds / 10,
    validationEvery: given?.every ?? (run.timed ? Number.POSITIVE_INFINITY : 50),
    checkpointEvery: options.checkpoint?.every ?? (run.timed ? Number.POSITIVE_INFINITY : 50),
  });
}

/** Refuses a budget that cannot hold the first and last validations, the calibration and some training. */
function checkBudgetFits(run: RunSettings, options: TrainOptions, validation: LabelledImages, validationSeconds: number, calibrationSeconds: number): void {
  const minimum = 2 * (2 * validationSeconds + calibrationSeconds);
  if (run.budgetSeconds >= minimum) return;
  throw new ArgumentError(
    'budget.minutes',
    `is too small: one validation of these ${validation.images.length} image(s) takes ${validationSeconds.toFixed(1)} s and the run needs time to train between the first and the last; give at least ${Math.ceil((minimum / 60) * 10) / 10} minutes (or fewer validation images)`,
    options.budget!.minutes,
  );
}

/** A checkpoint of the run as it stands. */
function checkpointOf(state: {
  spec: Spec;
  model: tf.LayersModel;
  optimizerWeights: NamedWeights;
  headWeights: NamedWeights | undefined;
  averageWeights: NamedWeights | undefined;
  step: number;
  random: Random;
  history: readonly StepRecord[];
  validations: readonly ValidationRecord[];
  selection: ModelSelection;
  seconds: number;
}): Checkpoint {
  const { selection } = state;
  const groups = [weightValues(state.model), state.optimizerWeights, state.headWeights ?? [], state.averageWeights ?? [], ...(selection.bestWeights === null ? [] : [selection.bestWeights])];
  const { manifests, data } = packTensors(groups);
  return {
    format: CHECKPOINT_FORMAT,
    version: 1,
    spec: state.spec,
    step: state.step,
    random: state.random.state,
    history: [...state.history],
    validations: [...state.validations],
    best: selection.best,
    sinceBest: selection.sinceBest,
    seconds: state.seconds,
    weights: manifests[0]!,
    optimizerWeights: manifests[1]!,
    bestWeights: (manifests[4] as TensorManifest[] | undefined) ?? null,
    ...(state.headWeights === undefined ? {} : { headWeights: manifests[2]! }),
    ...(state.averageWeights === undefined ? {} : { averageWeights: manifests[3]! }),
    data,
  };
}
