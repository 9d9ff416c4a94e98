/**
 * Connected-component labelling of a label image.
 */
import { ArgumentError } from './errors.js';
import { checkLabelImage, type LabelImage } from './image.js';

/** Options of {@link labelComponents}. */
export interface ComponentOptions {
  /** 4 (edges only, the default) or 8 (edges and corners). */
  readonly connectivity?: 4 | 8;
  /** The value that belongs to no component. Default 0. */
  readonly background?: number;
}

/** Result of {@link labelComponents}. */
export interface Components {
  /** Component index per pixel: 0 for background, 1..count otherwise, numbered in raster order of first pixel. */
  readonly labels: Int32Array;
  /** Number of components. */
  readonly count: number;
}

/**
 * Labels the connected components of an image: neighbouring pixels with the
 * same value (other than `background`) belong to one component. For a binary
 * mask these are its objects; for a class mask, objects of each class.
 *
 * @param image - values per pixel.
 * @returns per-pixel component indices (1-based, raster order) and their count.
 * @throws {@link ArgumentError} for a malformed image or connectivity.
 * @example
 * ```ts
 * const { labels, count } = labelComponents({ data: mask, width: 512, height: 512 });
 * ```
 */
export function labelComponents(image: LabelImage, options: ComponentOptions = {}): Components {
  const { data, width, height } = checkLabelImage('image', image);
  const connectivity = options.connectivity ?? 4;
  if (connectivity !== 4 && connectivity !== 8) {
    throw new ArgumentError('connectivity', 'must be 4 or 8', connectivity);
  }
  const background = options.background ?? 0;
  const n = width * height;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  let count = 0;
  // Flood fill from each unlabelled foreground pixel, in raster order.
  for (let seed = 0; seed < n; seed++) {
    const v = data[seed]!;
    if (v === background || labels[seed] !== 0) continue;
    const id = ++count;
    labels[seed] = id;
    let top = 0;
    stack[top++] = seed;
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % width;
      const up = i >= width;
      const down = i < n - width;
      const left = x > 0;
      const right = x < width - 1;
      if (left && labels[i - 1] === 0 && data[i - 1] === v) (labels[i - 1] = id), (stack[top++] = i - 1);
      if (right && labels[i + 1] === 0 && data[i + 1] === v) (labels[i + 1] = id), (stack[top++] = i + 1);
      if (up && labels[i - width] === 0 && data[i - width] === v) (labels[i - width] = id), (stack[top++] = i - width);
      if (down && labels[i + width] === 0 && data[i + width] === v) (labels[i + width] = id), (stack[top++] = i + width);
      if (connectivity === 8) {
        if (up && left && labels[i - width - 1] === 0 && data[i - width - 1] === v) (labels[i - width - 1] = id), (stack[top++] = i - width - 1);
        if (up && right && labels[i - width + 1] === 0 && data[i - width + 1] === v) (labels[i - width + 1] = id), (stack[top++] = i - width + 1);
        if (down && left && labels[i + width - 1] === 0 && data[i + width - 1] === v) (labels[i + width - 1] = id), (stack[top++] = i + width - 1);
        if (down && right && labels[i + width + 1] === 0 && data[i + width + 1] === v) (labels[i + width + 1] = id), (stack[top++] = i + width + 1);
      }
    }
  }
  return { labels, count };
}
