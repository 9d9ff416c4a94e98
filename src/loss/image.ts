/**
 * The plain 2-D image form used by weight maps, metrics and augmentation:
 * a typed array in row-major order with its width and height.
 */
import { ArgumentError } from '../spec/errors.js';

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
  if (typeof image !== 'object' || image === null) throw new ArgumentError(argument, 'must be an object { data, width, height }', image);
  const { data, width, height } = image as Partial<LabelImage>;
  for (const [key, value] of [['width', width], ['height', height]] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ArgumentError(`${argument}.${key}`, 'must be a positive integer', value);
    }
  }
  if (data === undefined || data === null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new ArgumentError(`${argument}.data`, 'must be an array or typed array', data);
  }
  if (data.length !== width! * height!) {
    throw new ArgumentError(
      `${argument}.data`,
      `must hold width * height = ${width! * height!} values`,
      `array of length ${data.length}`,
    );
  }
  return image as LabelImage;
}

/** Throws unless `value` is a finite number > `min` (or >= when `inclusive`). */
export function checkPositive(argument: string, value: unknown, min = 0, inclusive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (inclusive ? value < min : value <= min)) {
    throw new ArgumentError(argument, `must be a finite number ${inclusive ? '>=' : '>'} ${min}`, value);
  }
  return value;
}
