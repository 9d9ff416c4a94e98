/**
 * The training loop: a custom loop (not `fit`, which cannot take per-pixel
 * weights) with the paper's defaults, validation, early stopping, best-model
 * keeping, progress callbacks and resumable checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { graph } from '../spec/graph.js';
import { ArgumentError } from '../spec/errors.js';
import { specToJSON } from '../spec/json.js';
import { defaultInputSize } from '../geometry/tiles.js';
import { specOf } from '../compile/metadata.js';
import { withInputSize } from '../compile/build.js';
import { leanConvGradients } from '../compile/lean-gradients.js';
import { PAPER_AUGMENTATION, type AugmentOp } from '../augment/pipeline.js';
import { Random } from '../augment/random.js';
import { sampleTiles, tilesToTensors } from '../augment/tiles.js';
import type { ImageArray, TypedArray } from '../loss/image.js';
import { weightMap } from '../loss/weight-map.js';
import { weightedSoftmaxCrossEntropy } from '../loss/cross-entropy.js';
import { segmentationScores } from '../metrics/scores.js';
import { predictTiled } from '../infer/predict.js';
import {
  CHECKPOINT_FORMAT,
  packTensors,
  setWeightValues,
  unpack,
  weightValues,
  type Checkpoint,
  type StepRecord,
  type TensorManifest,
  type ValidationRecord,
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
   * Per-pixel loss weights: `'border'` (default) computes the paper's weight
   * map from each label image (w0 10, sigma 5, balanced classes); `'none'`
   * weighs every pixel 1; or give the maps.
   */
  readonly weights?: 'border' | 'none' | readonly ImageArray<TypedArray>[];
}

/** Validation metrics a run can select on (errors are lower-is-better, overlaps higher). */
export const VALIDATION_METRICS = ['pixelError', 'randError', 'iou', 'dice'] as const;
/** @see {@link VALIDATION_METRICS} */
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

/** What {@link TrainOptions.onStep} receives. */
export interface StepInfo {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly learningRate: number;
  /** Steps per second over this run so far. */
  readonly stepsPerSecond: number;
  /** Estimated seconds to the last step. */
  readonly etaSeconds: number;
}

/** Where checkpoints go. */
export interface CheckpointSink {
  /** Steps between checkpoints (one is also written at the end). */
  readonly every: number;
  /** Persists a checkpoint (e.g. `fileCheckpoints(dir).save`); should be crash-safe. */
  readonly save: (checkpoint: Checkpoint) => Promise<void>;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Steps to run in total (a resumed run continues up to this count). */
  readonly steps: number;
  /** The model's spec. Default: the one in the model's metadata. */
  readonly spec?: Spec;
  /** Training tile size (valid for the spec). Default: the model's input size, else the valid size nearest 572. */
  readonly inputSize?: number;
  /** Tiles per step. Default 1 (the paper: one large tile). */
  readonly batchSize?: number;
  /** `'sgd'` (momentum 0.99, the paper's; default), `'adam'`, or any tfjs optimizer. */
  readonly optimizer?: 'sgd' | 'adam' | tf.Optimizer;
  /** A number or a schedule `step => rate` (step counts from 1). Default 1e-3 (sgd) or 1e-3 (adam). */
  readonly learningRate?: number | ((step: number) => number);
  /** Augmentation per tile. Default: the paper's (elastic deformation on). `[]` for none. */
  readonly augmentation?: readonly AugmentOp[];
  /** Loss on `(oneHotLabels, logits, weights)`. Default: weighted softmax cross-entropy. */
  readonly loss?: (labels: tf.Tensor, logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor;
  /** Held-out images, predicted whole (overlap-tile) every `every` steps. */
  readonly validation?: {
    readonly images: readonly ImageArray<TypedArray>[];
    readonly labels: readonly ImageArray<TypedArray>[];
    readonly every: number;
    /** Metric that picks the best model and drives early stopping. Default `'pixelError'`. */
    readonly metric?: ValidationMetric;
    /** Tile size for validation predictions. Default: the training tile size. */
    readonly inputSize?: number;
  };
  /** Stop after this many validations without improvement. */
  readonly earlyStopping?: { readonly patience: number };
  /** Restore the best validated weights at the end. Default true when validating. */
  readonly keepBest?: boolean;
  readonly checkpoint?: CheckpointSink;
  /** Continue from a checkpoint of the same spec. */
  readonly resume?: Checkpoint;
  /** Seed of tile sampling and augmentation. */
  readonly seed?: number;
  /** Stops the run after the current step (a checkpoint is written first when checkpointing). */
  readonly signal?: AbortSignal;
  /** Called after every step with the loss, rate, speed and ETA (awaited). */
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
  /** Called after every validation with the metrics and whether they are the best so far (awaited). */
  readonly onValidation?: (record: ValidationRecord, isBest: boolean) => void | Promise<void>;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Steps completed (including those before a resume). */
  readonly steps: number;
  readonly history: readonly StepRecord[];
  readonly validations: readonly ValidationRecord[];
  readonly best: { readonly step: number; readonly value: number } | null;
  /** Why the run ended. */
  readonly stopped: 'completed' | 'earlyStopping' | 'aborted';
}

/** The spec with the output activation removed: its output is the logits. */
function logitsSpec(spec: Spec): Spec {
  const out = spec.nodes.find((n) => n.name === spec.output)!;
  if (out.kind !== 'output') return spec;
  if (out.activation === 'sigmoid') {
    throw new ArgumentError('spec', "must end in a softmax or linear output to train with the softmax cross-entropy (sigmoid outputs are not supported by train)", out.activation);
  }
  return graph({ name: spec.name, nodes: spec.nodes.filter((n) => n !== out), output: out.input });
}

function makeOptimizer(option: TrainOptions['optimizer'], rate: number): tf.Optimizer {
  if (option === undefined || option === 'sgd') return tf.train.momentum(rate, 0.99);
  if (option === 'adam') return tf.train.adam(rate);
  return option;
}

function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else o.learningRate = rate;
}

/** Resolves after pending macrotasks (timers, I/O, signals) have had a turn. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

const lowerIsBetter = (metric: ValidationMetric) => metric === 'pixelError' || metric === 'randError';

async function validate(model: tf.LayersModel, spec: Spec, validation: NonNullable<TrainOptions['validation']>, inputSize: number, step: number): Promise<ValidationRecord> {
  const sums = { pixelError: 0, iou: 0, dice: 0, randError: 0 };
  for (let i = 0; i < validation.images.length; i++) {
    const { probabilities, labels } = await predictTiled(model, validation.images[i]!, { spec, inputSize });
    const predicted = (await labels.data()) as Int32Array;
    const classes = probabilities.shape[2]!;
    tf.dispose([probabilities, labels]);
    const scores = segmentationScores(predicted, validation.labels[i]!, classes);
    for (const key of ['pixelError', 'iou', 'dice', 'randError'] as const) sums[key] += scores[key];
  }
  const n = validation.images.length;
  return { step, pixelError: sums.pixelError / n, iou: sums.iou / n, dice: sums.dice / n, randError: sums.randError / n };
}

/**
 * Trains a U-Net on images and label masks. Each step draws `batchSize`
 * random tiles (augmented, mirror-extrapolated, labels cropped to the output
 * window; see `sampleTiles`), computes the loss on the logits (the output
 * softmax is skipped for stability), and applies the gradients unless the
 * loss is not finite (then a {@link TrainingError} names the step and the
 * weights stay as they were). The library prints nothing: progress goes to
 * the callbacks. Tensor counts stay flat across steps.
 *
 * @param model - a model from `buildModel` / `loadModel` (softmax or linear output).
 * @param data - training images and class-index labels.
 * @param options - steps, optimizer, augmentation, validation, checkpoints, callbacks.
 * @returns the history, validations, best result and why the run ended.
 * @throws {@link TrainingError} when the loss diverges; {@link ArgumentError} for bad input.
 * @example
 * ```ts
 * const result = await train(model, { images, labels }, {
 *   steps: 2000,
 *   optimizer: 'adam',
 *   validation: { images: valImages, labels: valLabels, every: 100, metric: 'randError' },
 *   checkpoint: { every: 100, save: fileCheckpoints('runs/ckpt').save },
 *   onStep: ({ step, loss, etaSeconds }) => console.log(step, loss, etaSeconds),
 * });
 * ```
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const spec = options.spec ?? specOf(model);
  if (spec === undefined) throw new ArgumentError('options.spec', 'is required for a model that carries no spec in its metadata', undefined);
  if (!Number.isInteger(options.steps) || options.steps < 1) throw new ArgumentError('steps', 'must be a positive integer', options.steps);
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batchSize);
  const inputSize = options.inputSize ?? model.inputs[0]!.shape[1] ?? defaultInputSize(spec);
  const resume = options.resume;
  if (resume !== undefined && (resume.format !== CHECKPOINT_FORMAT || specToJSON(resume.spec) !== specToJSON(spec))) {
    throw new ArgumentError('resume', "must be a checkpoint of this model's spec", resume.format);
  }

  const logitsModel = withInputSize(model, logitsSpec(spec), inputSize);
  leanConvGradients(logitsModel);
  const classes = logitsModel.outputs[0]!.shape[3]!;
  const weights =
    data.weights === undefined || data.weights === 'border'
      ? data.labels.map((label) => ({ data: weightMap(label, { kind: 'classes' }), width: label.width, height: label.height }))
      : data.weights === 'none'
        ? undefined
        : data.weights;
  const random = resume === undefined ? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32)) : Random.fromState(resume.random);
  const tiles = sampleTiles(data.images, data.labels, weights, { spec, inputSize, pipeline: options.augmentation ?? PAPER_AUGMENTATION, seed: random });

  const schedule = options.learningRate ?? 1e-3;
  const rateAt = (step: number) => (typeof schedule === 'number' ? schedule : schedule(step));
  const optimizer = makeOptimizer(options.optimizer, rateAt(1));
  const lossFn = options.loss ?? ((y: tf.Tensor, logits: tf.Tensor, w: tf.Tensor) => weightedSoftmaxCrossEntropy(y, logits, w));
  const trainable = logitsModel.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);

  const history: StepRecord[] = [...(resume?.history ?? [])];
  const validations: ValidationRecord[] = [...(resume?.validations ?? [])];
  let best = resume?.best ?? null;
  let sinceBest = resume?.sinceBest ?? 0;
  let bestWeights: { name: string; shape: number[]; values: Float32Array }[] | null = null;
  let startStep = 0;
  if (resume !== undefined) {
    setWeightValues(model, resume.weights, resume.data);
    const named = resume.optimizerWeights.map((e) => ({ name: e.name, tensor: tf.tensor(unpack(e, resume.data), e.shape) }));
    await optimizer.setWeights(named);
    tf.dispose(named.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
    if (resume.bestWeights !== null) bestWeights = resume.bestWeights.map((e) => ({ name: e.name, shape: e.shape, values: Float32Array.from(unpack(e, resume.data)) }));
    startStep = resume.step;
  }

  const keepBest = options.keepBest ?? options.validation !== undefined;
  const metric = options.validation?.metric ?? 'pixelError';
  let step = startStep;

  const capture = async (): Promise<Checkpoint> => {
    const named = await optimizer.getWeights();
    const optimizerValues = named.map((n) => ({ name: n.name, shape: [...n.tensor.shape], values: Float32Array.from(n.tensor.dataSync()) }));
    tf.dispose(named.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
    const groups = [weightValues(model), optimizerValues, ...(bestWeights === null ? [] : [bestWeights])];
    const { manifests, data: blob } = packTensors(groups);
    return {
      format: CHECKPOINT_FORMAT,
      version: 1,
      spec,
      step,
      random: random.state,
      history,
      validations,
      best,
      sinceBest,
      weights: manifests[0]!,
      optimizerWeights: manifests[1]!,
      bestWeights: (manifests[2] as TensorManifest[] | undefined) ?? null,
      data: blob,
    };
  };

  let stopped: TrainResult['stopped'] = 'completed';
  const started = performance.now();
  try {
    while (step < options.steps) {
      // Let timers and signal handlers run (an AbortSignal timeout, Ctrl-C): backend promises such as
      // wasm's data() resolve as microtasks, so without this the event loop would never turn.
      await yieldToEventLoop();
      if (options.signal?.aborted === true) {
        stopped = 'aborted';
        break;
      }
      const next = step + 1;
      const rate = rateAt(next);
      setLearningRate(optimizer, rate);
      const batch = tilesToTensors(Array.from({ length: batchSize }, () => tiles.next().value), classes);
      const { value, grads } = tf.variableGrads(
        () => lossFn(batch.y, logitsModel.apply(batch.x, { training: true }) as tf.Tensor, batch.weights) as tf.Scalar,
        trainable,
      );
      const loss = (await value.data())[0]!;
      if (!Number.isFinite(loss)) {
        tf.dispose([batch.x, batch.y, batch.weights, value, ...Object.values(grads)]);
        throw new TrainingError(next, loss);
      }
      optimizer.applyGradients(grads);
      tf.dispose([batch.x, batch.y, batch.weights, value, ...Object.values(grads)]);
      step = next;
      history.push({ step, loss });
      const elapsed = (performance.now() - started) / 1000;
      const stepsPerSecond = (step - startStep) / Math.max(elapsed, 1e-9);
      await options.onStep?.({ step, steps: options.steps, loss, learningRate: rate, stepsPerSecond, etaSeconds: (options.steps - step) / stepsPerSecond });

      if (options.validation !== undefined && step % options.validation.every === 0) {
        const record = await validate(model, spec, options.validation, options.validation.inputSize ?? inputSize, step);
        validations.push(record);
        const value = record[metric];
        const improved = best === null || (lowerIsBetter(metric) ? value < best.value : value > best.value);
        if (improved) {
          best = { step, value };
          sinceBest = 0;
          if (keepBest) bestWeights = weightValues(model);
        } else sinceBest++;
        await options.onValidation?.(record, improved);
        if (options.earlyStopping !== undefined && sinceBest >= options.earlyStopping.patience) {
          stopped = 'earlyStopping';
          break;
        }
      }
      if (options.checkpoint !== undefined && step % options.checkpoint.every === 0 && step < options.steps) {
        await options.checkpoint.save(await capture());
      }
    }
    if (options.checkpoint !== undefined) await options.checkpoint.save(await capture());
    if (keepBest && bestWeights !== null) {
      const { manifests, data: blob } = packTensors([bestWeights]);
      setWeightValues(model, manifests[0]!, blob);
    }
  } finally {
    logitsModel.dispose();
    if (optimizer !== options.optimizer) optimizer.dispose();
  }
  return { steps: step, history, validations, best, stopped };
}
