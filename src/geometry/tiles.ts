/**
 * Tile geometry of a spec: output size for an input, valid input sizes, the
 * nearest valid size, the input needed for an output, and the margin lost to
 * valid convolutions. Pure math on the spec graph, no tfjs.
 */
import type { Spec } from '../spec/graph.js';
import { SpecError } from '../spec/errors.js';
import { kindOf, nodeInputs } from '../spec/kinds.js';
import { InvalidTileSizeError, type Axis } from './errors.js';
import { outputIndex, walkAxis } from './walk.js';

declare const validInputSizeBrand: unique symbol;

/** An input tile size that has been checked against a spec (see {@link checkInputSize}). */
export type ValidInputSize = number & { readonly [validInputSizeBrand]: true };

/** A square size or a `[height, width]` pair. */
export type TileSize = number | readonly [number, number];

/** How far the nearest-size searches look (pixels). */
export const SEARCH_LIMIT = 1 << 16;

/** The paper's input tile size, the default that `defaultInputSize` snaps to the nearest valid size. */
export const PAPER_TILE = 572;

function checkSizeArgument(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > SEARCH_LIMIT * 4) {
    throw new SpecError(argument, `must be an integer between 1 and ${SEARCH_LIMIT * 4}`, value);
  }
  return value;
}

function axisOutput(spec: Spec, size: number): number | undefined {
  const result = walkAxis(spec, size);
  return result.failure === undefined ? result.sizes[outputIndex(spec)] : undefined;
}

/**
 * Whether `size` is a valid input size along one axis.
 *
 * @example
 * ```ts
 * isValidInputSize(unet(), 572); // true
 * isValidInputSize(unet(), 512); // false
 * ```
 */
export function isValidInputSize(spec: Spec, size: number): size is ValidInputSize {
  return Number.isInteger(size) && size >= 1 && axisOutput(spec, size) !== undefined;
}

function searchValid(spec: Spec, from: number, step: 1 | -1): number | undefined {
  for (let s = from, n = 0; s >= 1 && n <= SEARCH_LIMIT; s += step, n++) {
    if (isValidInputSize(spec, s)) return s;
  }
  return undefined;
}

/**
 * The valid input size nearest to `size`, searching `'up'`, `'down'`, or both
 * (`'nearest'`, ties go up). Returns `size` itself when it is valid, and
 * `undefined` when there is none in that direction.
 *
 * @example
 * ```ts
 * nearestValidInputSize(unet(), 512, 'up');   // 524
 * nearestValidInputSize(unet(), 512, 'down'); // 508
 * ```
 */
export function nearestValidInputSize(
  spec: Spec,
  size: number,
  direction: 'up' | 'down' | 'nearest' = 'nearest',
): ValidInputSize | undefined {
  const n = checkSizeArgument('size', size);
  const up = direction === 'down' ? undefined : searchValid(spec, n, 1);
  const down = direction === 'up' ? undefined : searchValid(spec, n, -1);
  if (up === undefined) return down as ValidInputSize | undefined;
  if (down === undefined) return up as ValidInputSize;
  return (n - down < up - n ? down : up) as ValidInputSize;
}

function invalidInput(spec: Spec, size: number, reason: string, axis?: Axis): InvalidTileSizeError {
  return new InvalidTileSizeError({
    argument: 'inputSize',
    size,
    axis,
    reason,
    below: size > 1 ? searchValid(spec, size - 1, -1) : undefined,
    above: searchValid(spec, size + 1, 1),
  });
}

function axisOutputOrThrow(spec: Spec, size: number, axis?: Axis): number {
  const n = checkSizeArgument(axis === undefined ? 'inputSize' : `inputSize (${axis})`, size);
  const result = walkAxis(spec, n);
  if (result.failure !== undefined) throw invalidInput(spec, n, result.failure.reason, axis);
  return result.sizes[outputIndex(spec)]!;
}

function asPair(size: TileSize): readonly [number, number] {
  return typeof size === 'number' ? [size, size] : size;
}

/**
 * Checks that `size` is a valid input tile size and returns it branded.
 *
 * @throws {@link InvalidTileSizeError} naming the layer that fails and the nearest valid sizes.
 * @example
 * ```ts
 * const tile = checkInputSize(unet(), 572); // ValidInputSize
 * ```
 */
export function checkInputSize(spec: Spec, size: number): ValidInputSize {
  axisOutputOrThrow(spec, size);
  return size as ValidInputSize;
}

/**
 * The output size the network produces for an input tile: a number for a
 * number, a `[height, width]` pair for a pair.
 *
 * @throws {@link InvalidTileSizeError} when a 2x2 pool would see an odd size
 *   or a map would vanish; the error holds the nearest valid sizes below and above.
 * @example
 * ```ts
 * outputSize(unet(), 572);        // 388
 * outputSize(unet(), [572, 188]); // [388, 4]
 * ```
 */
export function outputSize(spec: Spec, input: number): number;
export function outputSize(spec: Spec, input: readonly [number, number]): [number, number];
export function outputSize(spec: Spec, input: TileSize): number | [number, number];
export function outputSize(spec: Spec, input: TileSize): number | [number, number] {
  if (typeof input === 'number') return axisOutputOrThrow(spec, input);
  if (!Array.isArray(input) || input.length !== 2) {
    throw new SpecError('inputSize', 'must be a number or a [height, width] pair', input);
  }
  const [h, w] = asPair(input);
  return [axisOutputOrThrow(spec, h, 'height'), axisOutputOrThrow(spec, w, 'width')];
}

/**
 * Every valid input size in `[min, max]`, ascending.
 *
 * @example
 * ```ts
 * validInputSizes(unet(), { min: 400, max: 700 }); // [412, 428, ..., 684]: 16k + 188
 * validInputSizes(unet({ padding: 'same' }), { max: 64 }); // [16, 32, 48, 64]
 * ```
 */
export function validInputSizes(spec: Spec, range: { readonly min?: number; readonly max?: number } = {}): ValidInputSize[] {
  const min = checkSizeArgument('min', range.min ?? 1);
  const max = checkSizeArgument('max', range.max ?? 1024);
  if (max < min) throw new SpecError('max', `must be >= min (${min})`, max);
  const sizes: ValidInputSize[] = [];
  for (let s = min; s <= max; s++) if (isValidInputSize(spec, s)) sizes.push(s);
  return sizes;
}

/**
 * The input tile size whose output is exactly `output` pixels.
 *
 * @throws {@link InvalidTileSizeError} (argument `outputSize`) with the nearest producible output sizes.
 * @example
 * ```ts
 * inputSizeFor(unet(), 388); // 572
 * ```
 */
export function inputSizeFor(spec: Spec, output: number): ValidInputSize {
  const target = checkSizeArgument('outputSize', output);
  let below: number | undefined;
  for (let s = 1; s <= target + SEARCH_LIMIT; s++) {
    const out = axisOutput(spec, s);
    if (out === undefined) continue;
    if (out === target) return s as ValidInputSize;
    if (out < target) below = out;
    if (out > target) {
      throw new InvalidTileSizeError({
        argument: 'outputSize',
        size: target,
        reason: `no input tile produces it (outputs step from ${below ?? 'nothing'} to ${out})`,
        below,
        above: out,
      });
    }
  }
  throw new InvalidTileSizeError({ argument: 'outputSize', size: target, reason: 'no input tile produces it', below, above: undefined });
}

/**
 * Pixels lost on each side between input and output tile (92 for the paper's
 * network, 0 for same padding). This is how far overlap-tile inference
 * mirrors the image borders.
 *
 * @throws Error when the network's output is not its input minus a constant border.
 * @example
 * ```ts
 * margin(unet()); // 92
 * ```
 */
export function margin(spec: Spec): number {
  const first = searchValid(spec, 1, 1);
  const second = first === undefined ? undefined : searchValid(spec, first + 1, 1);
  if (first === undefined || second === undefined) {
    throw new SpecError('spec', 'must accept at least two input sizes to define a margin', spec.name);
  }
  const border = (s: number) => (s - axisOutput(spec, s)!) / 2;
  const m = border(first);
  if (!Number.isInteger(m) || m < 0 || border(second) !== m) {
    throw new SpecError('spec', 'must produce an output equal to its input minus a constant border to define a margin', spec.name);
  }
  return m;
}

/**
 * The input tile size used when none is given: the valid size nearest the
 * paper's 572 (572 itself for depth-4 valid networks).
 *
 * @example
 * ```ts
 * defaultInputSize(unet({ padding: 'same' })); // 576
 * ```
 */
export function defaultInputSize(spec: Spec): ValidInputSize {
  const size = nearestValidInputSize(spec, PAPER_TILE, 'nearest');
  if (size === undefined) throw new SpecError('spec', 'must accept some input tile size', spec.name);
  return size;
}

/**
 * The network's alignment: the product of the pooling factors on the way to
 * its coarsest map (2^depth for a U-Net). The network is translation-
 * equivariant only for shifts by multiples of it, so tiles whose offsets are
 * multiples of it stitch into exactly the untiled prediction.
 *
 * @example
 * ```ts
 * alignment(unet()); // 16
 * ```
 */
export function alignment(spec: Spec): number {
  return Math.max(1, ...nodeScales(spec).values());
}

/**
 * Every node's resolution relative to the input: 1 at full resolution, 2
 * after one 2x2 pooling, back to 1 after the matching upsampling.
 *
 * @example
 * ```ts
 * nodeScales(unet({ depth: 2 })).get('bottleneck_conv2'); // 4
 * ```
 */
export function nodeScales(spec: Spec): ReadonlyMap<string, number> {
  const scales = new Map<string, number>();
  for (const node of spec.nodes) scales.set(node.name, kindOf(node).scale(node, nodeInputs(node).map((name) => scales.get(name)!)));
  return scales;
}
