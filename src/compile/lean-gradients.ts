/**
 * Memory-lean training of ReLU convolutions.
 *
 * While a gradient tape is recording, tfjs runs `Conv2D` + bias + ReLU as
 * three ops (its fused kernel is only used without a tape), and each keeps a
 * full-size tensor for the backward pass: the conv output (saved by the bias
 * `Add`), the pre-activation (saved by `Relu`) and the activation (saved by the
 * next layer). {@link leanConvGradients} makes a model's ReLU convolutions one
 * taped op that runs the fused kernel and keeps only its input and output
 * (`relu'(z) = step(y)`), so a U-Net's activation memory during training drops
 * to about a third. Values and gradients are those of the stock layers.
 */
import * as tf from '@tensorflow/tfjs';

type Padding = 'valid' | 'same';

interface ConvLayer {
  readonly strides: number[];
  readonly dilationRate: number[];
  readonly padding: string;
  readonly dataFormat: string;
  readonly rank: number;
  readonly activation: { getClassName(): string };
  readonly kernel: { read(): tf.Tensor };
  readonly bias: { read(): tf.Tensor } | null;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): tf.Tensor | tf.Tensor[];
}

const patched = new WeakSet<object>();

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(name, inputs as never, attrs as never) as tf.Tensor;
}

/** Gradients of `y = relu(conv(x, filter) + bias)` (stride 1, NHWC) from x, filter and y alone. */
function reluConvGradients(dy: tf.Tensor, x: tf.Tensor, filter: tf.Tensor, y: tf.Tensor, pad: Padding): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const dz = tf.mul(dy, tf.step(y));
    const common = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    const dx = runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...common, inputShape: x.shape });
    const dFilter = runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...common, filterShape: filter.shape });
    const dBias = tf.sum(dz, [0, 1, 2]);
    return [dx, dFilter, dBias];
  });
}

function fusedForward(x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor | undefined, pad: Padding): tf.Tensor {
  const inputs: Record<string, tf.Tensor> = { x, filter };
  if (bias !== undefined) inputs.bias = bias;
  return runKernel('FusedConv2D', inputs, {
    strides: [1, 1],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
    activation: 'relu',
    leakyreluAlpha: undefined,
  });
}

/**
 * `relu(conv2d(x, filter) + bias)` for stride 1 and NHWC as a single taped
 * op that saves only x, filter and the output.
 *
 * @example
 * ```ts
 * const y = reluConv2d(x, kernel, bias, 'valid');
 * ```
 */
export function reluConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, pad: Padding): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [a, f, b] = args as tf.Tensor[];
    const value = fusedForward(a!, f!, b, pad);
    save([a!, f!, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads = reluConvGradients(dy, saved[0]!, saved[1]!, saved[2]!, pad);
        if (b === undefined) tf.dispose(grads.pop());
        return grads;
      },
    };
  });
  return (bias === null ? op(x, filter) : op(x, filter, bias)) as tf.Tensor4D;
}

function isLeanable(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const conv = layer as unknown as ConvLayer;
  return (
    conv.rank === 2 &&
    conv.activation.getClassName() === 'relu' &&
    conv.dataFormat === 'channelsLast' &&
    conv.strides.every((s) => s === 1) &&
    conv.dilationRate.every((d) => d === 1) &&
    (conv.padding === 'valid' || conv.padding === 'same')
  );
}

/**
 * Makes the model's stride-1 ReLU `Conv2D` layers train with about a third
 * of the activation memory (see the module comment). Only the layer objects'
 * `call` changes: configs, weights, saved models and outputs stay the same.
 * Idempotent; models sharing the layers (e.g. from `withInputSize`) share it.
 *
 * @returns the number of layers changed by this call.
 * @example
 * ```ts
 * const model = buildModel(unet(), { inputSize: 252 });
 * leanConvGradients(model); // 18 of the 23 convolutions
 * ```
 */
export function leanConvGradients(model: tf.LayersModel): number {
  let changed = 0;
  for (const layer of model.layers) {
    if (patched.has(layer) || !isLeanable(layer)) continue;
    const conv = layer as unknown as ConvLayer;
    const pad = conv.padding as Padding;
    conv.call = (inputs) =>
      tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        const bias = conv.bias === null ? null : (conv.bias.read() as tf.Tensor1D);
        return reluConv2d(x, conv.kernel.read() as tf.Tensor4D, bias, pad);
      });
    patched.add(layer);
    changed++;
  }
  return changed;
}
