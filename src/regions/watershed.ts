/**
 * Seeded watersheds that split touching objects of a mask: on the distance
 * transform (roundish objects split at their necks), or on a probability map
 * (objects split where the network's confidence dips between them).
 */
import { distanceTransform } from '../core/distance.js';
import { labelComponents } from '../core/components.js';

/** A binary min-heap of pixel indices keyed by a number. */
class MinHeap {
  private keys: number[] = [];
  private items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(key: number, item: number): void {
    const { keys, items } = this;
    let i = items.length;
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }
  pop(): number {
    const { keys, items } = this;
    const top = items[0]!;
    const lastKey = keys.pop()!;
    const lastItem = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && keys[right]! < keys[left]! ? right : left;
        if (keys[child]! >= lastKey) break;
        keys[i] = keys[child]!;
        items[i] = items[child]!;
        i = child;
      }
      keys[i] = lastKey;
      items[i] = lastItem;
    }
    return top;
  }
}

/** Options of {@link splitTouching}. */
export interface SplitOptions {
  /** Seeds are distance maxima over a square window of this radius (px); larger merges more. Default 4. */
  readonly minDistance?: number;
  /**
   * Split on the probability instead (`labelInstances` passes it): the seeds
   * are the 4-connected regions above this level, and the rest of each object
   * joins the seed it reaches first, most probable pixels first. Absent: the
   * distance transform's maxima are the seeds.
   */
  readonly seedThreshold?: number;
}

/**
 * Splits touching objects of a binary mask: seeds are the local maxima of the
 * distance to the background (plateaus merged, at least `minDistance` apart),
 * and every mask pixel joins the seed its steepest descent path leads to
 * (a watershed of the negated distance flooded from the seeds, inside the
 * mask). Mask components without a seed keep a label of their own.
 *
 * @param mask - non-zero = object, row-major `width x height`.
 * @returns object labels 1..count (0 = background) and the count.
 * @example
 * ```ts
 * const { labels, count } = splitTouching(mask, 512, 512, { minDistance: 5 });
 * ```
 */
export function splitTouching(mask: ArrayLike<number>, width: number, height: number, options: SplitOptions = {}): { labels: Int32Array; count: number } {
  const radius = Math.max(1, Math.round(options.minDistance ?? 4));
  const n = width * height;
  const background = Uint8Array.from(mask as ArrayLike<number>, (v) => (v === 0 ? 1 : 0));
  const distance = distanceTransform({ data: background, width, height });
  // A pixel is a peak when no pixel within the window is farther from the background.
  const peak = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = distance[i]!;
      if (background[i] === 1 || !Number.isFinite(d)) continue;
      let isPeak = true;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius) && isPeak; yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
          if (distance[yy * width + xx]! > d) {
            isPeak = false;
            break;
          }
        }
      }
      if (isPeak) peak[i] = 1;
    }
  }
  const seeds = labelComponents({ data: peak, width, height }, { connectivity: 8 });
  return flood(seeds, background, distance, width, height);
}

/**
 * Splits the objects above `threshold` of a probability map at the seeds
 * above `seedThreshold` (a marker-controlled watershed of the probability):
 * each seed region is one object, and every other object pixel joins the
 * seed it is connected to through the most probable path. Objects without a
 * seed keep a label of their own.
 *
 * @example
 * ```ts
 * const { labels, count } = splitByProbability(probability, 512, 512, { threshold: 0.5, seedThreshold: 0.9 });
 * ```
 */
export function splitByProbability(probability: ArrayLike<number>, width: number, height: number, options: { readonly threshold: number; readonly seedThreshold: number }): { labels: Int32Array; count: number } {
  const background = Uint8Array.from(probability as ArrayLike<number>, (p) => (p > options.threshold ? 0 : 1));
  const seedMask = Uint8Array.from(probability as ArrayLike<number>, (p) => (p > Math.max(options.threshold, options.seedThreshold) ? 1 : 0));
  const seeds = labelComponents({ data: seedMask, width, height }, { connectivity: 4 });
  return flood(seeds, background, probability, width, height);
}

/**
 * Grows labelled seeds over the non-background pixels, highest `priority`
 * first (4-connected), each pixel taking the label of its highest-priority
 * labelled neighbour; components of the mask without a seed get labels of
 * their own.
 */
function flood(seeds: { labels: Int32Array; count: number }, background: Uint8Array, priority: ArrayLike<number>, width: number, height: number): { labels: Int32Array; count: number } {
  const n = width * height;
  const labels = Int32Array.from(seeds.labels);
  let count = seeds.count;
  // Components of the mask that got no seed (all distances equal, e.g. a 1-px line) seed themselves.
  const objects = labelComponents({ data: Uint8Array.from(background, (b) => 1 - b), width, height }, { connectivity: 4 });
  const seeded = new Uint8Array(objects.count + 1);
  for (let i = 0; i < n; i++) if (labels[i] !== 0) seeded[objects.labels[i]!] = 1;
  const extra = new Int32Array(objects.count + 1);
  for (let i = 0; i < n; i++) {
    const o = objects.labels[i]!;
    if (o !== 0 && seeded[o] === 0) {
      if (extra[o] === 0) extra[o] = ++count;
      labels[i] = extra[o]!;
    }
  }
  // Flood from the seeds, highest priority first, 4-connected, inside the mask.
  const heap = new MinHeap();
  const queued = new Uint8Array(n);
  const visit = (j: number) => {
    if (queued[j] === 0 && labels[j] === 0 && background[j] === 0) {
      queued[j] = 1;
      heap.push(-priority[j]!, j);
    }
  };
  const neighbours = (i: number, f: (j: number) => void) => {
    const x = i % width;
    if (x > 0) f(i - 1);
    if (x < width - 1) f(i + 1);
    if (i >= width) f(i - width);
    if (i < n - width) f(i + width);
  };
  for (let i = 0; i < n; i++) if (labels[i] !== 0) neighbours(i, visit);
  while (heap.size > 0) {
    const i = heap.pop();
    let best = 0;
    let bestPriority = -Infinity;
    neighbours(i, (j) => {
      if (labels[j] !== 0 && priority[j]! > bestPriority) {
        best = labels[j]!;
        bestPriority = priority[j]!;
      }
    });
    labels[i] = best;
    neighbours(i, visit);
  }
  return { labels, count };
}
