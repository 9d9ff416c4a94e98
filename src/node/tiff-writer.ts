/**
 * A tiled BigTIFF written a band of rows at a time: the output of a prediction too large to hold.
 * Tiles are deflate-compressed and appended as each row of tiles fills; the directory is written
 * last and the file renamed into place only then, so a file under the final name is always whole.
 * The same rows give the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { zlibSync } from 'fflate';
import { ArgumentError } from '../core/errors.js';

/** Options of {@link openTiffWriter}. */
export interface TiffWriterOptions {
  readonly width: number;
  readonly height: number;
  /** 8 or 16 bits per sample (unsigned integers). */
  readonly bits: 8 | 16;
  /** Tile width and height, a multiple of 16. Default 256. */
  readonly tile?: number;
  /** Opens the temporary file (tests simulate a full disk with it). Default `fs.promises.open`. */
  readonly openFile?: (path: string) => Promise<Pick<FileHandle, 'write' | 'sync' | 'close'>>;
}

/** A tiled TIFF being written: {@link openTiffWriter}. */
export interface TiffWriter {
  /** Appends rows `[y0, y0 + rows)`, channels-last; rows come in order, each once. */
  writeRows(y0: number, data: Uint8Array | Uint16Array): Promise<void>;
  /** Writes the directory and renames the file into place; fails unless every row was written. */
  close(): Promise<void>;
  /** Removes the temporary file; the final name is never touched. */
  abort(): Promise<void>;
}

const TYPE = { short: 3, long8: 16 } as const;

/**
 * Opens a tiled BigTIFF at `path` for writing a band of rows at a time.
 *
 * @throws {@link ArgumentError} for sizes that are not positive integers or a tile that is not a multiple of 16.
 * @example
 * ```ts
 * const tiff = await openTiffWriter('out/slide-mask.tif', { width: 20000, height: 15000, bits: 8 });
 * try {
 *   for (const band of bands) await tiff.writeRows(band.y0, band.data);
 *   await tiff.close();
 * } catch (error) {
 *   await tiff.abort();
 *   throw error;
 * }
 * ```
 */
export async function openTiffWriter(path: string, options: TiffWriterOptions): Promise<TiffWriter> {
  const { width, height, bits } = options;
  const channels = 1; // gray: masks, probabilities and labels
  const tile = options.tile ?? 256;
  for (const [name, v] of [['width', width], ['height', height]] as const) if (!Number.isInteger(v) || v < 1) throw new ArgumentError(name, 'must be a positive integer', v);
  if (bits !== 8 && bits !== 16) throw new ArgumentError('bits', 'must be 8 or 16', bits);
  if (!Number.isInteger(tile) || tile < 16 || tile % 16 !== 0) throw new ArgumentError('tile', 'must be a positive multiple of 16 (TIFF tiles)', tile);
  const bytes = bits / 8;
  const across = Math.ceil(width / tile);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await (options.openFile ?? ((p: string) => open(p, 'w')))(temp);
  let position = 16;
  const offsets: bigint[] = [];
  const counts: bigint[] = [];
  // The rows of the current row of tiles, as little-endian bytes.
  const stripe = new Uint8Array(tile * width * channels * bytes);
  let next = 0;
  let closed = false;
  const write = async (data: Uint8Array, at: number) => {
    await handle.write(data, 0, data.length, at);
  };
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  header.set([0x49, 0x49]);
  view.setUint16(2, 43, true); // BigTIFF
  view.setUint16(4, 8, true); // offset size
  await write(header, 0);

  const flushTiles = async (rows: number) => {
    for (let tx = 0; tx < across; tx++) {
      // A whole tile, padded with zeros past the image's right and bottom edges.
      const piece = new Uint8Array(tile * tile * channels * bytes);
      const x0 = tx * tile;
      const w = Math.min(tile, width - x0);
      for (let y = 0; y < rows; y++) {
        const from = (y * width + x0) * channels * bytes;
        piece.set(stripe.subarray(from, from + w * channels * bytes), y * tile * channels * bytes);
      }
      const packed = zlibSync(piece, { level: 6 });
      offsets.push(BigInt(position));
      counts.push(BigInt(packed.length));
      await write(packed, position);
      position += packed.length;
    }
    stripe.fill(0);
  };

  return {
    async writeRows(y0, data) {
      if (closed) throw new Error(`tfjs-unet: the TIFF writer of ${path} is closed`);
      if (y0 !== next) throw new ArgumentError('y0', `must continue where the last rows ended (row ${next})`, y0);
      const rowValues = width * channels;
      if (data.length % rowValues !== 0 || (bits === 16) !== data instanceof Uint16Array) {
        throw new ArgumentError('data', `must hold whole rows of ${width} x ${channels} ${bits === 16 ? 'Uint16Array' : 'Uint8Array'} values`, `${data.constructor.name} of ${data.length} values`);
      }
      const rows = data.length / rowValues;
      if (y0 + rows > height) throw new ArgumentError('data', `must end at the image's last row (${height})`, `rows ${y0}..${y0 + rows - 1}`);
      for (let r = 0; r < rows; r++) {
        const y = y0 + r;
        const inStripe = y % tile;
        const target = inStripe * rowValues * bytes;
        const row = data.subarray(r * rowValues, (r + 1) * rowValues);
        if (bits === 8) stripe.set(row as Uint8Array, target);
        else for (let i = 0; i < rowValues; i++) (stripe[target + 2 * i] = row[i]! & 0xff), (stripe[target + 2 * i + 1] = row[i]! >> 8);
        if (inStripe === tile - 1 || y === height - 1) await flushTiles(inStripe + 1);
      }
      next = y0 + rows;
    },
    async close() {
      if (closed) return;
      if (next !== height) throw new Error(`tfjs-unet: ${path} is missing rows ${next}..${height - 1}; not written`);
      closed = true;
      try {
        const count = offsets.length;
        const arrays = new Uint8Array(16 * count);
        const arraysView = new DataView(arrays.buffer);
        offsets.forEach((o, i) => arraysView.setBigUint64(8 * i, o, true));
        counts.forEach((c, i) => arraysView.setBigUint64(8 * (count + i), c, true));
        // The directory and its arrays start on an 8-byte boundary (TIFF wants words at least).
        const arraysAt = position + ((8 - (position % 8)) % 8);
        // Tags in ascending order: [tag, type, count, value inline or offset of the values].
        const entries: [number, number, number, bigint][] = [
          [256, TYPE.long8, 1, BigInt(width)],
          [257, TYPE.long8, 1, BigInt(height)],
          [258, TYPE.short, 1, BigInt(bits)],
          [259, TYPE.short, 1, 8n], // deflate
          [262, TYPE.short, 1, 1n], // black is zero
          [277, TYPE.short, 1, 1n], // one sample per pixel
          [284, TYPE.short, 1, 1n], // chunky
          [322, TYPE.short, 1, BigInt(tile)],
          [323, TYPE.short, 1, BigInt(tile)],
          [324, TYPE.long8, count, count === 1 ? offsets[0]! : BigInt(arraysAt)],
          [325, TYPE.long8, count, count === 1 ? counts[0]! : BigInt(arraysAt + 8 * count)],
          [339, TYPE.short, 1, 1n], // unsigned integers
        ];
        const ifd = new Uint8Array(8 + 20 * entries.length + 8);
        const ifdView = new DataView(ifd.buffer);
        ifdView.setBigUint64(0, BigInt(entries.length), true);
        entries.forEach(([tag, type, n, value], i) => {
          const at = 8 + 20 * i;
          ifdView.setUint16(at, tag, true);
          ifdView.setUint16(at + 2, type, true);
          ifdView.setBigUint64(at + 4, BigInt(n), true);
          // An inline value is left-justified in the 8-byte field.
          if (type === TYPE.short) ifdView.setUint16(at + 12, Number(value), true);
          else ifdView.setBigUint64(at + 12, value, true);
        });
        if (count > 1) await write(arrays, arraysAt);
        const ifdStart = arraysAt + (count > 1 ? arrays.length : 0);
        await write(ifd, ifdStart);
        const pointer = new Uint8Array(8);
        new DataView(pointer.buffer).setBigUint64(0, BigInt(ifdStart), true);
        await write(pointer, 8);
        await handle.sync();
        await handle.close();
        await rename(temp, path);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true });
        throw error;
      }
    },
    async abort() {
      closed = true;
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}
