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
import { ArgumentError, SpecError } from '../../spec/errors.js';
import { checkInputSize, outputSize } from '../../geometry/tiles.js';
import { cropAmounts } from '../export.js';
import { GraphBuilder, type Value } from './builder.js';
import { gradients } from './gradients.js';

/** A trainable weight of the graph: the tfjs layer and weight it mirrors, and how its layout differs. */
export interface TrainingParameter {
  /** Graph input name, e.g. `enc1_conv1/kernel`. */
  readonly input: string;
  /** Graph output name of its gradient. */
  readonly gradient: string;
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
  /** Dropout masks (0 or 1 / (1 - rate) per element), one per dropout node, in spec order. */
  readonly dropoutMasks: readonly (TrainingFeed & { readonly layer: string; readonly rate: number })[];
  /** Name of the scalar loss output. */
  readonly loss: string;
}

/** tfjs `[kh, kw, in, out]` kernels become ONNX `[out, in, kh, kw]`; transposed ones `[f, f, out, in]` become `[in, out, f, f]`. */
const KERNEL_TO_ONNX = [3, 2, 0, 1] as const;

const GELU_SQRT2 = Math.SQRT2;

function activate(b: GraphBuilder, activation: HiddenActivation, x: Value): Value {
  return match(activation)
    .with('linear', () => x)
    .with('relu', 'elu', 'selu', 'relu6', 'tanh', (fn) => b.unary(fn, x))
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
  const parameter = (layer: string, key: TrainingParameter['key'], tfjsShape: readonly number[], fromTfjs?: readonly number[]): Value => {
    const shape = fromTfjs === undefined ? tfjsShape : fromTfjs.map((p) => tfjsShape[p]!);
    const input = `${layer}/${key}`;
    parameters.push({ input, gradient: `${input}/gradient`, layer, key, shape, tfjsShape, ...(fromTfjs === undefined ? {} : { fromTfjs }) });
    return b.input(input, shape);
  };
  const source = (name: string) => values.get(name)!;
  const image = b.input('image', [batch, inputNode.channels, size, size]);
  let logits: Value | undefined;

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
      .with({ kind: 'output' }, (o) => {
        logits = source(o.input);
        return logits;
      })
      .exhaustive();
    values.set(n.name, value);
  }
  if (logits === undefined) throw new SpecError('spec', "must end in an 'output' node", spec.output);
  const [, classes, oh, ow] = logits.shape as [number, number, number, number];
  if (oh !== outputSize(spec, size)) throw new Error(`unreachable: output ${oh} for input ${size}`);

  const labels = b.input('labels', [batch, classes, oh, ow]);
  const weights = b.input('weights', [batch, oh, ow]);
  // Weighted softmax cross-entropy, mean over the batch's pixels.
  const perPixel = b.reduceSum(b.mul(labels, b.logSoftmax(logits, 1)), [1], false, 'cross_entropy');
  const total = b.reduceSum(b.mul(perPixel, weights), [0, 1, 2], false, 'total');
  const lossValue = b.mul(total, b.scalar(-1 / (batch * oh * ow)));
  const loss = b.output(lossValue, 'loss');

  const inputs = parameters.map((p) => ({ name: p.input, shape: p.shape }));
  gradients(b, lossValue, inputs).forEach((g, i) => b.output(g, parameters[i]!.gradient));
  return {
    bytes: b.toModel(`${spec.name}_training`),
    parameters,
    image: { name: image.name, shape: image.shape },
    labels: { name: labels.name, shape: labels.shape },
    weights: { name: weights.name, shape: weights.shape },
    dropoutMasks,
    loss: loss.name,
  };
}
