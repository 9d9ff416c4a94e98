/**
 * Reads what `toOnnx` stored in an ONNX model: its spec and its layout.
 */
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { specFromJSON } from '../spec/json.js';
import { ONNX_INFO_KEY, ONNX_LAYOUT_KEY, ONNX_SPEC_KEY, type OnnxLayout } from './export.js';
import { checkModelInfo, type ModelInfo } from '../compile/metadata.js';
import { onnx } from './proto.js';

/** What an exported model carries about itself. */
export interface OnnxModelInfo {
  /** The U-Net spec the model was exported from. */
  readonly spec: Spec;
  /** Layout of its input and output. */
  readonly layout: OnnxLayout;
  /** ONNX opset of the default domain. */
  readonly opset: number;
  /** What training stored about using the model (normalisation, calibrated threshold); `{}` when nothing. */
  readonly info: ModelInfo;
}

/**
 * The spec and layout stored in an ONNX model written by `toOnnx`.
 *
 * @param bytes - the `.onnx` file's contents.
 * @throws {@link ArgumentError} when the bytes are not an ONNX model or carry no tfjs-unet spec.
 * @example
 * ```ts
 * const { spec, layout } = readOnnxInfo(await readFile('unet.onnx'));
 * ```
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxModelInfo {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new ArgumentError('bytes', 'must be an ONNX model (ModelProto)', `undecodable data (${(error as Error).message})`);
  }
  const props = new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const specJson = props.get(ONNX_SPEC_KEY);
  if (specJson === undefined) throw new ArgumentError('bytes', `must be an ONNX model exported by tfjs-unet (metadata '${ONNX_SPEC_KEY}')`, model.producerName || 'no producer');
  const layout = props.get(ONNX_LAYOUT_KEY) ?? 'NHWC';
  if (layout !== 'NHWC' && layout !== 'NCHW') throw new ArgumentError(`metadata '${ONNX_LAYOUT_KEY}'`, "must be 'NHWC' or 'NCHW'", layout);
  const opset = Number(model.opsetImport?.find((o) => (o.domain ?? '') === '')?.version ?? 0);
  const spec = specFromJSON(JSON.parse(specJson) as unknown);
  const input = spec.nodes[0]!;
  const infoJson = props.get(ONNX_INFO_KEY);
  let info: unknown;
  try {
    info = infoJson === undefined ? undefined : (JSON.parse(infoJson) as unknown);
  } catch {
    throw new ArgumentError(`metadata '${ONNX_INFO_KEY}'`, 'must be JSON', infoJson);
  }
  return { spec, layout, opset, info: checkModelInfo(info, input.kind === 'input' ? input.channels : 1, `metadata '${ONNX_INFO_KEY}'`) };
}
