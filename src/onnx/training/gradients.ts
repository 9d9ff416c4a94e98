/**
 * Reverse-mode differentiation of a {@link GraphBuilder} recording: one
 * gradient rule per recorded operation kind, each written with the builder's
 * own operations, so the backward pass is more ONNX nodes in the same graph.
 */
import { match } from 'ts-pattern';
import type { GraphBuilder, Op, Value } from './builder.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Sums `g` over the axes that numpy broadcasting added to reach it from `shape`. */
function unbroadcast(b: GraphBuilder, g: Value, shape: readonly number[]): Value {
  if (same(g.shape, shape)) return g;
  const extra = g.shape.length - shape.length;
  const axes = g.shape.map((_, i) => i).filter((i) => i < extra || (shape[i - extra] === 1 && g.shape[i] !== 1));
  return b.reshape(b.reduceSum(g, axes, true, 'unbroadcast'), shape);
}

/** `x` viewed as `[C, N * H * W]` from `[N, C, H, W]` (a reshape when N = 1). */
function channelsFirst(b: GraphBuilder, x: Value): Value {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const moved = n === 1 ? x : b.transpose(x, [1, 0, 2, 3], 'channels_first');
  return b.reshape(moved, [c, n * h * w]);
}

/**
 * The filter gradient of a stride-1 convolution: for each kernel offset
 * (i, j), the input window it sees (one Slice of the padded input) times the
 * output gradient (one GEMM); the k x k results are stacked (im2col without
 * concatenating the columns).
 */
function convFilterGradient(b: GraphBuilder, x: Value, dy: Value, w: Value, pads: readonly number[]): Value {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [k, , kh, kw] = w.shape as [number, number, number, number];
  const [, , oh, ow] = dy.shape as [number, number, number, number];
  let xt = n === 1 ? b.reshape(x, [c, 1, h, wd]) : b.transpose(x, [1, 0, 2, 3], 'channels_first');
  if (pads.some((p) => p !== 0)) xt = b.pad(xt, [0, 0, pads[0]!, pads[1]!], [0, 0, pads[2]!, pads[3]!]);
  const dyFlat = channelsFirst(b, dy); // [k, n * oh * ow]
  const taps: Value[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const window = b.reshape(b.slice(xt, [0, 0, i, j], [c, n, oh, ow], 'patch'), [c, n * oh * ow]);
      taps.push(b.reshape(b.matMulTransposed(dyFlat, window, 'conv_dw'), [k, c, 1, 1])); // [k, c] for offset (i, j)
    }
  }
  const rows = Array.from({ length: kh }, (_, i) => b.concat(taps.slice(i * kw, (i + 1) * kw), 3, 'conv_dw_row'));
  return kh === 1 ? rows[0]! : b.concat(rows, 2, 'conv_dw');
}

/** The filter gradient of a transposed convolution with stride = kernel = f (weights `[in, out, f, f]`). */
function convTransposeFilterGradient(b: GraphBuilder, x: Value, dy: Value, f: number): Value {
  const [n, , h, w] = x.shape as [number, number, number, number];
  const o = dy.shape[1]!;
  const blocks = b.transpose(b.reshape(dy, [n, o, h, f, w, f]), [1, 3, 5, 0, 2, 4], 'upconv_blocks');
  const flat = b.matMulTransposed(channelsFirst(b, x), b.reshape(blocks, [o * f * f, n * h * w]), 'upconv_dw'); // [in, out * f * f]
  return b.reshape(flat, [x.shape[1]!, o, f, f]);
}

/** Swaps the last two axes. */
function swapLast(b: GraphBuilder, x: Value): Value {
  const r = x.shape.length;
  return b.transpose(x, [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2]);
}

/**
 * Gradients of `op`'s inputs from the gradient of its output; `undefined`
 * for inputs that `wanted` says need none.
 */
function inputGradients(b: GraphBuilder, op: Op, dy: Value, wanted: (v: Value) => boolean): (Value | undefined)[] {
  const want = (i: number) => wanted(op.inputs[i]!);
  return match(op)
    .with({ kind: 'conv' }, (o) => {
      if (o.stride !== 1) throw new Error('conv gradient: only stride 1 is supported');
      const [x, w, bias] = o.inputs as [Value, Value, Value | undefined];
      return [
        want(0) ? b.convInputGradient(dy, w, o.pads, x.shape) : undefined,
        want(1) ? convFilterGradient(b, x, dy, w, o.pads) : undefined,
        bias !== undefined && want(2) ? b.reduceSum(dy, [0, 2, 3], false, 'conv_db') : undefined,
      ];
    })
    .with({ kind: 'convTranspose' }, (o) => {
      const [x, w, bias] = o.inputs as [Value, Value, Value | undefined];
      return [
        want(0) ? b.conv(dy, w, undefined, [0, 0, 0, 0], o.factor, 'upconv_dx') : undefined,
        want(1) ? convTransposeFilterGradient(b, x, dy, o.factor) : undefined,
        bias !== undefined && want(2) ? b.reduceSum(dy, [0, 2, 3], false, 'upconv_db') : undefined,
      ];
    })
    .with({ kind: 'maxPool' }, (o) => [b.maxUnpool(dy, o.indices, o.inputs[0].shape, o.size)])
    .with({ kind: 'unary' }, (o) => {
      const [x] = o.inputs;
      const y = o.output;
      const one = b.scalar(1);
      const factor = match(o.fn)
        // y = relu(x) >= 0, so sign(y) is 1 where x > 0 and 0 elsewhere: one node instead of Greater + Cast.
        .with('relu', () => b.sign(y))
        .with('neg', () => b.scalar(-1))
        .with('exp', () => y)
        .with('log', () => b.div(one, x))
        .with('sqrt', () => b.div(b.scalar(0.5), y))
        .with('sigmoid', () => b.mul(y, b.sub(one, y)))
        .with('tanh', () => b.sub(one, b.mul(y, y)))
        // x > 0: 1; else y + 1 (= e^x).
        .with('elu', () => b.add(one, b.mul(b.sub(one, b.positive(x)), y)))
        // x > 0: scale; else y + scale * alpha (= scale * alpha * e^x).
        .with('selu', () => {
          const p = b.positive(x);
          return b.add(b.mul(p, b.scalar(SELU_SCALE)), b.mul(b.sub(one, p), b.add(y, b.scalar(SELU_SCALE * SELU_ALPHA))));
        })
        .with('relu6', () => b.between(x, 0, 6))
        .with('softplus', () => b.unary('sigmoid', x))
        .with('erf', () => b.mul(b.scalar(2 / Math.sqrt(Math.PI)), b.unary('exp', b.unary('neg', b.mul(x, x)))))
        .exhaustive();
      return [b.mul(dy, factor)];
    })
    .with({ kind: 'binary' }, (o) => {
      const [x, z] = o.inputs;
      const [dx, dz] = match(o.fn)
        .returnType<[Value, Value]>()
        .with('add', () => [dy, dy])
        .with('sub', () => [dy, b.unary('neg', dy)])
        .with('mul', () => [want(0) ? b.mul(dy, z) : dy, want(1) ? b.mul(dy, x) : dy])
        .with('div', () => [want(0) ? b.div(dy, z) : dy, want(1) ? b.unary('neg', b.div(b.mul(dy, o.output), z)) : dy])
        .exhaustive();
      return [want(0) ? unbroadcast(b, dx, x.shape) : undefined, want(1) ? unbroadcast(b, dz, z.shape) : undefined];
    })
    .with({ kind: 'reduceSum' }, (o) => {
      const kept = o.keepDims ? dy : b.reshape(dy, o.inputs[0].shape.map((d, i) => (o.axes.includes(i) ? 1 : d)));
      return [b.expand(kept, o.inputs[0].shape)];
    })
    .with({ kind: 'logSoftmax' }, (o) => [b.sub(dy, b.mul(b.softmax(o.inputs[0], o.axis), b.reduceSum(dy, [o.axis], true)))])
    .with({ kind: 'slice' }, (o) => [b.pad(dy, o.starts, o.inputs[0].shape.map((d, i) => d - o.starts[i]! - o.output.shape[i]!))])
    .with({ kind: 'pad' }, (o) => [b.slice(dy, o.before, o.inputs[0].shape)])
    .with({ kind: 'concat' }, (o) => {
      let offset = 0;
      return o.inputs.map((x, i) => {
        const starts = x.shape.map((_, a) => (a === o.axis ? offset : 0));
        offset += x.shape[o.axis]!;
        return want(i) ? b.slice(dy, starts, x.shape, 'concat_dx') : undefined;
      });
    })
    .with({ kind: 'transpose' }, (o) => {
      const inverse = o.perm.map((_, i) => o.perm.indexOf(i));
      return [b.transpose(dy, inverse)];
    })
    .with({ kind: 'reshape' }, (o) => [b.reshape(dy, o.inputs[0].shape)])
    .with({ kind: 'matMul' }, (o) => {
      const [x, z] = o.inputs;
      return [
        want(0) ? unbroadcast(b, b.matMul(dy, swapLast(b, z)), x.shape) : undefined,
        want(1) ? unbroadcast(b, b.matMul(swapLast(b, x), dy), z.shape) : undefined,
      ];
    })
    .with({ kind: 'upsampleNearest' }, (o) => {
      const [n, c, h, w] = o.inputs[0].shape as [number, number, number, number];
      const f = o.factor;
      return [b.reduceSum(b.reshape(dy, [n, c, h, f, w, f]), [3, 5], false, 'upsample_dx')];
    })
    .exhaustive();
}

/** SELU's constants (as tfjs and ONNX define them). */
export const SELU_SCALE = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

/**
 * Appends to the graph the gradients of the scalar `loss` with respect to
 * each of `wrt`, by walking the builder's recording backwards. Only the
 * operations between `wrt` and `loss` are differentiated, and input
 * gradients nothing needs (e.g. of the image) are not computed.
 *
 * @returns the gradient of each of `wrt`, in order (zeros for one the loss does not depend on).
 */
export function gradients(b: GraphBuilder, loss: Value, wrt: readonly Value[]): Value[] {
  if (loss.shape.length !== 0) throw new Error(`gradients: the loss must be a scalar, got shape [${loss.shape.join(', ')}]`);
  const forward = [...b.ops];
  // Values that depend on a parameter.
  const depends = new Set(wrt.map((v) => v.name));
  for (const op of forward) if (op.inputs.some((v) => depends.has(v.name))) depends.add(op.output.name);
  const grads = new Map<string, Value>([[loss.name, b.scalar(1)]]);
  const wanted = (v: Value) => depends.has(v.name);
  for (let i = forward.length - 1; i >= 0; i--) {
    const op = forward[i]!;
    const dy = grads.get(op.output.name);
    if (dy === undefined || !depends.has(op.output.name)) continue;
    const dyFull = b.expand(dy, op.output.shape);
    inputGradients(b, op, dyFull, wanted).forEach((g, k) => {
      const input = op.inputs[k]!;
      if (g === undefined || !wanted(input)) return;
      const previous = grads.get(input.name);
      grads.set(input.name, previous === undefined ? g : b.add(previous, g));
    });
  }
  return wrt.map((v) => b.expand(grads.get(v.name) ?? b.scalar(0), v.shape));
}
