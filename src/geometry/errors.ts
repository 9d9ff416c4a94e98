/** Which spatial axis a size refers to. */
export type Axis = 'height' | 'width';

/**
 * Thrown when a tile size does not fit a network: a pooling layer would see a
 * size it cannot divide, a valid convolution would shrink a map to nothing,
 * or an output size cannot be produced. Carries the nearest valid sizes as data.
 *
 * @example
 * ```ts
 * try {
 *   outputSize(unet(), 512);
 * } catch (e) {
 *   if (e instanceof InvalidTileSizeError) console.log(e.below, e.above); // 508 524
 * }
 * ```
 */
export class InvalidTileSizeError extends Error {
  /** Which argument was wrong: an input tile size or a wanted output size. */
  readonly argument: 'inputSize' | 'outputSize';
  /** The size received. */
  readonly size: number;
  /** The axis that failed, when a `[height, width]` pair was given. */
  readonly axis: Axis | undefined;
  /** Why the size fails, naming the layer. */
  readonly reason: string;
  /** The nearest valid size below, if any. */
  readonly below: number | undefined;
  /** The nearest valid size above, if any. */
  readonly above: number | undefined;

  constructor(details: {
    argument: 'inputSize' | 'outputSize';
    size: number;
    axis?: Axis | undefined;
    reason: string;
    below: number | undefined;
    above: number | undefined;
  }) {
    const { argument, size, axis, reason, below, above } = details;
    const nearest = [below === undefined ? undefined : `${below} (below)`, above === undefined ? undefined : `${above} (above)`]
      .filter((s) => s !== undefined)
      .join(' and ');
    const what = argument === 'inputSize' ? 'input tile size' : 'output size';
    super(
      `\`${argument}\` must be a valid ${what} for this network${axis === undefined ? '' : ` (${axis})`}: ${reason}. ` +
        `Received: ${argument}=${size}.` +
        (nearest === '' ? ' No valid size is near.' : ` Nearest valid ${what}s: ${nearest}.`),
    );
    this.name = 'InvalidTileSizeError';
    this.argument = argument;
    this.size = size;
    this.axis = axis;
    this.reason = reason;
    this.below = below;
    this.above = above;
  }
}
