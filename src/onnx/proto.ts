/**
 * The ONNX protobuf schema (the official onnx.proto compiled for protobufjs by
 * the `onnx-proto` package) and small constructors for the messages an
 * exporter writes. The only module that imports `onnx-proto`.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export { onnx };

/** ONNX IR version written (IR 8 = ONNX 1.10, the schema's version). */
export const IR_VERSION = 8;
/** Default operator set of the default domain (widely supported; Resize, Softmax-on-one-axis, Slice semantics as used). */
export const OPSET = 13;

/** A float32 initializer with its values as little-endian raw bytes. */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): InstanceType<typeof onnx.TensorProto> {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

/** An int64 initializer (Slice starts/ends/axes). */
export function int64Tensor(name: string, values: readonly number[]): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
}

type AttributeValue = number | readonly number[] | string;

/** An attribute: an integer (`ints: false`) or float, a list of integers, or a string. */
function attribute(name: string, value: AttributeValue, float: boolean): InstanceType<typeof onnx.AttributeProto> {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') {
    return float ? onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value }) : onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value });
  }
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...value] });
}

/** Attribute values; numbers listed in `floats` are written as FLOAT, other numbers as INT. */
export interface Attributes {
  readonly [name: string]: AttributeValue;
}

/** A node of the default domain. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: Attributes = {},
  floats: readonly string[] = [],
): InstanceType<typeof onnx.NodeProto> {
  return onnx.NodeProto.create({
    opType,
    name,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value, floats.includes(key))),
  });
}

/** A float32 graph input or output with named (symbolic) or fixed dimensions. */
export function valueInfo(name: string, dims: readonly (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}
