/**
 * Images larger than memory: a TIFF (tiled or striped, BigTIFF too) read a band of rows at a time
 * through libvips' region access, predicted by `predictRows`, and written as tiled BigTIFFs
 * (`NAME-mask.tif`, `NAME-probability.tif`, `NAME-instances.tif`) as the rows finish. Memory is
 * bounded by the tile plan and the image's width, never by its height.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Metadata, Sharp } from 'sharp';
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { specGeometry } from '../infer/geometry.js';
import { predictRows, type ImageRows } from '../infer/stream.js';
import { decisionThreshold, type TilePredictor } from '../infer/predictor.js';
import { decideClasses } from '../metrics/report.js';
import { instanceRows } from '../regions/stream-instances.js';
import { writeFileAtomic } from './atomic.js';
import { loadSharp } from './images.js';
import type { PredictedFile, PredictFileOptions } from './predict-files.js';
import { openTiffWriter, type TiffWriter } from './tiff-writer.js';
import { isZarrPath, zarrRows } from './zarr-images.js';

/** TIFF images with more pixels than this are predicted in bands by `predict` (2^25: about 5800 x 5800). */
export const STREAM_PIXELS = 2 ** 25;

/** Whether `predict` streams this file: a TIFF of more than {@link STREAM_PIXELS} pixels. */
export async function isLargeTiff(path: string): Promise<boolean> {
  if (!/\.tiff?$/i.test(path)) return false;
  const sharp = await loadSharp();
  try {
    const { width = 0, height = 0 } = await sharp(path, { limitInputPixels: false }).metadata();
    return width * height > STREAM_PIXELS;
  } catch {
    return false; // the in-memory path names the file
  }
}

/**
 * An image file read a band of rows at a time (libvips reads only the tiles or strips a band
 * needs). 8- and 16-bit gray or RGB (alpha dropped), or 32-bit single-channel. With `channels: 1`,
 * an RGB file whose pixels are gray is read as one channel, as `readImage` does; one with colour
 * is refused when its first coloured band is read.
 *
 * @throws {@link ArgumentError} naming `argument` when the file does not decode.
 * @example
 * ```ts
 * const slide = await imageRows('slide.tif');
 * const top = await slide.read(0, 256); // the first 256 rows, all columns
 * ```
 */
export async function imageRows(path: string, options: { readonly argument?: string; readonly channels?: number; readonly page?: number } = {}): Promise<ImageRows> {
  const argument = options.argument ?? 'path';
  const sharp = await loadSharp();
  const open = (): Sharp => sharp(path, { limitInputPixels: false, page: options.page ?? 0 });
  const refuse = (error: unknown, what: string) =>
    new ArgumentError(argument, `must be an image whose ${what} decode (${((error as Error).message ?? String(error)).trim()})`, path);
  let metadata: Metadata;
  try {
    metadata = await open().metadata();
  } catch (error) {
    throw refuse(error, 'header and pixels');
  }
  const { width = 0, height = 0 } = metadata;
  const wide = metadata.depth === 'int' || metadata.depth === 'uint' || metadata.depth === 'float' || metadata.depth === 'double';
  const sixteen = metadata.depth === 'ushort' || metadata.depth === 'short';
  const stored = wide ? 1 : (metadata.channels ?? 1) <= 2 ? 1 : 3;
  const channels = stored === 3 && options.channels === 1 ? 1 : stored;
  const space = stored === 1 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  return {
    width,
    height,
    channels,
    async read(y0, y1): Promise<ImageArray<TypedArray>> {
      let data: Buffer;
      try {
        const region = open().extract({ left: 0, top: y0, width, height: y1 - y0 });
        data = wide
          ? await region.extractChannel(0).raw({ depth: metadata.depth === 'int' || metadata.depth === 'uint' ? 'int' : 'float' }).toBuffer()
          : await region.removeAlpha().toColourspace(space).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer();
      } catch (error) {
        throw refuse(error, `rows ${y0}..${y1 - 1}`);
      }
      const values: TypedArray = wide
        ? metadata.depth === 'float' || metadata.depth === 'double'
          ? new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4).slice()
          : new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4).slice()
        : sixteen
          ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice()
          : new Uint8Array(data);
      if (channels === stored) return { data: values, width, height: y1 - y0, channels };
      // Gray stored as RGB: one channel, if it is gray.
      const one = values instanceof Uint16Array ? new Uint16Array(values.length / 3) : new Uint8Array(values.length / 3);
      for (let i = 0; i < one.length; i++) {
        if (values[3 * i] !== values[3 * i + 1] || values[3 * i] !== values[3 * i + 2]) {
          throw new ArgumentError(argument, `must be gray for a model that takes 1 channel, and row ${y0 + Math.floor(i / width)} has colour`, path);
        }
        one[i] = values[3 * i]!;
      }
      return { data: one, width, height: y1 - y0, channels: 1 };
    },
  };
}

/** 8-bit values of probabilities in [0, 1], as `writeImage` stores floats. */
function bytes(values: Float32Array): Uint8Array {
  return Uint8Array.from(values, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
}

/** What a band of probabilities gives: the mask and probability rows as written, and the foreground for instances. */
function bandOutputs(probabilities: Float32Array, classes: number, threshold: number) {
  const { foreground, predicted } = decideClasses(probabilities, classes, threshold);
  const step = 255 / Math.max(1, classes - 1);
  const shown = classes === 2 ? foreground : Float32Array.from({ length: foreground.length }, (_, i) => Math.max(...probabilities.subarray(i * classes, (i + 1) * classes)));
  return { mask: Uint8Array.from(predicted, (v) => Math.round(v * step)), probability: bytes(shown), foreground };
}

/** The image a large file holds, read in bands, with the name its outputs take. */
async function openLarge(predictor: TilePredictor, file: string, out: string) {
  const channels = predictor.spec !== undefined ? specGeometry(predictor.spec).channels : predictor.geometry?.channels;
  const source = isZarrPath(file) ? await zarrRows(file, { argument: 'image' }) : await imageRows(file, { argument: 'image', ...(channels === undefined ? {} : { channels }) });
  const stem = isZarrPath(file) ? basename(file).replace(/(\.ome)?\.zarr\/?$/i, '') : basename(file, extname(file));
  return { source, stem, base: join(out, stem) };
}

function rowsOptions(options: PredictFileOptions) {
  return {
    ...(options.tta === undefined ? {} : { tta: options.tta }),
    batchSize: options.batch ?? 1,
    ...(options.tile === undefined ? {} : { inputSize: options.tile }),
  };
}

/** Writes the final tiled BigTIFFs of a large image from bands of outputs given in order. */
async function writeOutputs(predictor: TilePredictor, file: string, base: string, width: number, height: number, options: PredictFileOptions, fill: (write: (y0: number, band: { mask: Uint8Array; probability: Uint8Array; foreground: Float32Array }) => Promise<void>) => Promise<void>) {
  const threshold = decisionThreshold(predictor, options.threshold);
  const files = [`${base}-mask.tif`, `${base}-probability.tif`, ...(options.instances === true ? [`${base}-instances.tif`] : [])];
  await mkdir(dirname(base), { recursive: true });
  const writers: TiffWriter[] = [];
  try {
    for (const [i, path] of files.entries()) writers.push(await openTiffWriter(path, { width, height, bits: i === 2 ? 16 : 8 }));
    const [mask, probability, labels] = writers as [TiffWriter, TiffWriter, TiffWriter | undefined];
    const settings = { ...predictor.info?.instances, ...(options.minSize === undefined ? {} : { minSize: options.minSize }), threshold };
    const labeller =
      labels === undefined
        ? undefined
        : instanceRows(width, height, settings, async (y0, _y1, rows) => {
            let most = 0;
            for (const v of rows) most = Math.max(most, v);
            if (most > 65535) throw new ArgumentError('instances', 'must fit a 16-bit label image (at most 65535 objects)', `more than 65535 objects in ${file}`);
            await labels.writeRows(y0, Uint16Array.from(rows));
          });
    await fill(async (y0, band) => {
      await mask.writeRows(y0, band.mask);
      await probability.writeRows(y0, band.probability);
      await labeller?.push(y0, band.foreground);
    });
    for (const writer of writers) await writer.close();
    return { files, ...(labeller === undefined ? {} : { objects: labeller.count }) };
  } catch (error) {
    await Promise.all(writers.map((w) => w.abort()));
    throw error;
  }
}

/**
 * Predicts a large image file (a TIFF, any image sharp reads, or an OME-Zarr folder `NAME.zarr` /
 * `NAME.ome.zarr`) a band of rows at a time and writes `NAME-mask.tif` (classes spread
 * over 0..255), `NAME-probability.tif` (8-bit) and, with `instances`, `NAME-instances.tif` (16-bit
 * object labels; objects cut by a band border keep one label, see `instanceRows`) as tiled
 * BigTIFFs into `out`. Each file appears under its name only when whole. Masks and probabilities
 * equal those of `predictImageFile` for an image both can hold.
 *
 * @throws {@link ArgumentError} naming `image` when the file does not decode, `instances` past 65535 objects.
 * @example
 * ```ts
 * const done = await predictLargeImageFile(predictor, 'slides/s1.tif', 'predictions', { instances: true });
 * done.files; // ['predictions/s1-mask.tif', 'predictions/s1-probability.tif', 'predictions/s1-instances.tif']
 * ```
 */
export async function predictLargeImageFile(predictor: TilePredictor, file: string, out: string, options: PredictFileOptions = {}): Promise<PredictedFile> {
  const started = performance.now();
  const { source, base } = await openLarge(predictor, file, out);
  const { width, height } = source;
  const threshold = decisionThreshold(predictor, options.threshold);
  const written = await writeOutputs(predictor, file, base, width, height, options, (write) =>
    predictRows(predictor, source, ({ y0, probabilities, classes }) => write(y0, bandOutputs(probabilities, classes, threshold)), rowsOptions(options)),
  );
  return { image: file, width, height, ...written, seconds: (performance.now() - started) / 1000 };
}

/** The size of a large image file (a TIFF, an image sharp reads, or an OME-Zarr folder), without reading its pixels. */
export async function largeImageSize(file: string): Promise<{ width: number; height: number }> {
  const source = isZarrPath(file) ? await zarrRows(file, { argument: 'image' }) : await imageRows(file, { argument: 'image' });
  return { width: source.width, height: source.height };
}

/** The hidden folder where the blocks of a large image wait to be assembled. */
export function partsFolder(file: string, out: string): string {
  const stem = isZarrPath(file) ? basename(file).replace(/(\.ome)?\.zarr\/?$/i, '') : basename(file, extname(file));
  return join(out, `.${stem}.parts`);
}

const partName = (parts: string, from: number, to: number, kind: string) => join(parts, `${String(from).padStart(9, '0')}-${String(to).padStart(9, '0')}.${kind}`);

/**
 * Predicts rows `[from, to)` of a large image with the values the whole image's prediction gives
 * them, and writes them as block files into a hidden folder of `out` (`.NAME.parts`; each file
 * whole or not at all, the same bytes when run again) for {@link assembleLargeImage}: what a
 * queue worker does with one block.
 *
 * @example
 * ```ts
 * await predictLargeImageBlock(predictor, 'slide.tif', 'out', { from: 0, to: 2048 });
 * await predictLargeImageBlock(predictor, 'slide.tif', 'out', { from: 2048, to: 4000 });
 * await assembleLargeImage(predictor, 'slide.tif', 'out', [[0, 2048], [2048, 4000]]);
 * ```
 */
export async function predictLargeImageBlock(predictor: TilePredictor, file: string, out: string, rows: { readonly from: number; readonly to: number }, options: PredictFileOptions = {}): Promise<void> {
  const parts = partsFolder(file, out);
  const { source } = await openLarge(predictor, file, out);
  const threshold = decisionThreshold(predictor, options.threshold);
  const count = (rows.to - rows.from) * source.width;
  const mask = new Uint8Array(count);
  const probability = new Uint8Array(count);
  const foreground = options.instances === true ? new Float32Array(count) : undefined;
  await predictRows(
    predictor,
    source,
    ({ y0, probabilities, classes }) => {
      const band = bandOutputs(probabilities, classes, threshold);
      const at = (y0 - rows.from) * source.width;
      mask.set(band.mask, at);
      probability.set(band.probability, at);
      foreground?.set(band.foreground, at);
    },
    { ...rowsOptions(options), rows },
  );
  await mkdir(parts, { recursive: true });
  await writeFileAtomic(partName(parts, rows.from, rows.to, 'mask'), mask);
  await writeFileAtomic(partName(parts, rows.from, rows.to, 'probability'), probability);
  if (foreground !== undefined) await writeFileAtomic(partName(parts, rows.from, rows.to, 'foreground'), new Uint8Array(foreground.buffer));
}

/**
 * Writes a large image's outputs from the blocks {@link predictLargeImageBlock} wrote (in order,
 * together covering every row), labelling instances across them as `predictLargeImageFile` does,
 * then removes the blocks. The outputs equal `predictLargeImageFile`'s.
 *
 * @throws Error naming the block file that is missing.
 * @example
 * ```ts
 * await assembleLargeImage(predictor, 'slide.tif', 'out', [[0, 2048], [2048, 4096]]);
 * ```
 */
export async function assembleLargeImage(predictor: TilePredictor, file: string, out: string, blocks: readonly (readonly [number, number])[], options: PredictFileOptions = {}): Promise<PredictedFile> {
  const started = performance.now();
  const { width, height } = await largeImageSize(file);
  const parts = partsFolder(file, out);
  const base = join(out, basename(parts).replace(/^\.|\.parts$/g, ''));
  const read = async (from: number, to: number, kind: string) =>
    readFile(partName(parts, from, to, kind)).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`tfjs-unet: the block of rows ${from}..${to - 1} of ${file} is missing (${error.code ?? error.message}): ${partName(parts, from, to, kind)}`);
    });
  const written = await writeOutputs(predictor, file, base, width, height, options, async (write) => {
    let next = 0;
    for (const [from, to] of blocks) {
      if (from !== next) throw new ArgumentError('blocks', `must cover the rows in order (next row ${next})`, `${from}..${to - 1}`);
      const mask = new Uint8Array(await read(from, to, 'mask'));
      const probability = new Uint8Array(await read(from, to, 'probability'));
      const bytesOfForeground = options.instances === true ? await read(from, to, 'foreground') : undefined;
      const foreground = bytesOfForeground === undefined ? new Float32Array(0) : new Float32Array(new Uint8Array(bytesOfForeground).buffer);
      await write(from, { mask, probability, foreground });
      next = to;
    }
    if (next !== height) throw new ArgumentError('blocks', `must cover the rows to the image's last (${height - 1})`, `up to ${next - 1}`);
  });
  await rm(parts, { recursive: true, force: true });
  return { image: file, width, height, ...written, seconds: (performance.now() - started) / 1000 };
}
