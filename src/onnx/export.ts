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
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { SpecError } from '../spec/errors.js';
import { specToJSON } from '../spec/json.js';
import { defaultInputSize, validInputSizes } from '../geometry/tiles.js';
import { walkAxis } from '../geometry/walk.js';
import { modelInfoOf, specOf } from '../compile/metadata.js';
import { IR_VERSION, OPSET, node, onnx, valueInfo } from './proto.js';
import { emitNodes } from './emit.js';

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

export { permute } from './permute.js';

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

  const { nodes, initializers, valueOf } = emitNodes(spec, { model, crops, layout });
  const last = valueOf(spec.output);
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
