/**
 * The filter gradient of a 2-D convolution (tfjs kernel `Conv2DBackpropFilter`)
 * as direct loops over typed arrays. The stock tfjs `cpu` kernel runs at about
 * 0.01 GFLOP/s (most of a U-Net training step); this loop runs about 60x
 * faster (`npm run bench:kernels`). (The `wasm` backend gets a matmul-based one, see
 * `wasm-conv-gradients.ts`.)
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvGradientAttrs } from './kernel-types.js';

/** The geometry tfjs computes for a convolution (NHWC). */
export type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/**
 * dW[kh, kw, ci, co] = sum over n, oy, ox of x[n, oy*sh + kh*dh - top, ox*sw + kw*dw - left, ci] * dy[n, oy, ox, co].
 * Zero inputs (common after ReLU) are skipped.
 */
export function convFilterGradient(x: Float32Array, dy: Float32Array, info: ConvInfo): Float32Array {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padInfo,
  } = info;
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyOffset = ((n * outHeight + oy) * outWidth + ox) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const iy = oy * strideHeight + kh * dilationHeight - padInfo.top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const ix = ox * strideWidth + kw * dilationWidth - padInfo.left;
            if (ix < 0 || ix >= inWidth) continue;
            const xOffset = ((n * inHeight + iy) * inWidth + ix) * inChannels;
            const wOffset = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xOffset + ci]!;
              if (xv === 0) continue;
              const base = wOffset + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dw[base + co] = dw[base + co]! + xv * dy[dyOffset + co]!;
            }
          }
        }
      }
    }
  }
  return dw;
}

/** Attributes tfjs passes to `Conv2DBackpropFilter`. */
interface FilterGradientAttrs extends ConvGradientAttrs {
  filterShape: [number, number, number, number];
}

/** Shapes and geometry of a `Conv2DBackpropFilter` call. */
export function filterGradientInfo(x: tf.TensorInfo, attrs: FilterGradientAttrs): ConvInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (tfjs-unet): only NHWC is supported, got ${attrs.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Kernel function for the tfjs `cpu` backend. */
export const conv2DBackpropFilterCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const cpu = backend as unknown as {
    readSync(id: tf.DataId): Float32Array;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  const info = filterGradientInfo(x, attrs as unknown as FilterGradientAttrs);
  const dw = convFilterGradient(cpu.readSync(x.dataId), cpu.readSync(dy.dataId), info);
  return cpu.makeTensorInfo((attrs as unknown as FilterGradientAttrs).filterShape, 'float32', dw);
};
