/**
 * `MaxPoolGrad` for the tfjs `wasm` backend when windows do not overlap
 * (pool size = stride, no padding: every U-Net pool). The stock kernel takes
 * about 8% of a 2-thread U-Net training step at 252/base 32; this one is a
 * single pass over the input. Each window's gradient goes to the first
 * position (row-major) holding the window's maximum, as on the cpu backend.
 * Other pools use the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend, WindowAttrs } from './kernel-types.js';

interface PoolGradAttrs extends WindowAttrs {
  filterSize: number | [number, number];
}

export function maxPoolGradWasmFast(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
    const a = args.attrs as unknown as PoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const disjoint = fh === sh && fw === sw && padInfo.top === 0 && padInfo.left === 0 && padInfo.bottom === 0 && padInfo.right === 0;
    if (!disjoint || input.dtype !== 'float32' || output === undefined) {
      if (stock === undefined) throw new Error('tfjs-unet: the wasm backend has no stock MaxPoolGrad for this pool');
      return stock(args);
    }
    const backend = args.backend as unknown as WasmBackend;
    const dxInfo = backend.makeOutput([n, h, w, c], 'float32');
    // Views after the allocation (it may grow the heap).
    const dx = backend.typedArrayFromHeap(dxInfo);
    const x = backend.typedArrayFromHeap(input);
    const y = backend.typedArrayFromHeap(output);
    const g = backend.typedArrayFromHeap(dy);
    dx.fill(0);
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const q = ((b * oh + oy) * ow + ox) * c;
          for (let ch = 0; ch < c; ch++) {
            const max = y[q + ch]!;
            search: for (let i = 0; i < fh; i++) {
              const row = (b * h + oy * sh + i) * w;
              for (let j = 0; j < fw; j++) {
                const p = (row + ox * sw + j) * c + ch;
                if (x[p] === max) {
                  dx[p] = g[q + ch]!;
                  break search;
                }
              }
            }
          }
        }
      }
    }
    return dxInfo;
  };
}
