/**
 * Connected-component labelling of a label image.
 */
import { ArgumentError } from '../spec/errors.js';
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

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root]!;
  while (parent[i] !== root) {
    const next = parent[i]!;
    parent[i] = root;
    i = next;
  }
  return root;
}

/** Joins the sets of `i` and `j`, keeping the smaller index as the root. */
function union(parent: Int32Array, i: number, j: number): void {
  const a = find(parent, i);
  const b = find(parent, j);
  if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
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
  const parent = new Int32Array(n);
  const labels = new Int32Array(n);
  // First pass: union each foreground pixel with its already-visited neighbours of equal value.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = data[i]!;
      parent[i] = i;
      if (v === background) {
        parent[i] = -1;
        continue;
      }
      if (x > 0 && data[i - 1] === v) union(parent, i, i - 1);
      if (y > 0) {
        if (data[i - width] === v) union(parent, i, i - width);
        if (connectivity === 8) {
          if (x > 0 && data[i - width - 1] === v) union(parent, i, i - width - 1);
          if (x < width - 1 && data[i - width + 1] === v) union(parent, i, i - width + 1);
        }
      }
    }
  }
  // Second pass: number the roots in raster order.
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (parent[i] === -1) continue;
    const root = find(parent, i);
    if (root === i) labels[i] = ++count;
    else labels[i] = labels[root]!;
  }
  return { labels, count };
}
