/**
 * Images larger than memory: a TIFF (tiled or striped, BigTIFF too) read a band of rows at a time
 * through libvips' region access, predicted by `predictRows`, and written as tiled BigTIFFs
 * (`NAME-mask.tif`, `NAME-probability.tif`, `NAME-instances.tif`) as the rows finish. Memory is
 * bounded by the tile plan and the image's width, never by its height.
 */
import { basename, extname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Metadata, Sharp } from 'sharp';
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { specGeometry } from '../infer/geometry.js';
import { predictRows, type ImageRows } from '../infer/stream.js';
import { decisionThreshold, type TilePredictor } from '../infer/predictor.js';
import { decideClasses } from '../metrics/report.js';
import { instanceRows } from '../regions/stream-instances.js';
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

/**
 * Predicts a large image file (a TIFF, any image sharp reads, or an OME-Zarr folder `NAME.zarr` /
 * `NAME.ome.zarr`) a band of rows at a time and writes `NAME-mask.tif` (classes spread
 * over 0..255), `NAME-probability.tif` (8-bit) and, with `instances`, `NAME-instances.tif` (16-bit
 * object labels; objects cut by a band border are labelled whole by the band holding their top,
 * see `instanceRows`) as tiled BigTIFFs into `out`. Each file appears under its name only when
 * whole. Masks and probabilities equal those of `predictImageFile` for an image both can hold.
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
  const channels = predictor.spec !== undefined ? specGeometry(predictor.spec).channels : predictor.geometry?.channels;
  const source = isZarrPath(file) ? await zarrRows(file, { argument: 'image' }) : await imageRows(file, { argument: 'image', ...(channels === undefined ? {} : { channels }) });
  const { width, height } = source;
  const threshold = decisionThreshold(predictor, options.threshold);
  const base = join(out, isZarrPath(file) ? basename(file).replace(/(\.ome)?\.zarr\/?$/i, '') : basename(file, extname(file)));
  const files = [`${base}-mask.tif`, `${base}-probability.tif`, ...(options.instances === true ? [`${base}-instances.tif`] : [])];
  await mkdir(out, { recursive: true });
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
    await predictRows(
      predictor,
      source,
      async ({ y0, probabilities, classes }) => {
        const { foreground, predicted } = decideClasses(probabilities, classes, threshold);
        const step = 255 / Math.max(1, classes - 1);
        await mask.writeRows(y0, Uint8Array.from(predicted, (v) => Math.round(v * step)));
        const shown = classes === 2 ? foreground : Float32Array.from({ length: foreground.length }, (_, i) => Math.max(...probabilities.subarray(i * classes, (i + 1) * classes)));
        await probability.writeRows(y0, bytes(shown));
        await labeller?.push(y0, foreground);
      },
      {
        ...(options.tta === undefined ? {} : { tta: options.tta }),
        batchSize: options.batch ?? 1,
        ...(options.tile === undefined ? {} : { inputSize: options.tile }),
      },
    );
    for (const writer of writers) await writer.close();
    return { image: file, width, height, files, ...(labeller === undefined ? {} : { objects: labeller.count }), seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await Promise.all(writers.map((w) => w.abort()));
    throw error;
  }
}
