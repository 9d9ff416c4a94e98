/**
 * The plain 2-D image form used by weight maps, metrics and augmentation:
 * a typed array in row-major order with its width and height.
 */
import { ArgumentError } from './errors.js';

/** A single-channel 2-D image of numbers, row-major (`data[y * width + x]`). */
export interface LabelImage {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

/**
 * Checks that `image` is a well-formed {@link LabelImage}.
 *
 * @throws {@link ArgumentError} naming `argument` and the broken rule.
 */
export function checkLabelImage(argument: string, image: unknown): LabelImage {
  const channels = checkImageArray(argument, image);
  if (channels !== 1) throw new ArgumentError(`${argument}.channels`, 'must be 1 for a label image', channels);
  return image as LabelImage;
}

/** Throws unless `value` is a finite number > `min` (or >= when `inclusive`). */
export function checkPositive(argument: string, value: unknown, min = 0, inclusive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (inclusive ? value < min : value <= min)) {
    throw new ArgumentError(argument, `must be a finite number ${inclusive ? '>=' : '>'} ${min}`, value);
  }
  return value;
}

/** The typed arrays an {@link ImageArray} may hold. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Uint8ClampedArray
  | Int8Array
  | Uint32Array;

/** A multi-channel 2-D image in row-major, channels-last order (`data[(y * width + x) * channels + c]`). */
export interface ImageArray<T extends ArrayLike<number> = ArrayLike<number>> {
  readonly data: T;
  readonly width: number;
  readonly height: number;
  /** Channels per pixel; default 1. */
  readonly channels?: number;
}

/**
 * An image as a file decodes: 8-bit data in a Uint8Array, 16-bit in a
 * Uint16Array (1 or 3 channels); single-channel 32-bit images (integer label
 * images as napari writes them, float images) in an Int32Array or Float32Array.
 */
export type FileImage = ImageArray<Uint8Array | Uint16Array | Int32Array | Float32Array>;

/**
 * Checks that `image` is a well-formed {@link ImageArray} and returns its channel count.
 *
 * @throws {@link ArgumentError} naming `argument` and the broken rule.
 */
export function checkImageArray(argument: string, image: unknown): number {
  if (typeof image !== 'object' || image === null) {
    throw new ArgumentError(argument, 'must be an object { data, width, height, channels? }', image);
  }
  const { data, width, height, channels = 1 } = image as Partial<ImageArray>;
  for (const [key, value] of [['width', width], ['height', height], ['channels', channels]] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ArgumentError(`${argument}.${key}`, 'must be a positive integer', value);
    }
  }
  if (data === undefined || data === null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new ArgumentError(`${argument}.data`, 'must be an array or typed array', data);
  }
  if (data.length !== width! * height! * channels) {
    const product = channels === 1 ? 'width * height' : 'width * height * channels';
    throw new ArgumentError(`${argument}.data`, `must hold ${product} = ${width! * height! * channels} values`, `array of length ${data.length}`);
  }
  return channels;
}

/**
 * The `width` x `height` window of an image whose top-left pixel is
 * (`x`, `y`), in the image's own array type.
 *
 * @throws {@link ArgumentError} for a window outside the image.
 * @example
 * ```ts
 * const corner = cropImage(image, 0, 0, 256, 256);
 * ```
 */
export function cropImage<T extends TypedArray>(image: ImageArray<T>, x: number, y: number, width: number, height: number): ImageArray<T> {
  const channels = checkImageArray('image', image);
  if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 1 || height < 1 || x + width > image.width || y + height > image.height) {
    throw new ArgumentError('window', `must lie inside the ${image.width}x${image.height} image`, `${width}x${height} at (${x}, ${y})`);
  }
  const data = new (image.data.constructor as new (n: number) => T)(width * height * channels);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * channels;
    data.set(image.data.subarray(from, from + width * channels), row * width * channels);
  }
  return { data, width, height, channels };
}
