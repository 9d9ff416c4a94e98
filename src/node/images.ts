/**
 * Image and mask files (Node): PNG, JPEG, TIFF (multi-page stacks too),
 * 8/16-bit grayscale or RGB, read and written with sharp.
 */
import type { default as SharpFactory, Metadata, OutputInfo, Sharp } from 'sharp';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import type { FileImage, ImageArray } from '../core/image.js';
import { interpretMasks, pairMasks, type MaskPair, type MaskSet, type MaskSetOptions } from '../regions/masks.js';
import { writeFileAtomic } from './atomic.js';
import { importOptional } from './optional.js';

type SharpModule = typeof SharpFactory;
let sharpModule: SharpModule | undefined;

/** sharp (an optional peer), imported on first use. */
export async function loadSharp(): Promise<SharpModule> {
  if (sharpModule === undefined) {
    const module = await importOptional<SharpModule | { default: SharpModule }>('sharp', 'reading and writing image files', 'npm install sharp');
    sharpModule = typeof module === 'function' ? module : module.default;
  }
  return sharpModule;
}

/** File extensions read as images. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff'] as const;

/** An image read from disk (the type is the root entry's, shared with the browser's decoder). */
export type { FileImage };

/** Options of {@link readImage}. */
export interface ReadOptions {
  /** The page of a multi-page TIFF. Default 0. */
  readonly page?: number;
  /** The argument an error names (e.g. `'masks'` for a file of the masks folder). Default `'path'`. */
  readonly argument?: string;
}

/** The one-sentence refusal of a file that does not decode as an image. */
function unreadableImage(argument: string, path: string, error: unknown): ArgumentError {
  const cause = ((error as Error).message ?? String(error)).trim();
  return new ArgumentError(argument, `must hold PNG, JPEG or TIFF images, and this file does not decode as one (${cause}): re-save it in one of those formats or move it out of the folder`, path);
}

/**
 * Reads one image (one page of a multi-page TIFF with `page`). Alpha is
 * dropped; gray RGB files (all channels equal) come back with 1 channel.
 *
 * @example
 * ```ts
 * const image = await readImage('data/train-volume.tif', { page: 3 });
 * ```
 */
export async function readImage(path: string, options: ReadOptions = {}): Promise<FileImage> {
  const sharp = await loadSharp();
  let input: Sharp;
  let metadata: Metadata;
  let decoded: { data: Buffer; info: OutputInfo };
  const unreadable = (error: unknown) => unreadableImage(options.argument ?? 'path', path, error);
  try {
    input = sharp(path, { page: options.page ?? 0, limitInputPixels: 2 ** 30 });
    metadata = await input.metadata();
  } catch (error) {
    throw unreadable(error);
  }
  const wide = metadata.depth === 'int' || metadata.depth === 'uint' || metadata.depth === 'float' || metadata.depth === 'double';
  if (wide && (metadata.channels ?? 1) === 1) return readWide(input, metadata.depth === 'int' || metadata.depth === 'uint' ? 'int' : 'float', unreadable);
  const sixteen = metadata.depth === 'ushort' || metadata.depth === 'short';
  const gray = (metadata.channels ?? 1) <= 2;
  const space = gray ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  try {
    // Decoding happens here: a truncated file passes metadata() and fails now.
    decoded = await input.removeAlpha().toColourspace(space).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw unreadable(error);
  }
  const { data, info } = decoded;
  const values = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice() : new Uint8Array(data);
  if (info.channels === 3) {
    let equal = true;
    for (let i = 0; i < values.length && equal; i += 3) equal = values[i] === values[i + 1] && values[i] === values[i + 2];
    if (equal) {
      const one = sixteen ? new Uint16Array(values.length / 3) : new Uint8Array(values.length / 3);
      for (let i = 0; i < one.length; i++) one[i] = values[3 * i]!;
      return { data: one, width: info.width, height: info.height, channels: 1 };
    }
  }
  return { data: values, width: info.width, height: info.height, channels: info.channels };
}

/** A single-channel 32-bit image: integers (labels up to 2^31 - 1) or floats, read without conversion. */
async function readWide(input: Sharp, depth: 'int' | 'float', unreadable: (error: unknown) => Error): Promise<FileImage> {
  try {
    // libvips hands single-channel 32-bit images out as three equal bands: the first is the image.
    const { data, info } = await input.extractChannel(0).raw({ depth }).toBuffer({ resolveWithObject: true });
    const values = depth === 'int' ? new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4).slice() : new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4).slice();
    return { data: values, width: info.width, height: info.height, channels: 1 };
  } catch (error) {
    throw unreadable(error);
  }
}

/**
 * Number of pages of an image file (1 for most files, the slice count of a TIFF stack).
 *
 * @example
 * ```ts
 * const slices = await pageCount('train-volume.tif');
 * ```
 */
export async function pageCount(path: string, argument = 'path'): Promise<number> {
  const sharp = await loadSharp();
  try {
    return (await sharp(path).metadata()).pages ?? 1;
  } catch (error) {
    throw unreadableImage(argument, path, error);
  }
}

/**
 * Writes an image array as PNG (or another format by extension: TIFF, deflate-compressed and
 * lossless; JPEG), crash-safely, creating its folder if needed. Uint16 data is written as 16-bit
 * (PNG, TIFF); floats are clamped to [0, 1] and scaled to 8 bits.
 *
 * @example
 * ```ts
 * await writeImage('out/mask.png', { data: mask, width, height });
 * ```
 */
export async function writeImage(path: string, image: ImageArray): Promise<void> {
  const channels = (image.channels ?? 1) as 1 | 3 | 4;
  // A typed array input lets sharp infer the sample depth (a Buffer would be read as 8-bit).
  const raw: Uint8Array | Uint16Array =
    image.data instanceof Uint16Array || image.data instanceof Uint8Array
      ? image.data
      : Uint8Array.from(image.data, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
  const depth = raw instanceof Uint16Array ? 'ushort' : 'uchar';
  const format = extname(path).toLowerCase() === '.tif' || extname(path).toLowerCase() === '.tiff' ? 'tiff' : extname(path).toLowerCase() === '.jpg' ? 'jpeg' : 'png';
  const colourspace = channels === 1 ? (depth === 'ushort' ? 'grey16' : 'b-w') : depth === 'ushort' ? 'rgb16' : 'srgb';
  const sharp = await loadSharp();
  const pipeline = sharp(raw, { raw: { width: image.width, height: image.height, channels } }).toColourspace(colourspace);
  // TIFF lossless (sharp's default is JPEG, which would also cut 16-bit data to 8).
  const encoded = await (format === 'png' ? pipeline.png({ force: true }) : format === 'jpeg' ? pipeline.jpeg() : pipeline.tiff({ compression: 'deflate', predictor: 'horizontal' })).toBuffer();
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, encoded);
}

/** How a mask file encodes its classes (of {@link decodeMask}; `loadDataset` reports a `MaskType`). */
export type MaskEncoding = 'binary-0-255' | 'binary-0-1' | 'class-index';

/** A mask as class indices (0 = background), with how it was encoded. */
export interface FileMask {
  readonly mask: ImageArray<Uint8Array>;
  readonly encoding: MaskEncoding;
  /** Number of classes (largest index + 1, at least 2). */
  readonly classes: number;
}

/** Largest class index accepted in a class-index mask. */
export const MAX_CLASS_INDEX = 31;

/**
 * Interprets one mask's values on their own: {0, 255} is binary (255 -> 1), values within {0, 1}
 * are binary, small integers 0..31 are class indices. Anything else (e.g. an
 * anti-aliased mask with values 0..255) is ambiguous and rejected.
 *
 * Decides from one mask alone, for binary and class-index masks: a set of masks, instance label
 * masks among them, is read by `loadDataset`, which tells the types apart (`decideMaskType`).
 *
 * @throws {@link ArgumentError} naming `name` and the values found.
 * @example
 * ```ts
 * decodeMask([0, 255, 255, 0], 2, 2, 'mask.png').encoding; // 'binary-0-255'
 * ```
 */
export function decodeMask(values: ArrayLike<number>, width: number, height: number, name: string): FileMask {
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size <= 64; i++) seen.add(values[i]!);
  const found = [...seen].sort((a, b) => a - b);
  const describe = found.length > 8 ? `${found.slice(0, 8).join(', ')}, ... (${seen.size > 64 ? 'more than 64' : seen.size} values)` : found.join(', ');
  const mask = new Uint8Array(values.length);
  if (found.every((v) => v === 0 || v === 255) && seen.has(255)) {
    for (let i = 0; i < values.length; i++) mask[i] = values[i] === 0 ? 0 : 1;
    return { mask: { data: mask, width, height }, encoding: 'binary-0-255', classes: 2 };
  }
  if (found.every((v) => v === 0 || v === 1)) {
    mask.set(Array.from(values));
    return { mask: { data: mask, width, height }, encoding: 'binary-0-1', classes: 2 };
  }
  if (found.every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_CLASS_INDEX)) {
    mask.set(Array.from(values));
    return { mask: { data: mask, width, height }, encoding: 'class-index', classes: Math.max(2, found.at(-1)! + 1) };
  }
  throw new ArgumentError(
    name,
    `must be a mask with values {0, 255}, {0, 1} or class indices 0..${MAX_CLASS_INDEX}; it is ambiguous (anti-aliased or a photo?)`,
    `values ${describe}`,
  );
}

/**
 * Reads a binary or class-index mask file as class indices (see {@link decodeMask}).
 *
 * Instance label masks and sets of masks: `loadDataset`.
 * @example
 * ```ts
 * const { mask, encoding } = await readMask('labels/00.png'); // 'binary-0-255'
 * ```
 */
export async function readMask(path: string, options: { readonly page?: number } = {}): Promise<FileMask> {
  const image = await readImage(path, options);
  if ((image.channels ?? 1) !== 1) throw new ArgumentError(path, 'must be a single-channel (grayscale) mask', `${image.channels} channels`);
  return decodeMask(image.data, image.width, image.height, path);
}

/**
 * Image files in a directory (sorted), or the file itself; with `zarr`, OME-Zarr folders (`*.zarr`)
 * count as images too.
 *
 * @example
 * ```ts
 * const files = await listImages('data/images'); // ['data/images/00.png', ...]
 * ```
 */
export async function listImages(pathOrDir: string, argument = 'path', options: { readonly zarr?: boolean } = {}): Promise<string[]> {
  const info = await stat(pathOrDir).catch(() => undefined);
  if (info === undefined) throw new ArgumentError(argument, 'must be a folder of images or an image file, and nothing exists at this path', pathOrDir);
  const zarr = (name: string) => options.zarr === true && /\.zarr\/?$/i.test(name);
  if (!info.isDirectory() || zarr(pathOrDir)) return [pathOrDir];
  const names = (await readdir(pathOrDir)).filter((n) => ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase()) || zarr(n)) && !n.startsWith('.'));
  return names.sort().map((n) => join(pathOrDir, n));
}

/** A dataset of images and masks paired by file name: the images, and the masks read as a {@link MaskSet}. */
export interface Dataset extends MaskSet {
  readonly names: readonly string[];
  readonly images: readonly FileImage[];
}

/** Options of {@link loadDataset}. */
export type DatasetOptions = MaskSetOptions;

/** Image and mask files paired by name (pages of two TIFF stacks by index). */
async function pairFiles(paths: { readonly images: string; readonly masks: string }): Promise<MaskPair[]> {
  const imageFiles = await listImages(paths.images, 'images');
  const maskFiles = await listImages(paths.masks, 'masks');
  const stacks = imageFiles.length === 1 && maskFiles.length === 1;
  const imagePages = stacks ? await pageCount(imageFiles[0]!, 'images') : 1;
  const maskPages = stacks && imagePages > 1 ? await pageCount(maskFiles[0]!, 'masks') : 1;
  if (imageFiles.length === 0 && maskFiles.length === 0) {
    throw new ArgumentError('images', `must hold PNG, JPEG or TIFF images (${IMAGE_EXTENSIONS.join(' ')}), and this folder has none`, paths.images);
  }
  return pairMasks(imageFiles, maskFiles, { imagePages, maskPages, where: paths });
}

/**
 * Loads images and masks from two directories (or two files, e.g. TIFF
 * stacks), pairing them by file name without extension (pages of stacks by
 * index). Sizes must match pair by pair. Masks may be binary (0/1, 0/255),
 * class masks (class indices, or a few gray values such as 0/128/255),
 * instance label masks (8/16-bit, 0 = background, one id per object: what
 * Cellpose, StarDist, napari and QuPath export) or RGB/palette masks (each
 * colour a class or an object); what they encode is decided for the whole
 * set by `decideMaskType` (each value one region: instances; one value:
 * binary; values forming many regions: classes) unless `options.maskType`
 * states it.
 *
 * @throws {@link ArgumentError} naming unpaired files, both files and sizes of a mismatch, or a mask that fits no type.
 * @example
 * ```ts
 * const { images, masks, maskType, instances } = await loadDataset({ images: 'data/images', masks: 'data/masks' });
 * ```
 */
export async function loadDataset(paths: { readonly images: string; readonly masks: string }, options: DatasetOptions = {}): Promise<Dataset> {
  const pairs = await pairFiles(paths);
  const images: FileImage[] = [];
  const raw: FileImage[] = [];
  for (const pair of pairs) {
    const page = pair.page === undefined ? {} : { page: pair.page };
    const image = await readImage(pair.image, { ...page, argument: 'images' });
    const mask = await readImage(pair.mask, { ...page, argument: 'masks' });
    if (image.width !== mask.width || image.height !== mask.height) {
      throw new ArgumentError('masks', `must match their images' sizes: ${pair.image} is ${image.width}x${image.height}`, `${pair.mask} is ${mask.width}x${mask.height}`);
    }
    images.push(image);
    raw.push(mask);
  }
  return { names: pairs.map((p) => p.name), images, ...interpretMasks(raw, pairs.map((p) => p.mask), options) };
}
