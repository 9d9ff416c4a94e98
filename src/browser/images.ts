/**
 * Image and mask files in a web page: PNG (every bit depth and colour type,
 * decoded exactly by fast-png), JPEG (the browser's own decoder), TIFF
 * (8/16/32-bit, multi-page, decoded by geotiff, loaded on first use), read
 * into the same {@link FileImage} values as the Node reader (sharp) gives.
 */
import { decode as decodePngBytes, encode as encodePngBytes } from 'fast-png';
import { ArgumentError } from '../core/errors.js';
import type { FileImage, ImageArray } from '../core/image.js';

/** What {@link decodeImage} reads: a `File` or `Blob` (from an `<input type="file">` or a drop), or the file's bytes. */
export type ImageSource = Blob | ArrayBuffer | Uint8Array;

/** The image formats the page reads. */
export type ImageFormat = 'png' | 'jpeg' | 'tiff';

/** Options of {@link decodeImage}. */
export interface DecodeOptions {
  /** The file's name for messages (a `File`'s own name by default). */
  readonly name?: string;
  /** The page of a multi-page TIFF. Default 0. */
  readonly page?: number;
  /** The argument an error names (e.g. `'masks'`). Default `'image'`. */
  readonly argument?: string;
}

/**
 * The format of an image file from its first bytes (PNG, JPEG, TIFF or
 * BigTIFF), or undefined for anything else.
 *
 * @example
 * ```ts
 * imageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47])); // 'png'
 * ```
 */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0x89 && b === 0x50 && c === 0x4e && d === 0x47) return 'png';
  if (a === 0xff && b === 0xd8 && c === 0xff) return 'jpeg';
  if ((a === 0x49 && b === 0x49 && (c === 42 || c === 43) && d === 0) || (a === 0x4d && b === 0x4d && c === 0 && (d === 42 || d === 43))) return 'tiff';
  return undefined;
}

/** The bytes of a source. */
export async function sourceBytes(source: ImageSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(await source.arrayBuffer());
}

/** The name a message gives a source. */
export const sourceName = (source: ImageSource, name?: string): string => name ?? ((source as { name?: unknown }).name as string | undefined) ?? 'the image';

/**
 * Decodes one image file in the page, as the Node reader does: alpha is
 * dropped, gray RGB files (all channels equal) come back with 1 channel,
 * 16-bit data stays 16-bit (a Uint16Array), single-channel 32-bit TIFFs
 * come back as Int32Array (integers) or Float32Array (floats). PNG is decoded
 * by fast-png rather than a canvas, whose values are 8-bit, colour-managed
 * and premultiplied (a 16-bit label mask would lose its ids).
 *
 * @throws {@link ArgumentError} naming the file when it is not a PNG, JPEG or TIFF image or does not decode.
 * @example
 * ```ts
 * const [file] = input.files!;
 * const image = await decodeImage(file); // { data: Uint16Array, width, height, channels: 1 }
 * ```
 */
export async function decodeImage(source: ImageSource, options: DecodeOptions = {}): Promise<FileImage> {
  const name = sourceName(source, options.name);
  const argument = options.argument ?? 'image';
  const bytes = await sourceBytes(source);
  const format = imageFormat(bytes);
  if (format === undefined) throw new ArgumentError(argument, 'must be a PNG, JPEG or TIFF image, and this file is none of them: re-save it in one of those formats', name);
  try {
    const decoded = format === 'png' ? decodePng(bytes) : format === 'jpeg' ? await decodeJpeg(bytes) : await decodeTiff(bytes, options.page ?? 0, argument, name);
    return grayIfEqual(decoded);
  } catch (error) {
    if (error instanceof ArgumentError) throw error;
    throw new ArgumentError(argument, `must be a readable ${format.toUpperCase()} image, and this file does not decode (${(error as Error).message ?? String(error)}): re-save it`, name);
  }
}

/**
 * The number of pages of an image file: the images of a TIFF stack, 1 for
 * PNG and JPEG.
 *
 * @throws {@link ArgumentError} naming the file when it is not an image.
 * @example
 * ```ts
 * const slices = await imagePages(file); // 30 for the ISBI training volume
 * ```
 */
export async function imagePages(source: ImageSource, options: { readonly name?: string; readonly argument?: string } = {}): Promise<number> {
  const bytes = await sourceBytes(source);
  const format = imageFormat(bytes);
  if (format === undefined) throw new ArgumentError(options.argument ?? 'image', 'must be a PNG, JPEG or TIFF image, and this file is none of them', sourceName(source, options.name));
  if (format !== 'tiff') return 1;
  const tiff = await (await geotiff()).fromArrayBuffer(arrayBufferOf(bytes));
  return tiff.getImageCount();
}

/** Drops an alpha channel: 2 -> 1, 4 -> 3 channels. */
function dropAlpha<T extends Uint8Array | Uint16Array>(data: T, pixels: number, channels: number, make: (n: number) => T): { data: T; channels: number } {
  if (channels !== 2 && channels !== 4) return { data, channels };
  const kept = channels - 1;
  const out = make(pixels * kept);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < kept; c++) out[p * kept + c] = data[p * channels + c]!;
  return { data: out, channels: kept };
}

/** An RGB image whose three channels are equal everywhere, as one channel (the Node reader does the same). */
function grayIfEqual(image: FileImage): FileImage {
  if ((image.channels ?? 1) !== 3) return image;
  const { data } = image;
  for (let i = 0; i < data.length; i += 3) if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return image;
  const one = data instanceof Uint16Array ? new Uint16Array(data.length / 3) : new Uint8Array(data.length / 3);
  for (let i = 0; i < one.length; i++) one[i] = data[3 * i]!;
  return { data: one, width: image.width, height: image.height, channels: 1 };
}

/** PNG of any bit depth and colour type: palettes expanded to their colours, 1/2/4-bit values unpacked. */
function decodePng(bytes: Uint8Array): FileImage {
  const png = decodePngBytes(bytes);
  const { width, height } = png;
  const pixels = width * height;
  if (png.palette !== undefined) {
    const indices = unpack(png.data as Uint8Array, width, height, png.depth);
    const rgb = new Uint8Array(3 * pixels);
    for (let p = 0; p < pixels; p++) {
      const colour = png.palette[indices[p]!] ?? [0, 0, 0];
      rgb[3 * p] = colour[0]!;
      rgb[3 * p + 1] = colour[1]!;
      rgb[3 * p + 2] = colour[2]!;
    }
    return { data: rgb, width, height, channels: 3 };
  }
  if (png.depth === 16) {
    const { data, channels } = dropAlpha(png.data as Uint16Array, pixels, png.channels, (n) => new Uint16Array(n));
    return { data, width, height, channels };
  }
  // Below 8 bits only gray images exist: values are scaled to 0..255 as decoders do (1-bit 1 -> 255).
  const values = png.depth < 8 ? unpack(png.data as Uint8Array, width, height, png.depth).map((v) => Math.round((v * 255) / (2 ** png.depth - 1))) : Uint8Array.from(png.data as Uint8Array);
  const { data, channels } = dropAlpha(values, pixels, png.channels, (n) => new Uint8Array(n));
  return { data, width, height, channels };
}

/** One value per pixel from rows packed at 1, 2 or 4 bits (each row starts on a byte); 8-bit data as is. */
function unpack(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  if (depth >= 8 || data.length >= width * height) return data;
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = 2 ** depth - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (data[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** JPEG through the browser's decoder, without colour conversion. */
async function decodeJpeg(bytes: Uint8Array): Promise<FileImage> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') throw new Error('this environment has no image decoder (createImageBitmap and OffscreenCanvas)');
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const { width, height } = bitmap;
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('no 2d canvas context');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const { data } = dropAlpha(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length), width * height, 4, (n) => new Uint8Array(n));
  return { data, width, height, channels: 3 };
}

type GeoTiff = typeof import('geotiff');
let geotiffModule: Promise<GeoTiff> | undefined;
/** geotiff, imported on first use so that pages reading no TIFF do not load it. */
const geotiff = (): Promise<GeoTiff> => (geotiffModule ??= import('geotiff'));

const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer =>
  (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;

/** One page of a TIFF: 8/16-bit gray or RGB, palette images as RGB, single-channel 32-bit integers or floats. */
async function decodeTiff(bytes: Uint8Array, page: number, argument: string, name: string): Promise<FileImage> {
  const tiff = await (await geotiff()).fromArrayBuffer(arrayBufferOf(bytes));
  const pages = await tiff.getImageCount();
  if (!Number.isInteger(page) || page < 0 || page >= pages) throw new ArgumentError('page', `must be a page of ${name} (0..${pages - 1})`, page);
  const image = await tiff.getImage(page);
  const width = image.getWidth();
  const height = image.getHeight();
  const pixels = width * height;
  const photometric = image.fileDirectory.getValue('PhotometricInterpretation') as number | undefined;
  if (photometric === 3) {
    const rgb = (await image.readRGB({ interleave: true })) as unknown as Uint8Array | Uint16Array;
    return { data: rgb instanceof Uint16Array ? rgb : Uint8Array.from(rgb), width, height, channels: 3 };
  }
  const samples = image.getSamplesPerPixel();
  const bits = image.getBitsPerSample();
  const format = image.getSampleFormat();
  const raster = (await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
  if (bits === 32 || bits === 64 || format === 3) {
    if (samples !== 1) throw new ArgumentError(argument, 'must be a single-channel image when its samples are 32-bit or float', `${name}: ${samples} channels of ${bits} bits`);
    return { data: format === 3 ? Float32Array.from(raster) : Int32Array.from(raster), width, height, channels: 1 };
  }
  const sixteen = bits > 8;
  let values: Uint8Array | Uint16Array = sixteen ? Uint16Array.from(raster) : Uint8Array.from(raster);
  if (bits < 8 && values.length === pixels * samples) values = values.map((v) => Math.round((v * 255) / (2 ** bits - 1)));
  // Min-is-white images are inverted, as libvips reads them.
  if (photometric === 0) {
    const top = sixteen ? 65535 : 255;
    values = values.map((v) => top - v);
  }
  const kept = dropAlpha(values, pixels, samples, (n) => (sixteen ? new Uint16Array(n) : new Uint8Array(n)) as typeof values);
  return { data: kept.data, width, height, channels: kept.channels };
}

/**
 * A PNG file of an image: 8-bit for Uint8 data, 16-bit for 16-bit data
 * (instance labels keep their ids up to 65535), 1 or 3 channels (4 with
 * alpha). What the page downloads.
 *
 * @throws {@link ArgumentError} for values a PNG cannot hold (negative, above 65535, fractions).
 * @example
 * ```ts
 * const bytes = encodePng({ data: instances, width, height }); // 16-bit when any id exceeds 255
 * ```
 */
export function encodePng(image: ImageArray): Uint8Array {
  const { data, width, height } = image;
  const channels = image.channels ?? 1;
  if (![1, 3, 4].includes(channels)) throw new ArgumentError('image.channels', 'must be 1, 3 or 4 for a PNG', channels);
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new ArgumentError('image.data', 'must hold integers 0..65535 for a PNG', v);
    if (v > max) max = v;
  }
  const sixteen = data instanceof Uint16Array || max > 255;
  const values = sixteen ? Uint16Array.from(data) : Uint8Array.from(data);
  return encodePngBytes({ width, height, data: values, depth: sixteen ? 16 : 8, channels });
}

/**
 * The image as canvas pixels (`ImageData`, RGBA) for showing it: gray or RGB,
 * 8-bit shown as is, anything else stretched from its lowest to its highest
 * value (`range` to set them).
 *
 * @example
 * ```ts
 * canvas.getContext('2d')!.putImageData(toImageData(image), 0, 0);
 * ```
 */
export function toImageData(image: ImageArray, range?: readonly [number, number]): ImageData {
  const { data, width, height } = image;
  const channels = image.channels ?? 1;
  let [lo, hi] = range ?? (data instanceof Uint8Array || data instanceof Uint8ClampedArray ? [0, 255] : [Infinity, -Infinity]);
  if (range === undefined && !Number.isFinite(lo)) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const rgba = new Uint8ClampedArray(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = (data[p * channels + (channels >= 3 ? c : 0)]! - lo) * scale;
    rgba[4 * p + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}
