/**
 * Lines labels and weights up with the smaller output of a valid-padding
 * network: a center crop by the network's margin.
 */
import * as tf from '@tensorflow/tfjs';
import { outputSize } from '../geometry/tiles.js';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';

function spatialAxes(rank: number): [number, number] {
  if (rank === 4) return [1, 2];
  if (rank === 2 || rank === 3) return [0, 1];
  throw new ArgumentError('x', 'must be a tensor of rank 2 [h, w], 3 [h, w, c] or 4 [b, h, w, c]', `rank ${rank}`);
}

/**
 * Center-crops a tensor or image array from an input tile's size to the
 * network's output size for that tile, so labels and weights line up with
 * the prediction of a valid-padding network. The tile size is read from `x`.
 *
 * @param x - a tensor `[h, w]`, `[h, w, c]` or `[b, h, w, c]`, or an {@link ImageArray}.
 * @param spec - the network.
 * @param inputSize - optional check: the tile size `x` must have.
 * @returns the cropped tensor or image array (same kind as `x`).
 * @throws {@link InvalidTileSizeError} when `x`'s size is not a valid input tile.
 * @example
 * ```ts
 * const spec = unet();
 * const target = cropToOutput(labels572, spec); // 572x572 -> 388x388
 * ```
 */
export function cropToOutput<T extends tf.Tensor>(x: T, spec: Spec, inputSize?: number | readonly [number, number]): T;
export function cropToOutput<A extends TypedArray>(x: ImageArray<A>, spec: Spec, inputSize?: number | readonly [number, number]): ImageArray<A>;
export function cropToOutput(
  x: tf.Tensor | ImageArray<TypedArray>,
  spec: Spec,
  inputSize?: number | readonly [number, number],
): tf.Tensor | ImageArray<TypedArray> {
  const [h, w] =
    x instanceof tf.Tensor ? spatialAxes(x.rank).map((axis) => x.shape[axis]!) : [x.height, x.width];
  if (inputSize !== undefined) {
    const [eh, ew] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
    if (eh !== h || ew !== w) throw new ArgumentError('x', `must be ${eh}x${ew} (inputSize)`, `${h}x${w}`);
  }
  const [oh, ow] = outputSize(spec, [h!, w!]);
  const top = (h! - oh) / 2;
  const left = (w! - ow) / 2;
  if (x instanceof tf.Tensor) {
    const [ay, ax] = spatialAxes(x.rank);
    const begin = x.shape.map(() => 0);
    const size = x.shape.map(() => -1);
    begin[ay] = top;
    begin[ax] = left;
    size[ay] = oh;
    size[ax] = ow;
    return tf.slice(x, begin, size);
  }
  const channels = checkImageArray('x', x);
  const Ctor = x.data.constructor as new (n: number) => TypedArray;
  const data = new Ctor(oh * ow * channels);
  for (let y = 0; y < oh; y++) {
    const start = ((y + top) * x.width + left) * channels;
    data.set(x.data.subarray(start, start + ow * channels), y * ow * channels);
  }
  return { data, width: ow, height: oh, channels };
}
