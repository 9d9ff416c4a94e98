/**
 * A U-Net spec compiled into one ONNX graph that computes a training step's
 * loss and the gradient of every trainable weight: the forward pass on the
 * logits (the output activation is left out, as `train` does), the loss, and
 * the backward pass derived by `gradients.ts`. Weights are graph inputs in
 * ONNX layout, so one session serves every step.
 */
import { match } from 'ts-pattern';
import type { Spec } from '../../spec/graph.js';
import type { HiddenActivation, SpecNode } from '../../spec/nodes.js';
import { ArgumentError } from '../../core/errors.js';
import { SpecError } from '../../spec/errors.js';
import { checkInputSize, outputSize } from '../../geometry/tiles.js';
import { cropAmounts } from '../export.js';
import { GraphBuilder, type Value } from './builder.js';
import { gradients } from './gradients.js';
import type { LossTerm } from '../../loss/losses.js';
import type { SupervisionHead } from '../../geometry/supervision.js';

/** A trainable weight of the graph: the tfjs layer and weight it mirrors, and how its layout differs. */
export interface TrainingParameter {
  /** Graph input name, e.g. `enc1_conv1/kernel`. */
  readonly input: string;
  /** Graph output name of its gradient (when the graph outputs gradients). */
  readonly gradient: string;
  /** Graph output name of its updated value (when the graph has an optimizer). */
  readonly next: string;
  /** The tfjs layer (the spec node) it belongs to. */
  readonly layer: string;
  /** The tfjs weight: `kernel`, `bias`, `gamma` or `beta`. */
  readonly key: 'kernel' | 'bias' | 'gamma' | 'beta';
  /** Shape in the graph (ONNX layout). */
  readonly shape: readonly number[];
  /** Shape of the tfjs weight. */
  readonly tfjsShape: readonly number[];
  /** Axis permutation from the tfjs layout to the graph's (`undefined`: the same layout). */
  readonly fromTfjs?: readonly number[];
}

/** A graph input fed per step besides the weights (image, targets, dropout masks). */
export interface TrainingFeed {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Options of {@link trainingGraph}. */
export interface TrainingGraphOptions {
  /** Input tile size (height = width); must be valid for the spec. */
  readonly inputSize: number;
  /** Tiles per step. */
  readonly batchSize: number;
  /**
   * The update the graph applies after the backward pass, as tfjs's optimizers
   * compute it: weights and optimizer slots go in as inputs and come out
   * updated (`next`). Default: none (the graph outputs the gradients).
   */
  readonly optimizer?: TrainingOptimizer;
  /** Whether the gradients are outputs too. Default: true without an optimizer, false with one. */
  readonly outputGradients?: boolean;
  /** Loss terms: `crossEntropy` and `dice` (as `segmentationLoss`). Default: the cross-entropy alone. */
  readonly loss?: readonly LossTerm[];
  /**
   * Deep supervision: heads (from `supervisionHeads` at this tile size) whose
   * losses are added to the output's, each on its own pooled targets, with
   * `lossWeights` = [output's, each head's]. Default: none.
   */
  readonly supervision?: { readonly heads: readonly SupervisionHead[]; readonly lossWeights: readonly number[] };
}

/** An optimizer as tfjs defines it: `tf.train.momentum(rate, momentum, nesterov)` or `tf.train.adam(rate, beta1, beta2, epsilon)`. */
export type TrainingOptimizer =
  | { readonly kind: 'momentum'; readonly momentum: number; readonly nesterov: boolean }
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

/** A tensor the caller feeds back each step: the graph reads `input` and writes its next value to `next`. */
export interface TrainingState {
  readonly input: string;
  readonly next: string;
  readonly shape: readonly number[];
  /** Its name in tfjs: an optimizer slot as tfjs names it (`enc1_conv1/kernel/m`), or a layer's weight (`enc1_bn1/moving_mean`). */
  readonly tfjsName: string;
}

/** What {@link trainingGraph} returns. */
export interface TrainingGraph {
  /** The serialised ONNX model. */
  readonly bytes: Uint8Array;
  /** Trainable weights, in the order of the tfjs model's `trainableWeights`. */
  readonly parameters: readonly TrainingParameter[];
  /** The image, NCHW: `[batch, channels, size, size]`. */
  readonly image: TrainingFeed;
  /** One-hot labels, NCHW: `[batch, classes, out, out]`. */
  readonly labels: TrainingFeed;
  /** Per-pixel loss weights: `[batch, out, out]`. */
  readonly weights: TrainingFeed;
  /** Per deep-supervision head: its pooled targets `[batch, classes, size, size]` and weights `[batch, size, size]`. */
  readonly heads: readonly { readonly labels: TrainingFeed; readonly weights: TrainingFeed }[];
  /** Dropout masks (0 or 1 / (1 - rate) per element), one per dropout node, in spec order. */
  readonly dropoutMasks: readonly (TrainingFeed & { readonly layer: string; readonly rate: number })[];
  /** Name of the scalar loss output. */
  readonly loss: string;
  /** Optimizer slots (in the order of the parameters; Adam: all `m` then all `v`, as tfjs orders them). */
  readonly slots: readonly (TrainingState & { readonly parameter: string; readonly init: 0 })[];
  /** Batch-norm moving statistics, updated with the batch's as tfjs-layers does in training mode. */
  readonly statistics: readonly (TrainingState & { readonly layer: string; readonly key: 'moving_mean' | 'moving_variance' })[];
  /**
   * Scalar inputs fed each step: `learningRate`; for Adam also `oneMinusBeta1Power` and
   * `oneMinusBeta2Power` (1 - beta^t at step t = 1, 2, ..., as tfjs's accumulated powers).
   */
  readonly scalars: { readonly learningRate?: string; readonly oneMinusBeta1Power?: string; readonly oneMinusBeta2Power?: string };
}

/** tfjs `[kh, kw, in, out]` kernels become ONNX `[out, in, kh, kw]`; transposed ones `[f, f, out, in]` become `[in, out, f, f]`. */
const KERNEL_TO_ONNX = [3, 2, 0, 1] as const;

const GELU_SQRT2 = Math.SQRT2;

function activate(b: GraphBuilder, activation: HiddenActivation, x: Value): Value {
  return match(activation)
    .with('linear', () => x)
    .with('relu', 'elu', 'selu', 'relu6', 'tanh', 'sigmoid', (fn) => b.unary(fn, x))
    .with('swish', () => b.mul(x, b.unary('sigmoid', x)))
    .with('mish', () => b.mul(x, b.unary('tanh', b.unary('softplus', x))))
    // x * 0.5 * (1 + erf(x / sqrt 2)), as tfjs-layers' gelu.
    .with('gelu', () => b.mul(x, b.mul(b.add(b.scalar(1), b.unary('erf', b.div(x, b.scalar(GELU_SQRT2)))), b.scalar(0.5))))
    .exhaustive();
}

/** Upsampling matrix `[out, in]` of tfjs's bilinear resize by `factor` (source = target / factor, edges clamped). */
function bilinearMatrix(size: number, factor: number): Float32Array {
  const out = size * factor;
  const m = new Float32Array(out * size);
  for (let t = 0; t < out; t++) {
    const source = t / factor;
    const low = Math.floor(source);
    const high = Math.min(low + 1, size - 1);
    const frac = source - low;
    m[t * size + low] = m[t * size + low]! + 1 - frac;
    m[t * size + high] = m[t * size + high]! + frac;
  }
  return m;
}

/**
 * Compiles `spec` into an ONNX graph computing the weighted softmax
 * cross-entropy of a batch (mean over pixels, as `train`'s default loss) and
 * its gradient with respect to every trainable weight. Batch norm uses the
 * batch statistics (training mode); dropout multiplies by masks fed as inputs.
 *
 * @throws {@link ArgumentError} when `inputSize` is not valid for the spec or `batchSize` is not a positive integer.
 * @example
 * ```ts
 * const graph = trainingGraph(unet({ depth: 2, baseFilters: 8 }), { inputSize: 124, batchSize: 1 });
 * const session = await ort.InferenceSession.create(graph.bytes);
 * ```
 */
export function trainingGraph(spec: Spec, options: TrainingGraphOptions): TrainingGraph {
  const size = checkInputSize(spec, options.inputSize);
  const batch = options.batchSize;
  if (!Number.isInteger(batch) || batch < 1) throw new ArgumentError('batchSize', 'must be a positive integer', batch);
  const inputNode = spec.nodes[0]!;
  if (inputNode.kind !== 'input') throw new SpecError('spec.nodes[0]', "must be the 'input' node", inputNode.kind);
  const crops = cropAmounts(spec, size);

  const b = new GraphBuilder();
  const parameters: TrainingParameter[] = [];
  const values = new Map<string, Value>();
  const dropoutMasks: (TrainingFeed & { layer: string; rate: number })[] = [];
  const statistics: (TrainingState & { layer: string; key: 'moving_mean' | 'moving_variance' })[] = [];
  /** The moving average tfjs-layers keeps in training mode: moving - (moving - batch) * (1 - momentum). */
  const movingAverage = (layer: string, key: 'moving_mean' | 'moving_variance', batchValue: Value, momentum: number) => {
    const c = batchValue.shape[1]!;
    const input = `${layer}/${key}`;
    const moving = b.input(input, [c]);
    const next = b.sub(moving, b.mul(b.sub(moving, b.reshape(batchValue, [c])), b.scalar(1 - momentum)));
    b.output(next, `${input}/next`);
    statistics.push({ input, next: `${input}/next`, shape: [c], tfjsName: input, layer, key });
  };
  const parameter = (layer: string, key: TrainingParameter['key'], tfjsShape: readonly number[], fromTfjs?: readonly number[]): Value => {
    const shape = fromTfjs === undefined ? tfjsShape : fromTfjs.map((p) => tfjsShape[p]!);
    const input = `${layer}/${key}`;
    parameters.push({ input, gradient: `${input}/gradient`, next: `${input}/next`, layer, key, shape, tfjsShape, ...(fromTfjs === undefined ? {} : { fromTfjs }) });
    return b.input(input, shape);
  };
  const source = (name: string) => values.get(name)!;
  const image = b.input('image', [batch, inputNode.channels, size, size]);

  for (const n of spec.nodes as readonly SpecNode[]) {
    const value = match(n)
      .with({ kind: 'input' }, () => image)
      .with({ kind: 'conv' }, (conv) => {
        const x = source(conv.input);
        const k = conv.kernelSize;
        const w = parameter(conv.name, 'kernel', [k, k, x.shape[1]!, conv.filters], KERNEL_TO_ONNX);
        const bias = conv.useBias ? parameter(conv.name, 'bias', [conv.filters]) : undefined;
        // tfjs 'same' at stride 1: k - 1 padding, the smaller half before.
        const before = conv.padding === 'same' ? Math.floor((k - 1) / 2) : 0;
        const after = conv.padding === 'same' ? k - 1 - before : 0;
        return activate(b, conv.activation, b.conv(x, w, bias, [before, before, after, after], 1, conv.name));
      })
      .with({ kind: 'batchNorm' }, (bn) => {
        const x = source(bn.input);
        const [nb, c, h, w] = x.shape as [number, number, number, number];
        const gamma = b.reshape(parameter(bn.name, 'gamma', [c]), [1, c, 1, 1]);
        const beta = b.reshape(parameter(bn.name, 'beta', [c]), [1, c, 1, 1]);
        const perChannel = b.scalar(1 / (nb * h * w));
        const mean = b.mul(b.reduceSum(x, [0, 2, 3], true, `${bn.name}/mean`), perChannel);
        const centred = b.sub(x, mean);
        const variance = b.mul(b.reduceSum(b.mul(centred, centred), [0, 2, 3], true, `${bn.name}/variance`), perChannel);
        movingAverage(bn.name, 'moving_mean', mean, bn.momentum);
        movingAverage(bn.name, 'moving_variance', variance, bn.momentum);
        const inverse = b.div(b.scalar(1), b.unary('sqrt', b.add(variance, b.scalar(bn.epsilon))));
        return b.add(b.mul(b.mul(centred, inverse), gamma), beta);
      })
      .with({ kind: 'activation' }, (a) => activate(b, a.activation, source(a.input)))
      .with({ kind: 'pool' }, (p) => b.maxPool(source(p.input), p.size, p.name))
      .with({ kind: 'dropout' }, (d) => {
        const x = source(d.input);
        const mask = { name: `${d.name}/mask`, shape: x.shape, layer: d.name, rate: d.rate };
        dropoutMasks.push(mask);
        return b.mul(x, b.input(mask.name, mask.shape));
      })
      .with({ kind: 'upconv' }, (u) => {
        const x = source(u.input);
        const f = u.factor;
        const w = parameter(u.name, 'kernel', [f, f, u.filters, x.shape[1]!], KERNEL_TO_ONNX);
        const bias = parameter(u.name, 'bias', [u.filters]);
        return b.convTranspose(x, w, bias, f, u.name);
      })
      .with({ kind: 'upsample' }, (u) => {
        const x = source(u.input);
        if (u.interpolation === 'nearest') return b.upsampleNearest(x, u.factor, u.name);
        const [, , h, w] = x.shape as [number, number, number, number];
        const rows = b.constant(bilinearMatrix(h, u.factor), [h * u.factor, h], `${u.name}/rows`);
        const columns = b.transpose(b.constant(bilinearMatrix(w, u.factor), [w * u.factor, w], `${u.name}/columns`), [1, 0]);
        return b.matMul(rows, b.matMul(x, columns, u.name), u.name);
      })
      .with({ kind: 'crop' }, { kind: 'trim' }, (c) => {
        const x = source(c.input);
        const d = c.kind === 'crop' ? crops.get(c.name)! : c.pixels;
        const [nb, ch, h, w] = x.shape as [number, number, number, number];
        return b.slice(x, [0, 0, d, d], [nb, ch, h - 2 * d, w - 2 * d], c.name);
      })
      .with({ kind: 'concat' }, (c) => b.concat(c.inputs.map(source), 1, c.name))
      // The loss is computed on the logits: the output activation is left out.
      .with({ kind: 'add' }, (a) => a.inputs.map(source).reduce((sum, x) => b.add(sum, x)))
      .with({ kind: 'multiply' }, (m) => b.mul(source(m.input), source(m.gate)))
      .with({ kind: 'output' }, (o) => source(o.input))
      .exhaustive();
    values.set(n.name, value);
  }
  const logits = values.get(spec.output);
  if (logits === undefined) throw new SpecError('spec.output', 'must name a node of the spec', spec.output);
  const [, classes, oh, ow] = logits.shape as [number, number, number, number];
  if (oh !== outputSize(spec, size)) throw new Error(`unreachable: output ${oh} for input ${size}`);

  const labels = b.input('labels', [batch, classes, oh, ow]);
  const weights = b.input('weights', [batch, oh, ow]);
  const terms = options.loss ?? [{ kind: 'crossEntropy' }];
  const supervision = options.supervision;
  const heads = (supervision?.heads ?? []).map((head, k) => {
    const x = source(head.input);
    const w = parameter(head.name, 'kernel', [1, 1, x.shape[1]!, classes], KERNEL_TO_ONNX);
    const scores = b.conv(x, w, parameter(head.name, 'bias', [classes]), [0, 0, 0, 0], 1, head.name);
    const t = head.trim;
    const logits = t === 0 ? scores : b.slice(scores, [0, 0, t, t], [batch, classes, head.size, head.size], `${head.name}_trim`);
    return {
      logits,
      labels: b.input(`labels_${k + 1}`, [batch, classes, head.size, head.size]),
      weights: b.input(`weights_${k + 1}`, [batch, head.size, head.size]),
    };
  });
  if (supervision !== undefined && supervision.lossWeights.length !== heads.length + 1) {
    throw new ArgumentError('supervision.lossWeights', `must hold ${heads.length + 1} weights (the output's, then one per head)`, supervision.lossWeights.length);
  }
  const outputLoss = segmentationLossOf(b, terms, logits, labels, weights);
  const lossValue =
    heads.length === 0
      ? outputLoss
      : heads.reduce(
          (total, head, k) => b.add(total, b.mul(segmentationLossOf(b, terms, head.logits, head.labels, head.weights), b.scalar(supervision!.lossWeights[k + 1]!))),
          b.mul(outputLoss, b.scalar(supervision!.lossWeights[0]!)),
        );
  const loss = b.output(lossValue, 'loss');

  const inputs = parameters.map((p) => ({ name: p.input, shape: p.shape }));
  const grads = gradients(b, lossValue, inputs);
  if (options.outputGradients ?? options.optimizer === undefined) grads.forEach((g, i) => b.output(g, parameters[i]!.gradient));
  const { slots, scalars } = options.optimizer === undefined ? { slots: [], scalars: {} } : applyOptimizer(b, options.optimizer, parameters, inputs, grads);
  return {
    bytes: b.toModel(`${spec.name}_training`),
    parameters,
    image: { name: image.name, shape: image.shape },
    labels: { name: labels.name, shape: labels.shape },
    weights: { name: weights.name, shape: weights.shape },
    heads: heads.map((h) => ({ labels: { name: h.labels.name, shape: h.labels.shape }, weights: { name: h.weights.name, shape: h.weights.shape } })),
    dropoutMasks,
    loss: loss.name,
    slots,
    statistics,
    scalars,
  };
}

/** The loss terms (as `segmentationLoss` computes them) of one prediction's logits `[batch, classes, h, w]` against its targets. */
function segmentationLossOf(b: GraphBuilder, terms: readonly LossTerm[], logits: Value, labels: Value, weights: Value): Value {
  const [batch, classes, oh, ow] = logits.shape as [number, number, number, number];
  const logProbabilities = b.logSoftmax(logits, 1);
  const values = terms.map((term, i) => {
    const value = match(term)
      .with({ kind: 'crossEntropy' }, () => {
        // Weighted softmax cross-entropy, mean over the batch's pixels.
        const perPixel = b.reduceSum(b.mul(labels, logProbabilities), [1], false, 'cross_entropy');
        const total = b.reduceSum(b.mul(perPixel, weights), [0, 1, 2], false, 'total');
        return b.mul(total, b.scalar(-1 / (batch * oh * ow)));
      })
      .with({ kind: 'dice' }, (dice) => {
        // 1 - mean over the foreground classes (all with `background`) of (2 I + s) / (P + Y + s), pixel-weighted, as softDiceLoss.
        const smooth = dice.smooth ?? 1e-5;
        if (!(smooth > 0)) throw new ArgumentError(`loss[${i}].smooth`, 'must be > 0 with the onnx engine', smooth);
        const first = dice.background === true || classes === 1 ? 0 : 1;
        const p = b.unary('exp', logProbabilities);
        const w = b.reshape(weights, [batch, 1, oh, ow]);
        const intersection = b.reduceSum(b.mul(b.mul(p, labels), w), [0, 2, 3], false, 'dice_intersection');
        const sum = b.reduceSum(b.mul(b.add(p, labels), w), [0, 2, 3], false, 'dice_sum');
        const s = b.scalar(smooth);
        const ratio = b.div(b.add(b.mul(intersection, b.scalar(2)), s), b.add(sum, s));
        const kept = b.reduceSum(b.slice(ratio, [first], [classes - first], 'dice_classes'), [0], false, 'dice_total');
        return b.sub(b.scalar(1), b.mul(kept, b.scalar(1 / (classes - first))));
      })
      .with({ kind: 'focal' }, () => {
        throw new ArgumentError(`loss[${i}].kind`, "must be 'crossEntropy' or 'dice' with the onnx engine (focal runs on the tfjs engine)", 'focal');
      })
      .exhaustive();
    return term.weight === undefined || term.weight === 1 ? value : b.mul(value, b.scalar(term.weight));
  });
  return values.slice(1).reduce((a, t) => b.add(a, t), values[0]!);
}

/** Appends the optimizer's update of every parameter (tfjs's formulas, in tfjs's order of operations). */
function applyOptimizer(
  b: GraphBuilder,
  optimizer: TrainingOptimizer,
  parameters: readonly TrainingParameter[],
  values: readonly Value[],
  grads: readonly Value[],
): { slots: (TrainingState & { parameter: string; init: 0 })[]; scalars: TrainingGraph['scalars'] } {
  const rate = b.input('learning_rate', []);
  const negativeRate = b.unary('neg', rate);
  const slot = (p: TrainingParameter, key: string) => ({ input: `${p.input}/${key}`, next: `${p.input}/${key}/next`, shape: p.shape, tfjsName: `${p.input}/${key}`, parameter: p.input, init: 0 as const });
  return match(optimizer)
    .with({ kind: 'momentum' }, (o) => {
      const m = b.scalar(o.momentum);
      const slots = parameters.map((p, i) => {
        const s = slot(p, 'momentum');
        // accumulation = accumulation * momentum + g; value += -rate * (nesterov ? g + accumulation * momentum : accumulation).
        const accumulation = b.add(b.mul(b.input(s.input, s.shape), m), grads[i]!);
        b.output(accumulation, s.next);
        const step = o.nesterov ? b.add(grads[i]!, b.mul(accumulation, m)) : accumulation;
        b.output(b.add(b.mul(negativeRate, step), values[i]!), p.next);
        return s;
      });
      return { slots, scalars: { learningRate: rate.name } };
    })
    .with({ kind: 'adam' }, (o) => {
      const correction1 = b.input('one_minus_beta1_power', []);
      const correction2 = b.input('one_minus_beta2_power', []);
      const firsts = parameters.map((p) => slot(p, 'm'));
      const seconds = parameters.map((p) => slot(p, 'v'));
      parameters.forEach((p, i) => {
        const g = grads[i]!;
        const first = b.add(b.mul(b.input(firsts[i]!.input, p.shape), b.scalar(o.beta1)), b.mul(g, b.scalar(1 - o.beta1)));
        const second = b.add(b.mul(b.input(seconds[i]!.input, p.shape), b.scalar(o.beta2)), b.mul(b.mul(g, g), b.scalar(1 - o.beta2)));
        b.output(first, firsts[i]!.next);
        b.output(second, seconds[i]!.next);
        const corrected1 = b.div(first, correction1);
        const corrected2 = b.div(second, correction2);
        const step = b.div(corrected1, b.add(b.unary('sqrt', corrected2), b.scalar(o.epsilon)));
        b.output(b.add(b.mul(step, negativeRate), values[i]!), p.next);
      });
      return { slots: [...firsts, ...seconds], scalars: { learningRate: rate.name, oneMinusBeta1Power: correction1.name, oneMinusBeta2Power: correction2.name } };
    })
    .exhaustive();
}
