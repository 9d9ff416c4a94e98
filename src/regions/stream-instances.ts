/**
 * Instance labels of an image too large to hold, from its foreground probability given a band of
 * rows at a time. Each band of `bandRows` rows is labelled with `halo` rows of context above and
 * below (by `labelInstances`, with the same options), and keeps the objects whose top row lies in
 * the band: an object cut by a band border is labelled whole by the band holding its top, so it
 * keeps one label (and pixels a later band sees in it but the earlier one gave to a neighbour join
 * it by the label most of its pixels there already have). Labels are numbered in raster order of each object's first pixel, as
 * `labelInstances` numbers them, so where every object (and group of touching objects) fits within
 * `halo` rows below its band the result equals `labelInstances` on the whole image; with touching
 * objects split (`split`), a pixel on the line between two may go to either.
 */
import { ArgumentError } from '../core/errors.js';
import { labelInstances, type InstanceOptions } from './instances.js';

/** Options of {@link instanceRows}. */
export interface InstanceRowsOptions extends InstanceOptions {
  /** Rows labelled at a time. Default 256. */
  readonly bandRows?: number;
  /** Rows of context above and below a band: objects up to this many rows below their band are labelled whole as on the whole image; taller ones are carried on through the overlap. Default 128. */
  readonly halo?: number;
}

/** The labeller {@link instanceRows} returns: feed it the foreground rows in order. */
export interface InstanceRows {
  /** Foreground probabilities of rows `[y0, y0 + rows)`, in order, each row once. */
  push(y0: number, foreground: Float32Array): Promise<void>;
  /** Objects labelled so far (all of them once the last row was pushed). */
  readonly count: number;
}

/**
 * Labels objects in an image given a band of rows at a time; finished label rows go to `emit` in
 * order, top to bottom, each once.
 *
 * @throws {@link ArgumentError} for sizes that are not positive integers, rows out of order.
 * @example
 * ```ts
 * const labeller = instanceRows(width, height, { threshold: 0.5, minSize: 20 }, (y0, y1, labels) => writeRows(y0, labels));
 * for (const { y0, foreground } of bands) await labeller.push(y0, foreground);
 * labeller.count; // objects in the whole image
 * ```
 */
export function instanceRows(width: number, height: number, options: InstanceRowsOptions, emit: (y0: number, y1: number, labels: Int32Array) => void | Promise<void>): InstanceRows {
  for (const [name, v] of [['width', width], ['height', height]] as const) if (!Number.isInteger(v) || v < 1) throw new ArgumentError(name, 'must be a positive integer', v);
  const bandRows = options.bandRows ?? 256;
  const halo = options.halo ?? 128;
  if (!Number.isInteger(bandRows) || bandRows < 1) throw new ArgumentError('bandRows', 'must be a positive integer', bandRows);
  if (!Number.isInteger(halo) || halo < 0) throw new ArgumentError('halo', 'must be a non-negative integer', halo);
  const { bandRows: _b, halo: _h, ...instanceOptions } = options;
  // Foreground rows [fgStart, fgStart + fgRows) and label rows [labelStart, labelStart + labelRows) held.
  let foreground = new Float32Array(0);
  let fgStart = 0;
  let received = 0;
  let labels = new Int32Array(0);
  let labelStart = 0;
  let band = 0;
  let count = 0;

  const labelBand = async () => {
    const a = band * bandRows;
    const b = Math.min(height, a + bandRows);
    const wa = Math.max(0, a - halo);
    const wb = Math.min(height, b + halo);
    const window = foreground.subarray((wa - fgStart) * width, (wb - fgStart) * width);
    const found = labelInstances(window, width, wb - wa, instanceOptions);
    // Objects numbered in raster order of their first pixel: owned when that pixel's row is in the band.
    const global = new Int32Array(found.count + 1);
    const seen = new Uint8Array(found.count + 1);
    for (let i = 0; i < found.labels.length; i++) {
      const id = found.labels[i]!;
      if (id === 0 || seen[id] === 1) continue;
      seen[id] = 1;
      const row = wa + Math.floor(i / width);
      if (row >= a && row < b) global[id] = ++count;
    }
    // Label rows [a, wb): what earlier bands' objects left there stays.
    const needed = (wb - labelStart) * width;
    if (labels.length < needed) {
      const grown = new Int32Array(needed);
      grown.set(labels);
      labels = grown;
    }
    // An object owned by an earlier band takes the label that band gave most of its pixels here, so
    // a pixel the two windows split differently between touching objects is not left out.
    const votes = new Map<number, Map<number, number>>();
    for (let i = (a - wa) * width; i < found.labels.length; i++) {
      const id = found.labels[i]!;
      const there = labels[(wa - labelStart) * width + i]!;
      if (id === 0 || global[id] !== 0 || there === 0) continue;
      const tally = votes.get(id) ?? new Map<number, number>();
      tally.set(there, (tally.get(there) ?? 0) + 1);
      votes.set(id, tally);
    }
    for (const [id, tally] of votes) global[id] = [...tally].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    for (let i = (a - wa) * width; i < found.labels.length; i++) {
      const id = global[found.labels[i]!]!;
      const at = (wa - labelStart) * width + i;
      if (id !== 0 && labels[at] === 0) labels[at] = id;
    }
    // Rows above the next band are final: its objects start at or below it.
    await emit(a, b, labels.slice(0, (b - labelStart) * width));
    labels = labels.slice((b - labelStart) * width);
    labelStart = b;
    band++;
    // Keep the foreground the next band's window needs.
    const keepFrom = Math.max(fgStart, b - halo);
    foreground = foreground.slice((keepFrom - fgStart) * width);
    fgStart = keepFrom;
  };

  return {
    async push(y0, rows) {
      if (y0 !== received) throw new ArgumentError('y0', `must continue where the last rows ended (row ${received})`, y0);
      if (rows.length % width !== 0 || y0 + rows.length / width > height) throw new ArgumentError('foreground', `must hold whole rows of ${width} values, ending by row ${height}`, `${rows.length} values from row ${y0}`);
      const grown = new Float32Array(foreground.length + rows.length);
      grown.set(foreground);
      grown.set(rows, foreground.length);
      foreground = grown;
      received = y0 + rows.length / width;
      // Label every band whose window is complete.
      while (band * bandRows < height && received >= Math.min(height, (band + 1) * bandRows + halo)) await labelBand();
    },
    get count() {
      return count;
    },
  };
}
