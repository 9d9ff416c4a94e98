/**
 * Gradient of nearest-neighbour resizing (tfjs kernel `ResizeNearestNeighborGrad`)
 * for the `cpu` backend. The stock tfjs 4.22 cpu kernel offsets `dy` by the
 * *input's* batch stride, so every image after the first in a batch gets the
 * wrong gradient (found comparing against the wasm backend and a hand
 * computation); it also ignores `halfPixelCenters`. This one scatters each
 * `dy` pixel to the source pixel the forward pass read, by the forward's formula.
 */
import type * as tf from '@tensorflow/tfjs';

/** Source index of output index `i` along an axis, as tfjs's forward nearest resize computes it. */
function sourceIndex(i: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
  let s = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  if (halfPixelCenters) s = Math.max(0, s);
  return s;
}

/** dx[b, sy(oy), sx(ox), c] += dy[b, oy, ox, c] over all output pixels. */
export function resizeNearestGradient(
  dy: Float32Array,
  dyShape: readonly [number, number, number, number],
  imageShape: readonly [number, number, number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch, inH, inW, depth] = imageShape;
  const [, outH, outW] = dyShape;
  const rows = Int32Array.from({ length: outH }, (_, i) => sourceIndex(i, inH, outH, alignCorners, halfPixelCenters));
  const cols = Int32Array.from({ length: outW }, (_, i) => sourceIndex(i, inW, outW, alignCorners, halfPixelCenters));
  const dx = new Float32Array(batch * inH * inW * depth);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++) {
      const rowBase = (b * inH + rows[oy]!) * inW;
      for (let ox = 0; ox < outW; ox++) {
        const src = ((b * outH + oy) * outW + ox) * depth;
        const dst = (rowBase + cols[ox]!) * depth;
        for (let c = 0; c < depth; c++) dx[dst + c] = dx[dst + c]! + dy[src + c]!;
      }
    }
  return dx;
}

/** Kernel function for the tfjs `cpu` backend. */
export const resizeNearestNeighborGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as { alignCorners: boolean; halfPixelCenters?: boolean };
  const cpu = backend as unknown as {
    readSync(id: tf.DataId): Float32Array;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  const dx = resizeNearestGradient(
    cpu.readSync(dy.dataId),
    dy.shape as [number, number, number, number],
    images.shape as [number, number, number, number],
    alignCorners,
    halfPixelCenters === true,
  );
  return cpu.makeTensorInfo(images.shape, 'float32', dx);
};
