/**
 * A small ONNX graph builder with static shapes, for graphs that are
 * differentiated here (ONNX Runtime's inference builds have no autodiff).
 * Every differentiable operation is recorded as an {@link Op} so
 * `gradients.ts` can walk the recording backwards; the ONNX nodes are
 * emitted as the operations are called.
 */
import { floatTensor, int64Tensor, IR_VERSION, node, onnx, OPSET, valueInfo, type Attributes } from '../proto.js';

/** A tensor value of the graph with its static shape. */
export interface Value {
  readonly name: string;
  readonly shape: readonly number[];
}

/** A recorded operation: its kind, inputs, output and what its gradient rule needs. */
export type Op =
  | { readonly kind: 'conv'; readonly inputs: readonly Value[]; readonly output: Value; readonly pads: readonly number[]; readonly stride: number }
  | { readonly kind: 'convTranspose'; readonly inputs: readonly Value[]; readonly output: Value; readonly factor: number }
  | { readonly kind: 'maxPool'; readonly inputs: readonly [Value]; readonly output: Value; readonly indices: Value; readonly size: number }
  | { readonly kind: 'unary'; readonly inputs: readonly [Value]; readonly output: Value; readonly fn: UnaryFunction }
  | { readonly kind: 'binary'; readonly inputs: readonly [Value, Value]; readonly output: Value; readonly fn: 'add' | 'sub' | 'mul' | 'div' }
  | { readonly kind: 'reduceSum'; readonly inputs: readonly [Value]; readonly output: Value; readonly axes: readonly number[]; readonly keepDims: boolean }
  | { readonly kind: 'logSoftmax'; readonly inputs: readonly [Value]; readonly output: Value; readonly axis: number }
  | { readonly kind: 'slice'; readonly inputs: readonly [Value]; readonly output: Value; readonly starts: readonly number[] }
  | { readonly kind: 'pad'; readonly inputs: readonly [Value]; readonly output: Value; readonly before: readonly number[] }
  | { readonly kind: 'concat'; readonly inputs: readonly Value[]; readonly output: Value; readonly axis: number }
  | { readonly kind: 'transpose'; readonly inputs: readonly [Value]; readonly output: Value; readonly perm: readonly number[] }
  | { readonly kind: 'reshape'; readonly inputs: readonly [Value]; readonly output: Value }
  | { readonly kind: 'matMul'; readonly inputs: readonly [Value, Value]; readonly output: Value }
  | { readonly kind: 'upsampleNearest'; readonly inputs: readonly [Value]; readonly output: Value; readonly factor: number };

/** Element-wise functions with a gradient rule. */
export type UnaryFunction = 'relu' | 'neg' | 'exp' | 'log' | 'sqrt' | 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'relu6' | 'softplus' | 'erf';

/** ONNX operator and attributes of each unary function. */
const UNARY_ONNX: Record<UnaryFunction, { readonly op: string; readonly attributes?: Attributes; readonly floats?: readonly string[] }> = {
  relu: { op: 'Relu' },
  neg: { op: 'Neg' },
  exp: { op: 'Exp' },
  log: { op: 'Log' },
  sqrt: { op: 'Sqrt' },
  sigmoid: { op: 'Sigmoid' },
  tanh: { op: 'Tanh' },
  elu: { op: 'Elu', attributes: { alpha: 1 }, floats: ['alpha'] },
  selu: { op: 'Selu' },
  relu6: { op: 'Clip' },
  softplus: { op: 'Softplus' },
  erf: { op: 'Erf' },
};

const BINARY_ONNX = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' } as const;

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const text = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Numpy broadcasting of two static shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[i - rank + a.length] ?? 1;
    const y = b[i - rank + b.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes ${text(a)} and ${text(b)} do not broadcast`);
    return Math.max(x, y);
  });
}

/**
 * Builds an ONNX graph (opset 13) operation by operation, with static shapes.
 *
 * @example
 * ```ts
 * const b = new GraphBuilder();
 * const x = b.input('x', [1, 1, 8, 8]);
 * b.output(b.unary('relu', x), 'y');
 * const bytes = b.toModel('relu');
 * ```
 */
export class GraphBuilder {
  /** Differentiable operations in the order they were called. */
  readonly ops: Op[] = [];
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;
  private readonly int64Cache = new Map<string, string>();
  private readonly scalarCache = new Map<number, string>();

  private fresh(hint: string): string {
    return `${hint}:${this.counter++}`;
  }

  private emit(op: string, inputs: readonly string[], outputs: readonly string[], attributes: Attributes = {}, floats: readonly string[] = []): void {
    this.nodes.push(node(op, inputs, outputs, `${outputs[0]}/${op}`, attributes, floats));
  }

  /** A graph input. */
  input(name: string, shape: readonly number[]): Value {
    this.inputs.push(valueInfo(name, shape));
    return { name, shape };
  }

  /** Declares `value` a graph output named `name`. */
  output(value: Value, name: string): Value {
    this.emit('Identity', [value.name], [name]);
    this.outputs.push(valueInfo(name, value.shape));
    return { name, shape: value.shape };
  }

  /** A float constant. */
  constant(values: Float32Array | readonly number[], shape: readonly number[], hint = 'const'): Value {
    const name = this.fresh(hint);
    this.initializers.push(floatTensor(name, shape, values instanceof Float32Array ? values : Float32Array.from(values)));
    return { name, shape };
  }

  /** A float scalar constant, shared between uses. */
  scalar(value: number): Value {
    let name = this.scalarCache.get(value);
    if (name === undefined) {
      name = this.constant([value], [], 'scalar').name;
      this.scalarCache.set(value, name);
    }
    return { name, shape: [] };
  }

  /** An int64 constant (shapes, axes, slice bounds), shared between uses. */
  int64(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.int64Cache.get(key);
    if (name === undefined) {
      name = this.fresh('int64');
      this.initializers.push(int64Tensor(name, values));
      this.int64Cache.set(key, name);
    }
    return name;
  }

  /** 2-D convolution (NCHW, weights `[out, in, kh, kw]`), pads `[top, left, bottom, right]`. */
  conv(x: Value, w: Value, bias: Value | undefined, pads: readonly number[], stride = 1, hint = 'conv'): Value {
    const [n, c, h, wd] = x.shape as [number, number, number, number];
    const [k, cw, kh, kw] = w.shape as [number, number, number, number];
    if (c !== cw) throw new Error(`conv ${hint}: input has ${c} channels, weights expect ${cw}`);
    const oh = Math.floor((h + pads[0]! + pads[2]! - kh) / stride) + 1;
    const ow = Math.floor((wd + pads[1]! + pads[3]! - kw) / stride) + 1;
    const output = { name: this.fresh(hint), shape: [n, k, oh, ow] };
    const inputs = bias === undefined ? [x, w] : [x, w, bias];
    this.emit('Conv', inputs.map((v) => v.name), [output.name], { kernel_shape: [kh, kw], pads: [...pads], strides: [stride, stride] });
    this.ops.push({ kind: 'conv', inputs, output, pads, stride });
    return output;
  }

  /** Transposed convolution with stride = kernel = `factor` (weights `[in, out, f, f]`). */
  convTranspose(x: Value, w: Value, bias: Value | undefined, factor: number, hint = 'upconv'): Value {
    const [n, , h, wd] = x.shape as [number, number, number, number];
    const output = { name: this.fresh(hint), shape: [n, w.shape[1]!, h * factor, wd * factor] };
    const inputs = bias === undefined ? [x, w] : [x, w, bias];
    this.emit('ConvTranspose', inputs.map((v) => v.name), [output.name], { kernel_shape: [factor, factor], strides: [factor, factor] });
    this.ops.push({ kind: 'convTranspose', inputs, output, factor });
    return output;
  }

  /** Non-overlapping max pooling (kernel = stride = `size`); records the argmax indices for the gradient. */
  maxPool(x: Value, size: number, hint = 'pool'): Value {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const output = { name: this.fresh(hint), shape: [n, c, Math.floor(h / size), Math.floor(w / size)] };
    const indices = { name: `${output.name}/indices`, shape: output.shape };
    this.emit('MaxPool', [x.name], [output.name, indices.name], { kernel_shape: [size, size], strides: [size, size] });
    this.ops.push({ kind: 'maxPool', inputs: [x], output, indices, size });
    return output;
  }

  /**
   * The input gradient of a stride-1 convolution (no gradient): a Conv of
   * `dy` with the weights transposed to `[in, out, kh, kw]` and flipped in
   * both spatial axes, padded by `k - 1 - pad` on each side (the "full"
   * correlation). ONNX Runtime's CPU Conv runs this faster than the
   * equivalent ConvTranspose of `dy` with the weights as they are (its
   * profile of a U-Net step: the input gradients took less than half the time).
   */
  convInputGradient(dy: Value, w: Value, pads: readonly number[], shape: readonly number[]): Value {
    const [, , kh, kw] = w.shape as [number, number, number, number];
    const transposed = this.fresh('conv_dx_w');
    this.emit('Transpose', [w.name], [transposed], { perm: [1, 0, 2, 3] });
    const flipped = this.fresh('conv_dx_w');
    this.emit('Slice', [transposed, this.int64([kh - 1, kw - 1]), this.int64([-kh - 1, -kw - 1]), this.int64([2, 3]), this.int64([-1, -1])], [flipped]);
    const output = { name: this.fresh('conv_dx'), shape };
    const full = [kh - 1 - pads[0]!, kw - 1 - pads[1]!, kh - 1 - pads[2]!, kw - 1 - pads[3]!];
    if (full.some((p) => p < 0)) throw new Error(`conv input gradient: pads [${pads.join(', ')}] exceed the kernel ${kh}x${kw}`);
    this.emit('Conv', [dy.name, flipped], [output.name], { kernel_shape: [kh, kw], pads: full });
    return output;
  }

  /** `x` broadcast to `shape` (no gradient). */
  expand(x: Value, shape: readonly number[]): Value {
    if (same(x.shape, shape)) return x;
    const output = { name: this.fresh('expand'), shape };
    this.emit('Expand', [x.name, this.int64(shape)], [output.name]);
    return output;
  }

  /** Scatters `y` to the positions `indices` of a MaxPool's input (its gradient). */
  maxUnpool(y: Value, indices: Value, shape: readonly number[], size: number): Value {
    const output = { name: this.fresh('unpool'), shape };
    this.emit('MaxUnpool', [y.name, indices.name, this.int64(shape)], [output.name], { kernel_shape: [size, size], strides: [size, size] });
    return output;
  }

  /** An element-wise function. */
  unary(fn: UnaryFunction, x: Value, hint: string = fn): Value {
    const output = { name: this.fresh(hint), shape: x.shape };
    const { op, attributes, floats } = UNARY_ONNX[fn];
    const inputs = fn === 'relu6' ? [x.name, this.scalar(0).name, this.scalar(6).name] : [x.name];
    this.emit(op, inputs, [output.name], attributes, floats);
    this.ops.push({ kind: 'unary', inputs: [x], output, fn });
    return output;
  }

  /** An element-wise binary operation with numpy broadcasting. */
  binary(fn: 'add' | 'sub' | 'mul' | 'div', a: Value, b: Value, hint: string = fn): Value {
    const output = { name: this.fresh(hint), shape: broadcastShape(a.shape, b.shape) };
    this.emit(BINARY_ONNX[fn], [a.name, b.name], [output.name]);
    this.ops.push({ kind: 'binary', inputs: [a, b], output, fn });
    return output;
  }

  add(a: Value, b: Value): Value {
    return this.binary('add', a, b);
  }

  sub(a: Value, b: Value): Value {
    return this.binary('sub', a, b);
  }

  mul(a: Value, b: Value): Value {
    return this.binary('mul', a, b);
  }

  div(a: Value, b: Value): Value {
    return this.binary('div', a, b);
  }

  /** Sum over `axes`. */
  reduceSum(x: Value, axes: readonly number[], keepDims: boolean, hint = 'sum'): Value {
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const output = { name: this.fresh(hint), shape };
    this.emit('ReduceSum', [x.name, this.int64(axes)], [output.name], { keepdims: keepDims ? 1 : 0 });
    this.ops.push({ kind: 'reduceSum', inputs: [x], output, axes, keepDims });
    return output;
  }

  /** Log of the softmax over `axis`. */
  logSoftmax(x: Value, axis: number): Value {
    const output = { name: this.fresh('log_softmax'), shape: x.shape };
    this.emit('LogSoftmax', [x.name], [output.name], { axis });
    this.ops.push({ kind: 'logSoftmax', inputs: [x], output, axis });
    return output;
  }

  /** Softmax over `axis` (no gradient rule: used inside gradients). */
  softmax(x: Value, axis: number): Value {
    const output = { name: this.fresh('softmax'), shape: x.shape };
    this.emit('Softmax', [x.name], [output.name], { axis });
    return output;
  }

  /** `x[starts : starts + shape]` on every axis. */
  slice(x: Value, starts: readonly number[], shape: readonly number[], hint = 'slice'): Value {
    if (starts.length !== x.shape.length || shape.length !== x.shape.length || shape.some((d, i) => starts[i]! + d > x.shape[i]! || starts[i]! < 0)) {
      throw new Error(`slice ${hint}: ${text(starts)} + ${text(shape)} does not fit ${text(x.shape)}`);
    }
    const output = { name: this.fresh(hint), shape };
    const axes = x.shape.map((_, i) => i);
    this.emit('Slice', [x.name, this.int64(starts), this.int64(starts.map((s, i) => s + shape[i]!)), this.int64(axes)], [output.name]);
    this.ops.push({ kind: 'slice', inputs: [x], output, starts });
    return output;
  }

  /** Zero padding, `before` and `after` per axis. */
  pad(x: Value, before: readonly number[], after: readonly number[], hint = 'pad'): Value {
    const output = { name: this.fresh(hint), shape: x.shape.map((d, i) => d + before[i]! + after[i]!) };
    this.emit('Pad', [x.name, this.int64([...before, ...after])], [output.name], { mode: 'constant' });
    this.ops.push({ kind: 'pad', inputs: [x], output, before });
    return output;
  }

  /** Concatenation along `axis`. */
  concat(xs: readonly Value[], axis: number, hint = 'concat'): Value {
    const shape = xs[0]!.shape.map((d, i) => (i === axis ? xs.reduce((a, x) => a + x.shape[i]!, 0) : d));
    const output = { name: this.fresh(hint), shape };
    this.emit('Concat', xs.map((x) => x.name), [output.name], { axis });
    this.ops.push({ kind: 'concat', inputs: xs, output, axis });
    return output;
  }

  /** Axis permutation. */
  transpose(x: Value, perm: readonly number[], hint = 'transpose'): Value {
    const output = { name: this.fresh(hint), shape: perm.map((p) => x.shape[p]!) };
    this.emit('Transpose', [x.name], [output.name], { perm: [...perm] });
    this.ops.push({ kind: 'transpose', inputs: [x], output, perm });
    return output;
  }

  /** Same values, another static shape. */
  reshape(x: Value, shape: readonly number[], hint = 'reshape'): Value {
    if (count(shape) !== count(x.shape)) throw new Error(`reshape ${hint}: ${text(x.shape)} cannot become ${text(shape)}`);
    if (same(shape, x.shape)) return x;
    const output = { name: this.fresh(hint), shape };
    this.emit('Reshape', [x.name, this.int64(shape)], [output.name]);
    this.ops.push({ kind: 'reshape', inputs: [x], output });
    return output;
  }

  /** Matrix product of the last two axes, leading axes broadcast. */
  matMul(a: Value, b: Value, hint = 'matmul'): Value {
    const m = a.shape.at(-2)!;
    const p = b.shape.at(-1)!;
    if (a.shape.at(-1) !== b.shape.at(-2)) throw new Error(`matMul ${hint}: ${text(a.shape)} x ${text(b.shape)}`);
    const lead = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const output = { name: this.fresh(hint), shape: [...lead, m, p] };
    this.emit('MatMul', [a.name, b.name], [output.name]);
    this.ops.push({ kind: 'matMul', inputs: [a, b], output });
    return output;
  }

  /** `a @ b^T` of two matrices (Gemm; no gradient rule: used inside gradients). */
  matMulTransposed(a: Value, b: Value, hint = 'gemm'): Value {
    const output = { name: this.fresh(hint), shape: [a.shape[0]!, b.shape[0]!] };
    this.emit('Gemm', [a.name, b.name], [output.name], { transB: 1 });
    return output;
  }

  /** Nearest-neighbour upsampling of NCHW by `factor` (each pixel repeated factor x factor times). */
  upsampleNearest(x: Value, factor: number, hint = 'upsample'): Value {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const output = { name: this.fresh(hint), shape: [n, c, h * factor, w * factor] };
    const scales = this.constant([1, 1, factor, factor], [4], 'scales');
    this.emit('Resize', [x.name, '', scales.name], [output.name], { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'asymmetric' });
    this.ops.push({ kind: 'upsampleNearest', inputs: [x], output, factor });
    return output;
  }

  /** The sign of `x`: -1, 0 or 1 (no gradient); `1` where `x > 0`, else `0`, for `x >= 0`. */
  sign(x: Value): Value {
    const output = { name: this.fresh('sign'), shape: x.shape };
    this.emit('Sign', [x.name], [output.name]);
    return output;
  }

  /** `1` where `x > 0`, else `0` (no gradient). */
  positive(x: Value): Value {
    const mask = this.fresh('positive');
    this.emit('Greater', [x.name, this.scalar(0).name], [mask]);
    const output = { name: this.fresh('positive_f'), shape: x.shape };
    this.emit('Cast', [mask], [output.name], { to: onnx.TensorProto.DataType.FLOAT });
    return output;
  }

  /** `1` where `low < x <= high`, else `0` (no gradient). */
  between(x: Value, low: number, high: number): Value {
    const above = this.fresh('above');
    const below = this.fresh('below');
    const both = this.fresh('between');
    this.emit('Greater', [x.name, this.scalar(low).name], [above]);
    this.emit('LessOrEqual', [x.name, this.scalar(high).name], [below]);
    this.emit('And', [above, below], [both]);
    const output = { name: this.fresh('between_f'), shape: x.shape };
    this.emit('Cast', [both], [output.name], { to: onnx.TensorProto.DataType.FLOAT });
    return output;
  }

  /** The serialised ModelProto. */
  toModel(name: string, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const graph = onnx.GraphProto.create({ name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs });
    const proto = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'tfjs-unet',
      graph,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    const encoded = onnx.ModelProto.encode(proto).finish();
    return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }
}
