/**
 * Compiled U-Net -> ONNX model (opset 13), written from the spec and the
 * model's weights with the official ONNX schema.
 *
 * Layout: ONNX convolutions are channels-first (NCHW) while tfjs is
 * channels-last (NHWC). The graph inside is NCHW (kernels are permuted from
 * tfjs's `[kh, kw, in, out]` to ONNX's `[out, in, kh, kw]`); with
 * `layout: 'NHWC'` (the default) one Transpose at the input and one at the
 * output make the model's interface NHWC like the tfjs model's, with
 * `layout: 'NCHW'` the interface is channels-first, as PyTorch users expect.
 */
import type * as tf from '@tensorflow/tfjs';
import { match } from 'ts-pattern';
import type { Spec } from '../spec/graph.js';
import type { HiddenActivation, SpecNode } from '../spec/nodes.js';
import { ArgumentError } from '../core/errors.js';
import { SpecError } from '../spec/errors.js';
import { specToJSON } from '../spec/json.js';
import { defaultInputSize, validInputSizes } from '../geometry/tiles.js';
import { walkAxis } from '../geometry/walk.js';
import { modelInfoOf, specOf } from '../compile/metadata.js';
import { IR_VERSION, OPSET, floatTensor, int64Tensor, node, onnx, valueInfo, type Attributes } from './proto.js';

/** Tensor layout of the exported model's input and output. */
export type OnnxLayout = 'NHWC' | 'NCHW';

/** Options of {@link toOnnx}. */
export interface OnnxExportOptions {
  /** Layout of the model's input and output. Default `'NHWC'` (as the tfjs model). */
  readonly layout?: OnnxLayout;
  /**
   * A fixed input tile size. Default: height and width are free (any valid
   * size) when the network's crops do not depend on the size, which holds for
   * U-Nets from `unet()`; otherwise the model's own tile size.
   */
  readonly inputSize?: number;
}

/** Metadata key under which the exported model carries its spec (JSON). */
export const ONNX_SPEC_KEY = 'tfjs-unet.spec';
/** Metadata key of the exported model's layout (`NHWC` or `NCHW`). */
export const ONNX_LAYOUT_KEY = 'tfjs-unet.layout';
/** Metadata key of what training stored about using the model (normalisation, threshold; JSON). */
export const ONNX_INFO_KEY = 'tfjs-unet.info';

/** Large enough for any Slice end (ONNX clamps ends to the dimension). */
const SLICE_TO_END = 2 ** 31 - 1;

/** Reorders a dense row-major array of `shape` by `perm` (as numpy.transpose). */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const permStrides = perm.map((p) => strides[p]!);
  const out = new Float32Array(values.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < index.length; d++) src += index[d]! * permStrides[d]!;
    out[o] = values[src]!;
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Crop amounts (rows per side, columns per side) of each crop node for an input tile size. */
export function cropAmounts(spec: Spec, size: number): Map<string, number> {
  const walk = walkAxis(spec, size);
  if (walk.failure !== undefined) throw new Error(`unreachable: ${size} is a valid size`);
  const index = new Map(spec.nodes.map((n, i) => [n.name, i]));
  const amounts = new Map<string, number>();
  for (const n of spec.nodes) {
    if (n.kind === 'crop') amounts.set(n.name, (walk.sizes[index.get(n.input)!]! - walk.sizes[index.get(n.reference)!]!) / 2);
  }
  return amounts;
}

/** Whether every crop is the same at all valid sizes (checked on the first few), so height and width can be free. */
function cropsAreConstant(spec: Spec): boolean {
  const sizes = validInputSizes(spec, { max: 4096 }).slice(0, 4);
  if (sizes.length < 2) return false;
  const first = cropAmounts(spec, sizes[0]!);
  return sizes.slice(1).every((s) => [...cropAmounts(spec, s)].every(([name, v]) => first.get(name) === v));
}

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

/**
 * Converts a compiled U-Net to a standard ONNX model (opset 13): Conv,
 * ConvTranspose, MaxPool, Relu (and the other hidden activations),
 * BatchNormalization, Resize, Slice (the skip crops), Concat,
 * Softmax/Sigmoid; dropout is removed. Height and width are free for any
 * valid input size (see {@link OnnxExportOptions.inputSize}), batch is free.
 * The spec, the layout and what training stored about using the model
 * (normalisation, calibrated threshold) travel in the model's metadata
 * ({@link ONNX_SPEC_KEY}, {@link ONNX_LAYOUT_KEY}, {@link ONNX_INFO_KEY}).
 *
 * @param model - a model built from `spec` (`buildModel`, `loadModel`).
 * @param spec - its spec. Default: the spec in the model's metadata.
 * @param options - layout and an optional fixed input size.
 * @returns the serialised `ModelProto` (write it to a `.onnx` file, or use `exportOnnx` from `tfjs-unet/node`).
 * @throws {@link ArgumentError} when the model has no spec or lacks a layer of the spec.
 * @example
 * ```ts
 * const bytes = toOnnx(model);                       // NHWC in and out, like the tfjs model
 * const nchw = toOnnx(model, undefined, { layout: 'NCHW' });
 * ```
 */
export function toOnnx(model: tf.LayersModel, spec: Spec | undefined = specOf(model), options: OnnxExportOptions = {}): Uint8Array {
  if (spec === undefined) throw new ArgumentError('spec', 'is required for a model that carries no spec in its metadata', undefined);
  const layout = options.layout ?? 'NHWC';
  if (layout !== 'NHWC' && layout !== 'NCHW') throw new ArgumentError('layout', "must be 'NHWC' or 'NCHW'", layout);
  const info = modelInfoOf(model);
  const modelSize = model.inputs[0]!.shape[1];
  const fixedSize = options.inputSize ?? (cropsAreConstant(spec) ? undefined : (modelSize ?? defaultInputSize(spec)));
  const crops = cropAmounts(spec, fixedSize ?? modelSize ?? defaultInputSize(spec));
  const inputNode = spec.nodes[0]!;
  if (inputNode.kind !== 'input') throw new SpecError('spec.nodes[0]', "must be the 'input' node", inputNode.kind);
  const classes = model.outputs[0]!.shape[3]!;

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
  const last = source(spec.output);
  if (layout === 'NHWC') nodes.push(node('Transpose', [last], ['output'], 'output/to_nhwc', { perm: [0, 2, 3, 1] }));
  else nodes.push(node('Identity', [last], ['output'], 'output/Identity'));

  const h = fixedSize ?? 'height';
  const w = fixedSize ?? 'width';
  const oh = fixedSize === undefined ? 'output_height' : model.outputs[0]!.shape[1]!;
  const ow = fixedSize === undefined ? 'output_width' : model.outputs[0]!.shape[2]!;
  const channels = inputNode.channels;
  const graph = onnx.GraphProto.create({
    name: spec.name,
    node: nodes,
    initializer: initializers,
    input: [valueInfo('input', layout === 'NHWC' ? ['batch', h, w, channels] : ['batch', channels, h, w])],
    output: [valueInfo('output', layout === 'NHWC' ? ['batch', oh, ow, classes] : ['batch', classes, oh, ow])],
  });
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'tfjs-unet',
    graph,
    docString: `U-Net exported by tfjs-unet; input and output layout ${layout}`,
    metadataProps: [
      { key: ONNX_SPEC_KEY, value: specToJSON(spec) },
      { key: ONNX_LAYOUT_KEY, value: layout },
      ...(Object.keys(info).length === 0 ? [] : [{ key: ONNX_INFO_KEY, value: JSON.stringify(info) }]),
    ],
  });
  const encoded = onnx.ModelProto.encode(proto).finish();
  // protobufjs returns a Node Buffer under Node: hand out a plain Uint8Array everywhere.
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
