/**
 * The ONNX inference visitor: one exhaustive case per node kind, emitting
 * the ONNX nodes and initialisers of a spec node (NCHW inside the graph).
 * A new node kind does not compile until it has a case here.
 */
import type * as tf from '@tensorflow/tfjs';
import { match } from 'ts-pattern';
import type { Spec } from '../spec/graph.js';
import type { HiddenActivation, SpecNode } from '../spec/nodes.js';
import { ArgumentError } from '../core/errors.js';
import { floatTensor, int64Tensor, node, onnx, type Attributes } from './proto.js';
import { permute } from './permute.js';

/** Large enough for any Slice end (ONNX clamps ends to the dimension). */
const SLICE_TO_END = 2 ** 31 - 1;

type Nodes = InstanceType<typeof onnx.NodeProto>[];

/** The nodes computing `activation(input)` into `output`. */
function activationNodes(activation: HiddenActivation, input: string, output: string, prefix: string): Nodes {
  // Node names follow their (unique) output values.
  const n = (op: string, ins: string[], out: string, attrs = {}, floats: string[] = []) => node(op, ins, [out], `${out}/${op}`, attrs, floats);
  return match(activation)
    .with('linear', () => [node('Identity', [input], [output], `${prefix}/Identity`)])
    .with('relu', () => [n('Relu', [input], output)])
    .with('elu', () => [n('Elu', [input], output, { alpha: 1 }, ['alpha'])])
    .with('selu', () => [n('Selu', [input], output)])
    .with('tanh', () => [n('Tanh', [input], output)])
    .with('sigmoid', () => [n('Sigmoid', [input], output)])
    .with('relu6', () => [node('Clip', [input, `${prefix}/zero`, `${prefix}/six`], [output], `${prefix}/Clip`)])
    .with('swish', () => [n('Sigmoid', [input], `${prefix}/sigmoid`), n('Mul', [input, `${prefix}/sigmoid`], output)])
    .with('mish', () => [n('Softplus', [input], `${prefix}/softplus`), n('Tanh', [`${prefix}/softplus`], `${prefix}/tanh`), n('Mul', [input, `${prefix}/tanh`], output)])
    .with('gelu', () => [
      // x * 0.5 * (1 + erf(x / sqrt 2)), as tfjs-layers' gelu.
      n('Div', [input, `${prefix}/sqrt2`], `${prefix}/scaled`),
      n('Erf', [`${prefix}/scaled`], `${prefix}/erf`),
      n('Add', [`${prefix}/erf`, `${prefix}/one`], `${prefix}/cdf2`),
      n('Mul', [`${prefix}/cdf2`, `${prefix}/half`], `${prefix}/cdf`),
      n('Mul', [input, `${prefix}/cdf`], output),
    ])
    .exhaustive();
}

/** Scalar constants an activation's nodes read. */
function activationConstants(activation: HiddenActivation, prefix: string): InstanceType<typeof onnx.TensorProto>[] {
  const scalar = (name: string, v: number) => floatTensor(`${prefix}/${name}`, [], Float32Array.of(v));
  if (activation === 'relu6') return [scalar('zero', 0), scalar('six', 6)];
  if (activation === 'gelu') return [scalar('sqrt2', Math.SQRT2), scalar('one', 1), scalar('half', 0.5)];
  return [];
}

interface LayerWeights {
  readonly name: string;
  read(): tf.Tensor;
}

function weightsOf(model: tf.LayersModel, layerName: string): Map<string, { values: Float32Array; shape: number[] }> {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new ArgumentError('model', `must have a layer for every spec node; no layer named '${layerName}'`, model.name);
  }
  const out = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const w of layer.weights as unknown as LayerWeights[]) {
    const t = w.read();
    // `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance` (the part after the last '/', without ':0').
    const key = w.name.split('/').at(-1)!.replace(/_\d+$/, '').replace(/:\d+$/, '');
    out.set(key, { values: t.dataSync() as Float32Array, shape: t.shape });
  }
  return out;
}

function need(weights: ReturnType<typeof weightsOf>, key: string, layer: string): { values: Float32Array; shape: number[] } {
  const w = weights.get(key);
  if (w === undefined) throw new ArgumentError('model', `layer '${layer}' must have a '${key}' weight`, [...weights.keys()].join(', '));
  return w;
}

/** What the visitor needs beyond the spec. */
export interface EmitContext {
  /** The compiled model, whose weights become initialisers. */
  readonly model: tf.LayersModel;
  /** Pixels each crop node removes per side (`cropAmounts`). */
  readonly crops: ReadonlyMap<string, number>;
  /** The graph input's layout (the graph itself runs NCHW). */
  readonly layout: 'NHWC' | 'NCHW';
}

/** The ONNX nodes and initialisers of every spec node, and the ONNX value carrying each spec node's output. */
export function emitNodes(spec: Spec, context: EmitContext): { nodes: Nodes; initializers: InstanceType<typeof onnx.TensorProto>[]; valueOf: (name: string) => string } {
  const { model, crops, layout } = context;
  const nodes: Nodes = [];
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  const valueOf = new Map<string, string>(); // spec node name -> ONNX value name
  const out = (n: SpecNode) => `${n.name}/out`;
  const source = (name: string) => valueOf.get(name)!;

  for (const n of spec.nodes) {
    match(n)
      .with({ kind: 'input' }, (input) => {
        if (layout === 'NHWC') nodes.push(node('Transpose', ['input'], [out(input)], `${input.name}/to_nchw`, { perm: [0, 3, 1, 2] }));
        else nodes.push(node('Identity', ['input'], [out(input)], `${input.name}/Identity`));
      })
      .with({ kind: 'conv' }, (conv) => {
        const w = weightsOf(model, conv.name);
        const kernel = need(w, 'kernel', conv.name);
        const k = conv.kernelSize;
        initializers.push(floatTensor(`${conv.name}/W`, [kernel.shape[3]!, kernel.shape[2]!, k, k], permute(kernel.values, kernel.shape, [3, 2, 0, 1])));
        const inputs = [source(conv.input), `${conv.name}/W`];
        if (conv.useBias) {
          const bias = need(w, 'bias', conv.name);
          initializers.push(floatTensor(`${conv.name}/B`, bias.shape, bias.values));
          inputs.push(`${conv.name}/B`);
        }
        // tfjs 'same' at stride 1: k - 1 padding, the smaller half before.
        const before = conv.padding === 'same' ? Math.floor((k - 1) / 2) : 0;
        const after = conv.padding === 'same' ? k - 1 - before : 0;
        const linear = conv.activation === 'linear';
        const pre = linear ? out(conv) : `${conv.name}/conv`;
        nodes.push(node('Conv', inputs, [pre], conv.name, { kernel_shape: [k, k], strides: [1, 1], dilations: [1, 1], pads: [before, before, after, after], group: 1 }));
        if (!linear) {
          nodes.push(...activationNodes(conv.activation, pre, out(conv), `${conv.name}/act`));
          initializers.push(...activationConstants(conv.activation, `${conv.name}/act`));
        }
      })
      .with({ kind: 'batchNorm' }, (bn) => {
        const w = weightsOf(model, bn.name);
        const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((key) => {
          const t = need(w, key, bn.name);
          initializers.push(floatTensor(`${bn.name}/${key}`, t.shape, t.values));
          return `${bn.name}/${key}`;
        });
        nodes.push(node('BatchNormalization', [source(bn.input), ...names], [out(bn)], bn.name, { epsilon: bn.epsilon }, ['epsilon']));
      })
      .with({ kind: 'activation' }, (a) => {
        nodes.push(...activationNodes(a.activation, source(a.input), out(a), a.name));
        initializers.push(...activationConstants(a.activation, a.name));
      })
      .with({ kind: 'pool' }, (p) => {
        nodes.push(node('MaxPool', [source(p.input)], [out(p)], p.name, { kernel_shape: [p.size, p.size], strides: [p.size, p.size] }));
      })
      .with({ kind: 'dropout' }, (d) => {
        valueOf.set(d.name, source(d.input)); // identity at inference
      })
      .with({ kind: 'upconv' }, (u) => {
        const w = weightsOf(model, u.name);
        const kernel = need(w, 'kernel', u.name); // [f, f, out, in]
        const bias = need(w, 'bias', u.name);
        const f = u.factor;
        initializers.push(floatTensor(`${u.name}/W`, [kernel.shape[3]!, kernel.shape[2]!, f, f], permute(kernel.values, kernel.shape, [3, 2, 0, 1])));
        initializers.push(floatTensor(`${u.name}/B`, bias.shape, bias.values));
        nodes.push(node('ConvTranspose', [source(u.input), `${u.name}/W`, `${u.name}/B`], [out(u)], u.name, { kernel_shape: [f, f], strides: [f, f] }));
      })
      .with({ kind: 'upsample' }, (u) => {
        initializers.push(floatTensor(`${u.name}/scales`, [4], Float32Array.of(1, 1, u.factor, u.factor)));
        // tfjs UpSampling2D: source coordinate = output coordinate / factor (no half-pixel shift), edges clamped.
        const attrs: Attributes =
          u.interpolation === 'nearest'
            ? { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'asymmetric' }
            : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
        nodes.push(node('Resize', [source(u.input), '', `${u.name}/scales`], [out(u)], u.name, attrs));
      })
      .with({ kind: 'crop' }, { kind: 'trim' }, (c) => {
        const d = c.kind === 'crop' ? crops.get(c.name)! : c.pixels;
        initializers.push(int64Tensor(`${c.name}/starts`, [d, d]), int64Tensor(`${c.name}/ends`, d === 0 ? [SLICE_TO_END, SLICE_TO_END] : [-d, -d]), int64Tensor(`${c.name}/axes`, [2, 3]));
        nodes.push(node('Slice', [source(c.input), `${c.name}/starts`, `${c.name}/ends`, `${c.name}/axes`], [out(c)], c.name));
      })
      .with({ kind: 'concat' }, (c) => {
        nodes.push(node('Concat', c.inputs.map(source), [out(c)], c.name, { axis: 1 }));
      })
      .with({ kind: 'add' }, (a) => {
        nodes.push(node('Sum', a.inputs.map(source), [out(a)], a.name));
      })
      .with({ kind: 'multiply' }, (m) => {
        // A one-channel gate [N, 1, H, W] broadcasts over the channels.
        nodes.push(node('Mul', [source(m.input), source(m.gate)], [out(m)], m.name));
      })
      .with({ kind: 'output' }, (o) => {
        match(o.activation)
          .with('softmax', () => nodes.push(node('Softmax', [source(o.input)], [out(o)], o.name, { axis: 1 })))
          .with('sigmoid', () => nodes.push(node('Sigmoid', [source(o.input)], [out(o)], o.name)))
          .with('linear', () => nodes.push(node('Identity', [source(o.input)], [out(o)], o.name)))
          .exhaustive();
      })
      .exhaustive();
    if (!valueOf.has(n.name)) valueOf.set(n.name, out(n));
  }
  return { nodes, initializers, valueOf: source };
}
