/**
 * What runs a training step for `train`: tfjs's autodiff and optimizers on
 * the current backend, or one ONNX Runtime session of the graph from
 * `trainingGraph` (forward, loss, backward and update in one call). Both
 * read and write the same tfjs model and name their optimizer state as
 * tfjs does, so checkpoints move between them.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/errors.js';
import type { Spec } from '../spec/graph.js';
import type { Random } from '../core/random.js';
import { tilesToArrays, tilesToTensors, type Tile } from './tiles.js';
import { permute } from '../onnx/permute.js';
import type { OrtSessionLike, OrtTensorConstructor, OrtTensorLike } from '../onnx/predictor.js';
import { trainingGraph, type TrainingGraph, type TrainingOptimizer } from '../onnx/training/training-graph.js';
import type { LossTerm } from '../loss/losses.js';
import type { SupervisionHead } from '../geometry/supervision.js';
import { headTargets } from './supervision.js';

/** A named tensor's values (optimizer state in checkpoints). */
export interface NamedValues {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Which weights {@link StepEngine.sync} writes into the model: those the steps train, or their moving average. */
export type WeightSet = 'trained' | 'averaged';

/** Runs training steps on a model's weights. */
export interface StepEngine {
  /** One step on a batch of tiles at `rate`; resolves to the loss. When it is not finite nothing changes. */
  step(tiles: readonly Tile[], rate: number): Promise<number>;
  /**
   * Writes the engine's weights (and batch-norm statistics) into the tfjs
   * model: the trained ones (default), or their exponential moving average
   * (see {@link StepEngine.updateAverage}; the trained ones until it is first
   * updated). The next step trains the trained weights either way.
   */
  sync(weights?: WeightSet): void;
  /**
   * Moves the trainable weights' moving average toward the current weights:
   * `average = momentum * average + (1 - momentum) * weights` (the first call
   * starts it at the current weights).
   */
  updateAverage(momentum: number): void;
  /** The moving average in tfjs's names, order and shapes (the logits model's trainable weights), or none before the first update. */
  averageWeights(): NamedValues[] | undefined;
  /** Restores a moving average saved by {@link StepEngine.averageWeights} (of either engine). */
  setAverageWeights(named: readonly NamedValues[]): void;
  /** Reads the weights from the tfjs model (after they were set there, e.g. on resume). */
  reload(): void;
  /** The optimizer state as tfjs's `optimizer.getWeights()` names and shapes it (iterations first). */
  optimizerWeights(): Promise<NamedValues[]>;
  /** Restores optimizer state saved by {@link StepEngine.optimizerWeights} (of either engine). */
  setOptimizerWeights(named: readonly NamedValues[]): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The part of an ONNX Runtime module (`onnxruntime-node`, `onnxruntime-web`) the onnx engine uses.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * await train(model, data, { steps: 100, engine: { onnx: ort } });
 * ```
 */
export interface OnnxRuntimeLike {
  readonly InferenceSession: {
    /** Creates a session for a serialised ONNX model. */
    create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
  readonly Tensor: OrtTensorConstructor;
}

/** What both engines are built from. */
export interface EngineSetup {
  /** The model returning logits at the training tile size; its weights are the run's. */
  readonly logitsModel: tf.LayersModel;
  /** Its spec. */
  readonly spec: Spec;
  readonly classes: number;
  readonly optimizer: 'sgd' | 'nesterov' | 'adam' | tf.Optimizer | undefined;
  readonly learningRate: number;
  readonly momentum: number;
  /** The loss on (one-hot labels, logits, pixel weights). */
  readonly loss: (labels: tf.Tensor, logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor;
  /**
   * Deep supervision: `logitsModel`'s outputs are `[logits, ...heads]` (see
   * `withSupervisionHeads`), each head's loss is taken on its pooled targets
   * (`headTargets`), and the losses are summed with `lossWeights` (the
   * output's first). Default: none.
   */
  readonly supervision?: { readonly heads: readonly SupervisionHead[]; readonly lossWeights: readonly number[] };
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

function makeOptimizer(option: EngineSetup['optimizer'], rate: number, momentum: number): tf.Optimizer {
  if (option === undefined || option === 'sgd') return tf.train.momentum(rate, momentum);
  if (option === 'nesterov') return tf.train.momentum(rate, momentum, true);
  if (option === 'adam') return tf.train.adam(rate);
  if (option instanceof tf.Optimizer) return option;
  throw new ArgumentError('optimizer', "must be 'sgd', 'nesterov', 'adam' or a tf.Optimizer", option);
}

function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else o.learningRate = rate;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Refuses a saved moving average that does not match the logits model's trainable weights, naming the first mismatch. */
function checkAverage(named: readonly NamedValues[], model: tf.LayersModel): void {
  const trainable = model.trainableWeights;
  if (named.length !== trainable.length) {
    throw new ArgumentError('resume.averageWeights', `must hold the moving average of the model's ${trainable.length} trainable weights (a checkpoint of this model)`, `${named.length} tensors`);
  }
  named.forEach((n, i) => {
    const w = trainable[i]!;
    if (n.values.length !== size(w.shape as number[]) || n.shape.join('x') !== w.shape.join('x')) {
      throw new ArgumentError('resume.averageWeights', `must hold '${w.originalName}' of shape [${w.shape.join(', ')}] at position ${i}`, `'${n.name}' [${n.shape.join(', ')}]`);
    }
  });
}

/**
 * The tfjs engine: `tf.variableGrads` of the loss on the logits model, then
 * the tfjs optimizer, on whatever backend is active.
 */
export function tfjsEngine(setup: EngineSetup): StepEngine {
  return new TfjsStepEngine(setup);
}

/** The tfjs engine's state: its optimizer, and the moving average in variables beside the model's. */
class TfjsStepEngine implements StepEngine {
  private readonly optimizer: tf.Optimizer;
  private readonly trainable: tf.Variable[];
  private average: tf.Variable[] | undefined;
  /** While the model shows the average, the trained weights. */
  private stash: tf.Tensor[] | undefined;

  constructor(private readonly setup: EngineSetup) {
    this.optimizer = makeOptimizer(setup.optimizer, setup.learningRate, setup.momentum);
    this.trainable = trainableVariables(setup.logitsModel);
  }

  async step(tiles: readonly Tile[], rate: number): Promise<number> {
    const { setup, trainable } = this;
    this.showTrained();
    setLearningRate(this.optimizer, rate);
    const supervision = setup.supervision;
    if (supervision === undefined || supervision.heads.length === 0) {
      const batch = tilesToTensors(tiles, setup.classes);
      const { value, grads } = tf.variableGrads(() => setup.loss(batch.y, setup.logitsModel.apply(batch.x, { training: true }) as tf.Tensor, batch.weights) as tf.Scalar, trainable);
      return this.finish(value, grads, [batch.x, batch.y, batch.weights]);
    }
    const arrays = tilesToArrays(tiles, setup.classes, 'NHWC');
    const targets = [
      { y: tf.tensor4d(arrays.y, arrays.yShape), weights: tf.tensor3d(arrays.weights, arrays.weightsShape) },
      ...headTargets(arrays, supervision.heads, 'NHWC').map((t) => ({ y: tf.tensor4d(t.y, t.yShape), weights: tf.tensor3d(t.weights, t.weightsShape) })),
    ];
    const x = tf.tensor4d(arrays.x, arrays.xShape);
    const { value, grads } = tf.variableGrads(() => {
      const outputs = setup.logitsModel.apply(x, { training: true }) as tf.Tensor[];
      const losses = outputs.map((logits, k) => tf.mul(setup.loss(targets[k]!.y, logits, targets[k]!.weights), supervision.lossWeights[k]!));
      return tf.addN(losses) as tf.Scalar;
    }, trainable);
    return this.finish(value, grads, [x, ...targets.flatMap((t) => [t.y, t.weights])]);
  }

  /** Applies the gradients of a finite loss and frees the step's tensors. */
  private async finish(value: tf.Scalar, grads: tf.NamedTensorMap, inputs: readonly tf.Tensor[]): Promise<number> {
    const loss = (await value.data())[0]!;
    if (Number.isFinite(loss)) this.optimizer.applyGradients(grads);
    tf.dispose([...inputs, value, ...Object.values(grads)]);
    return loss;
  }

  /** Puts the trained weights back in the model when it shows the average. */
  private showTrained(): void {
    const stash = this.stash;
    if (stash === undefined) return;
    this.trainable.forEach((v, i) => v.assign(stash[i]!));
    tf.dispose(stash);
    this.stash = undefined;
  }

  sync(weights: WeightSet = 'trained'): void {
    const average = this.average;
    if (weights === 'trained' || average === undefined) return this.showTrained();
    if (this.stash === undefined) this.stash = this.trainable.map((v) => tf.clone(v));
    this.trainable.forEach((v, i) => v.assign(average[i]!));
  }

  updateAverage(momentum: number): void {
    this.showTrained();
    const average = this.average;
    if (average === undefined) {
      this.average = this.trainable.map((v) => tf.variable(v, false));
      return;
    }
    tf.tidy(() => average.forEach((a, i) => a.assign(tf.add(tf.mul(a, momentum), tf.mul(this.trainable[i]!, 1 - momentum)))));
  }

  averageWeights(): NamedValues[] | undefined {
    return this.average?.map((a, i) => ({ name: this.setup.logitsModel.trainableWeights[i]!.originalName, shape: [...a.shape], values: Float32Array.from(a.dataSync()) }));
  }

  setAverageWeights(named: readonly NamedValues[]): void {
    checkAverage(named, this.setup.logitsModel);
    tf.dispose(this.average ?? []);
    this.average = named.map((n) => tf.variable(tf.tensor(n.values, [...n.shape]), false));
  }

  reload(): void {
    // The model's weights were set from outside (a resume): they are the trained ones now.
    tf.dispose(this.stash ?? []);
    this.stash = undefined;
  }

  async optimizerWeights(): Promise<NamedValues[]> {
    const named = await this.optimizer.getWeights();
    const values = named.map((n) => ({ name: n.name, shape: [...n.tensor.shape], values: Float32Array.from(n.tensor.dataSync()) }));
    tf.dispose(named.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
    return values;
  }

  async setOptimizerWeights(named: readonly NamedValues[]): Promise<void> {
    const tensors = named.map((e) => ({ name: e.name, tensor: tf.tensor(e.values, [...e.shape]) }));
    await this.optimizer.setWeights(tensors);
    tf.dispose(tensors.filter((n) => !(n.tensor instanceof tf.Variable)).map((n) => n.tensor));
  }

  async dispose(): Promise<void> {
    // The model keeps what it shows (the average, when the run ends showing it).
    tf.dispose([...(this.stash ?? []), ...(this.average ?? [])]);
    if (this.optimizer !== this.setup.optimizer) {
      // tfjs's MomentumOptimizer.dispose() leaves its learning-rate scalar behind (tensorflow/tfjs#4647).
      const rate = (this.optimizer as unknown as { c?: tf.Tensor }).c;
      this.optimizer.dispose();
      if (this.optimizer instanceof tf.MomentumOptimizer && rate !== undefined && !rate.isDisposed) rate.dispose();
    }
  }
}

/** Options of the onnx engine. */
export interface OnnxEngineOptions {
  /** ONNX Runtime: `import * as ort from 'onnxruntime-node'`. */
  readonly runtime: OnnxRuntimeLike;
  /** Threads for one operator. Default: ONNX Runtime's (the physical cores). */
  readonly threads?: number;
  /**
   * ONNX Runtime execution providers, e.g. `['cuda', 'cpu']` for
   * onnxruntime-node's CUDA 12 build (untested here: no GPU). Default: ONNX
   * Runtime's (the CPU).
   */
  readonly executionProviders?: readonly string[];
}

/** ONNX Runtime session options of the training engine and its validations: full graph optimisation, `threads` intra-op threads. */
export function sessionOptions(options: { readonly threads?: number; readonly executionProviders?: readonly string[] }): Record<string, unknown> {
  return {
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
    ...(options.executionProviders === undefined ? {} : { executionProviders: [...options.executionProviders] }),
  };
}

/** The inverse of an axis permutation. */
const inverse = (perm: readonly number[]) => perm.map((_, i) => perm.indexOf(i));

/** The optimizer the training graph applies, as tfjs defines `'sgd'`, `'nesterov'` and `'adam'`. */
function graphOptimizer(option: EngineSetup['optimizer'], momentum: number): TrainingOptimizer {
  if (option === undefined || option === 'sgd') return { kind: 'momentum', momentum, nesterov: false };
  if (option === 'nesterov') return { kind: 'momentum', momentum, nesterov: true };
  // tf.train.adam's defaults; its epsilon is the backend's (1e-7 for float32).
  if (option === 'adam') return { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() };
  throw new ArgumentError('optimizer', "must be 'sgd', 'nesterov' or 'adam' with the onnx engine (a tf.Optimizer runs only on the tfjs engine)", option.getClassName());
}

/**
 * The onnx engine: the spec compiled by `trainingGraph` into one ONNX graph
 * (forward, weighted cross-entropy, backward, optimizer update), run by an
 * ONNX Runtime session. Weights, optimizer slots and batch-norm statistics
 * stay in the engine between steps and are written to the tfjs model by
 * `sync()`. Dropout masks are drawn from the run's seeded generator.
 *
 * @throws {@link ArgumentError} for an option the graph cannot compute (a tf.Optimizer, a focal term),
 *   naming it, before any step runs.
 */
export async function onnxEngine(setup: OnnxEngineSetup, options: OnnxEngineOptions): Promise<StepEngine> {
  const optimizer = graphOptimizer(setup.optimizer, setup.momentum);
  const graph: TrainingGraph = trainingGraph(setup.spec, {
    inputSize: setup.inputSize,
    batchSize: setup.batchSize,
    optimizer,
    loss: setup.lossTerms,
    ...(setup.supervision === undefined ? {} : { supervision: setup.supervision }),
  });
  const session = await options.runtime.InferenceSession.create(graph.bytes, sessionOptions(options));
  return new OnnxStepEngine(setup, graph, optimizer, session, options.runtime.Tensor);
}

/** What the onnx engine is built from: both engines' setup and the graph's fixed batch shape, dropout's generator and the loss terms. */
type OnnxEngineSetup = EngineSetup & { readonly inputSize: number; readonly batchSize: number; readonly random: Random; readonly lossTerms: readonly LossTerm[] };

type GraphParameter = TrainingGraph['parameters'][number];

/** A graph parameter bound to its tfjs weight: the variable and its place in the logits model's trainable weights. */
interface BoundParameter {
  readonly p: GraphParameter;
  readonly variable: tf.Variable;
  readonly tfjsIndex: number;
}

/**
 * Binds every graph parameter to its tfjs weight by name: the graph lists
 * parameters in spec order, tfjs in its layer order (they differ where
 * branches meet, e.g. a residual unit's shortcut).
 */
function bindParameters(graph: TrainingGraph, logitsModel: tf.LayersModel): BoundParameter[] {
  const trainable = logitsModel.trainableWeights;
  if (trainable.length !== graph.parameters.length) throw new Error(`unreachable: ${trainable.length} trainable weights, ${graph.parameters.length} graph parameters`);
  const tfjsIndex = new Map(trainable.map((w, i) => [w.originalName.replace(/_\d+$/, ''), i]));
  const allVariables = trainableVariables(logitsModel);
  return graph.parameters.map((p) => {
    const index = tfjsIndex.get(`${p.layer}/${p.key}`);
    if (index === undefined) throw new Error(`unreachable: no tfjs weight ${p.layer}/${p.key}`);
    return { p, variable: allVariables[index]!, tfjsIndex: index };
  });
}

/** Values in tfjs's layout as a copy in the graph's. */
const toGraph = (values: Float32Array, p: GraphParameter) => (p.fromTfjs === undefined ? Float32Array.from(values) : permute(values, p.tfjsShape, p.fromTfjs));
/** A parameter's (or its slot's) values in the graph's layout as a copy in tfjs's layout. */
const toTfjs = (values: Float32Array, p: GraphParameter) => (p.fromTfjs === undefined ? Float32Array.from(values) : permute(values, p.shape, inverse(p.fromTfjs)));

/**
 * The onnx engine's state between steps: parameters, optimizer slots and
 * batch-norm statistics as the graph's inputs (each step's outputs become the
 * next step's inputs), the iteration count and the weights' moving average.
 */
class OnnxStepEngine implements StepEngine {
  /** The graph's state inputs by name: parameters, slots, statistics. */
  private readonly state = new Map<string, Float32Array>();
  /** The parameters' moving average, in the graph's layout (none before the first update). */
  private average: Map<string, Float32Array> | undefined;
  private iterations = 0;
  private readonly bound: BoundParameter[];
  private readonly parameterOf: Map<string, BoundParameter>;
  private readonly weightByName: Map<string, tf.LayerVariable>;
  /** Optimizer slots in tfjs's order: by slot kind (m before v), then by the variable's place in tfjs's list. */
  private readonly slotsInTfjsOrder: TrainingGraph['slots'];

  constructor(
    private readonly setup: OnnxEngineSetup,
    private readonly graph: TrainingGraph,
    private readonly optimizer: TrainingOptimizer,
    private readonly session: OrtSessionLike,
    private readonly Tensor: OrtTensorConstructor,
  ) {
    this.bound = bindParameters(graph, setup.logitsModel);
    this.parameterOf = new Map(this.bound.map((b) => [b.p.input, b]));
    this.weightByName = new Map(setup.logitsModel.weights.map((w) => [w.originalName.replace(/_\d+$/, ''), w]));
    this.reload();
    for (const s of graph.slots) this.state.set(s.input, new Float32Array(size(s.shape)));
    const slotKind = (s: { tfjsName: string }) => s.tfjsName.slice(s.tfjsName.lastIndexOf('/') + 1);
    const kinds = [...new Set(graph.slots.map(slotKind))];
    this.slotsInTfjsOrder = [...graph.slots].sort(
      (a, b) => kinds.indexOf(slotKind(a)) - kinds.indexOf(slotKind(b)) || this.parameterOf.get(a.parameter)!.tfjsIndex - this.parameterOf.get(b.parameter)!.tfjsIndex,
    );
  }

  async step(tiles: readonly Tile[], rate: number): Promise<number> {
    const t = this.iterations + 1;
    const result = await this.session.run(this.feeds(tiles, rate, t));
    const loss = (result[this.graph.loss]!.data as Float32Array)[0]!;
    if (Number.isFinite(loss)) {
      for (const p of this.graph.parameters) this.state.set(p.input, result[p.next]!.data as Float32Array);
      for (const s of [...this.graph.slots, ...this.graph.statistics]) this.state.set(s.input, result[s.next]!.data as Float32Array);
      this.iterations = t;
    }
    return loss;
  }

  /** The graph's inputs for step `t`: the batch (and the heads' targets), the rate and Adam's bias corrections, the state, dropout masks. */
  private feeds(tiles: readonly Tile[], rate: number, t: number): Record<string, OrtTensorLike> {
    const { graph, optimizer, Tensor, setup } = this;
    const batch = tilesToArrays(tiles, setup.classes, 'NCHW');
    const scalar = (v: number) => new Tensor('float32', Float32Array.of(v), []);
    const feeds: Record<string, OrtTensorLike> = {
      [graph.image.name]: new Tensor('float32', batch.x, batch.xShape),
      [graph.labels.name]: new Tensor('float32', batch.y, batch.yShape),
      [graph.weights.name]: new Tensor('float32', batch.weights, batch.weightsShape),
      [graph.scalars.learningRate!]: scalar(rate),
    };
    if (graph.heads.length > 0) {
      headTargets(batch, setup.supervision!.heads, 'NCHW').forEach((target, k) => {
        feeds[graph.heads[k]!.labels.name] = new Tensor('float32', target.y, target.yShape);
        feeds[graph.heads[k]!.weights.name] = new Tensor('float32', target.weights, target.weightsShape);
      });
    }
    if (optimizer.kind === 'adam') {
      feeds[graph.scalars.oneMinusBeta1Power!] = scalar(1 - optimizer.beta1 ** t);
      feeds[graph.scalars.oneMinusBeta2Power!] = scalar(1 - optimizer.beta2 ** t);
    }
    for (const p of graph.parameters) feeds[p.input] = new Tensor('float32', this.state.get(p.input)!, p.shape);
    for (const s of [...graph.slots, ...graph.statistics]) feeds[s.input] = new Tensor('float32', this.state.get(s.input)!, s.shape);
    for (const m of graph.dropoutMasks) feeds[m.name] = new Tensor('float32', this.dropoutMask(m.shape, m.rate), m.shape);
    return feeds;
  }

  /** Inverted dropout's mask, drawn from the run's seeded generator. */
  private dropoutMask(shape: readonly number[], rate: number): Float32Array {
    const mask = new Float32Array(size(shape));
    const keep = 1 / (1 - rate);
    for (let i = 0; i < mask.length; i++) mask[i] = this.setup.random.uniform() < rate ? 0 : keep;
    return mask;
  }

  sync(weights: WeightSet = 'trained'): void {
    const source = weights === 'averaged' && this.average !== undefined ? this.average : this.state;
    tf.tidy(() => {
      for (const { p, variable } of this.bound) variable.assign(tf.tensor(toTfjs(source.get(p.input)!, p), [...p.tfjsShape]));
      for (const s of this.graph.statistics) this.weightByName.get(s.tfjsName)!.write(tf.tensor(this.state.get(s.input)!, [...s.shape]));
    });
  }

  reload(): void {
    for (const { p, variable } of this.bound) this.state.set(p.input, toGraph(variable.dataSync() as Float32Array, p));
    for (const s of this.graph.statistics) this.state.set(s.input, Float32Array.from(this.weightByName.get(s.tfjsName)!.read().dataSync()));
  }

  updateAverage(momentum: number): void {
    if (this.average === undefined) {
      this.average = new Map(this.graph.parameters.map((p) => [p.input, Float32Array.from(this.state.get(p.input)!)]));
      return;
    }
    const rest = 1 - momentum;
    for (const p of this.graph.parameters) {
      const a = this.average.get(p.input)!;
      const w = this.state.get(p.input)!;
      for (let i = 0; i < a.length; i++) a[i] = momentum * a[i]! + rest * w[i]!;
    }
  }

  averageWeights(): NamedValues[] | undefined {
    const average = this.average;
    if (average === undefined) return undefined;
    const byTfjsIndex = new Map(this.bound.map((b) => [b.tfjsIndex, b.p]));
    return this.setup.logitsModel.trainableWeights.map((w, i) => {
      const p = byTfjsIndex.get(i)!;
      return { name: w.originalName, shape: [...p.tfjsShape], values: toTfjs(average.get(p.input)!, p) };
    });
  }

  setAverageWeights(named: readonly NamedValues[]): void {
    checkAverage(named, this.setup.logitsModel);
    this.average = new Map(this.bound.map(({ p, tfjsIndex }) => [p.input, toGraph(named[tfjsIndex]!.values, p)]));
  }

  async optimizerWeights(): Promise<NamedValues[]> {
    const slots = this.slotsInTfjsOrder.map((s) => {
      const { p, variable } = this.parameterOf.get(s.parameter)!;
      return { name: s.tfjsName.replace(p.input, variable.name), shape: [...p.tfjsShape], values: toTfjs(this.state.get(s.input)!, p) };
    });
    return [{ name: 'iter', shape: [], values: Float32Array.of(this.iterations) }, ...slots];
  }

  async setOptimizerWeights(named: readonly NamedValues[]): Promise<void> {
    // As tfjs's optimizers: the iteration count first, then the slots by position (names carry per-process suffixes).
    const [iter, ...saved] = named;
    if (iter?.name !== 'iter' || saved.length !== this.slotsInTfjsOrder.length) {
      throw new ArgumentError('resume.optimizerWeights', `must hold the iteration count and ${this.graph.slots.length} slots of this optimizer (the checkpoint is of another optimizer or model)`, `${named.length} tensors`);
    }
    this.slotsInTfjsOrder.forEach((s, i) => {
      const { p } = this.parameterOf.get(s.parameter)!;
      const values = saved[i]!;
      if (values.values.length !== size(p.tfjsShape)) {
        throw new ArgumentError('resume.optimizerWeights', `must hold a slot of shape [${p.tfjsShape.join(', ')}] for '${s.tfjsName}'`, `${values.name} [${values.shape.join(', ')}]`);
      }
      this.state.set(s.input, toGraph(values.values, p));
    });
    this.iterations = iter.values[0]!;
  }

  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}
