/**
 * Convolution gradients for the tfjs `wasm` backend built from its fast
 * (XNNPACK) kernels: the stock `Conv2DBackpropInput` is a plain loop (about
 * 2 GFLOP/s, 12x slower than the forward conv) and `Conv2DBackpropFilter`
 * does not exist. Intermediates are TensorInfos freed as soon as they are used.
 */
import * as tf from '@tensorflow/tfjs';
import { filterGradientInfo } from './conv-filter-gradient.js';
import type { ConvGradientAttrs, WasmBackend } from './kernel-types.js';


type Info = tf.TensorInfo;

/** Runs a registered wasm kernel. */
function run(name: string, backend: unknown, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`tfjs-unet: the wasm backend has no '${name}' kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as {}, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function free(backend: unknown, ...infos: Info[]): void {
  for (const info of infos) (backend as unknown as WasmBackend).disposeData(info.dataId);
}

/** Zero padding of an NHWC (or any rank-4) tensor; returns the input itself when there is nothing to pad. */
function pad4(backend: unknown, x: Info, paddings: [number, number][]): Info {
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
  return run('PadV2', backend, { x }, { paddings, constantValue: 0 });
}

/**
 * The strided window `[:, :, y0 : y0 + oh*sh : sh, x0 : x0 + ow*sw : sw]` of a
 * `[C, N, H, W]` tensor as a new `[C, N, oh, ow]` tensor: one memcpy per row
 * for stride 1, else a plain loop. (The stock wasm `StridedSlice` copies
 * element by element through generic index math, about 6x slower here.)
 */
function copyWindow(backend: WasmBackend, x: Info, y0: number, x0: number, oh: number, ow: number, sh: number, sw: number): Info {
  const [c, n, h, w] = x.shape as [number, number, number, number];
  const out = backend.makeOutput([c, n, oh, ow], 'float32');
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out); // both views taken after the allocation (it may grow the heap)
  let o = 0;
  for (let plane = 0; plane < c * n; plane++) {
    for (let y = 0; y < oh; y++) {
      const start = (plane * h + y0 + y * sh) * w + x0;
      if (sw === 1) {
        dst.set(src.subarray(start, start + ow), o);
        o += ow;
      } else {
        for (let i = 0; i < ow; i++) dst[o++] = src[start + i * sw]!;
      }
    }
  }
  return out;
}

/**
 * Reverses the tap order of a `[fh, fw, a, b]` filter (a 180-degree
 * rotation), one memcpy per tap; frees the input. (The stock wasm `Reverse`
 * copies element by element: 77 ms for a 3x3x512x512 filter.)
 */
function flipFilter(backend: WasmBackend, filter: Info): Info {
  const [fh, fw, a, b] = filter.shape as [number, number, number, number];
  const taps = fh * fw;
  const block = a * b;
  const out = backend.makeOutput([fh, fw, a, b], 'float32');
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  for (let t = 0; t < taps; t++) dst.set(src.subarray(t * block, (t + 1) * block), (taps - 1 - t) * block);
  backend.disposeData(filter.dataId);
  return out;
}

/**
 * `Conv2DBackpropFilter` on wasm: transpose x to channels-first once, then
 * per filter tap one window copy and one matmul `[Cin, M] x [M, Cout]` (M = batch x output pixels).
 */
export const conv2DBackpropFilterWasmFast: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const info = filterGradientInfo(x, attrs as never);
  const { batchSize: n, inChannels: cin, outChannels: cout, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const padded = pad4(backend, x, [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]]);
  const xt = run('Transpose', backend, { x: padded }, { perm: [3, 0, 1, 2] }); // [Cin, N, Hp, Wp]
  if (padded !== x) free(backend, padded);
  const m = n * oh * ow;
  const dy2 = run('Reshape', backend, { x: dy }, { shape: [1, m, cout] });
  const out = (backend as unknown as WasmBackend).makeOutput([fh, fw, cin, cout], 'float32');
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const y0 = kh * dh;
      const x0 = kw * dw;
      const tap = copyWindow(backend as unknown as WasmBackend, xt, y0, x0, oh, ow, sh, sw);
      const a = run('Reshape', backend, { x: tap }, { shape: [1, cin, m] });
      const product = run('BatchMatMul', backend, { a, b: dy2 }, { transposeA: false, transposeB: false });
      // typedArrayFromHeap views can move when wasm memory grows: take fresh views after every kernel.
      const values = (backend as unknown as WasmBackend).typedArrayFromHeap(product);
      (backend as unknown as WasmBackend).typedArrayFromHeap(out).set(values, (kh * fw + kw) * cin * cout);
      free(backend, tap, a, product);
    }
  }
  free(backend, xt, dy2);
  return out;
};

/** Attributes tfjs passes to `Conv2DBackpropInput`. */
interface InputGradientAttrs extends ConvGradientAttrs {
  inputShape: [number, number, number, number];
}

/**
 * `Conv2DBackpropInput` on wasm. Stride 1: a full convolution of dy with the
 * flipped, in/out-swapped filter, run by the XNNPACK `Conv2D`. Stride equal
 * to the kernel size with no padding (the U-Net up-convolution): one matmul
 * and a depth-to-space reshuffle. Anything else: the stock kernel.
 */
export function conv2DBackpropInputWasmFast(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const a = attrs as unknown as InputGradientAttrs;
    if (a.dataFormat !== 'NHWC') return stock(args);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const { batchSize: n, inHeight, inWidth, inChannels: cin, outHeight: oh, outWidth: ow, outChannels: cout, filterHeight: fh, filterWidth: fw } = info;
    const { strideHeight: sh, strideWidth: sw, padInfo } = info;
    if (sh === 1 && sw === 1) {
      // Rotate the filter by 180 degrees and swap its channel axes: [fh, fw, Cout, Cin].
      const flipped = flipFilter(backend as unknown as WasmBackend, run('Transpose', backend, { x: filter }, { perm: [0, 1, 3, 2] }));
      const top = fh - 1 - padInfo.top;
      const left = fw - 1 - padInfo.left;
      const bottom = inHeight + fh - 1 - oh - top;
      const right = inWidth + fw - 1 - ow - left;
      if (top < 0 || left < 0 || bottom < 0 || right < 0) {
        free(backend, flipped);
        return stock(args);
      }
      const padded = pad4(backend, dy, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      const dx = run('Conv2D', backend, { x: padded, filter: flipped }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
      if (padded !== dy) free(backend, padded);
      free(backend, flipped);
      return dx;
    }
    if (sh === fh && sw === fw && padInfo.top === 0 && padInfo.left === 0 && oh * sh === inHeight && ow * sw === inWidth) {
      // dx[n, y*s + i, x*s + j, c] = sum_o dy[n, y, x, o] * filter[i, j, c, o].
      const dy2 = run('Reshape', backend, { x: dy }, { shape: [1, n * oh * ow, cout] });
      const ft = run('Transpose', backend, { x: filter }, { perm: [3, 0, 1, 2] }); // [Cout, fh, fw, Cin]
      const f2 = run('Reshape', backend, { x: ft }, { shape: [1, cout, fh * fw * cin] });
      const product = run('BatchMatMul', backend, { a: dy2, b: f2 }, { transposeA: false, transposeB: false }); // [1, M, fh*fw*Cin]
      const blocks = run('Reshape', backend, { x: product }, { shape: [n * oh, ow, fh, fw * cin] });
      const shuffled = run('Transpose', backend, { x: blocks }, { perm: [0, 2, 1, 3] }); // [N*oh, fh, ow, fw*Cin]
      const dx = run('Reshape', backend, { x: shuffled }, { shape: [n, inHeight, inWidth, cin] });
      free(backend, dy2, ft, f2, product, blocks, shuffled);
      return dx;
    }
    return stock(args);
  };
}
