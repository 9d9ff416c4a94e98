/**
 * Elastic deformation as in the paper: random displacement vectors on a
 * coarse grid, interpolated to every pixel bicubically (Keys, a = -0.5),
 * applied to several same-sized arrays at once.
 */
import { ArgumentError } from '../core/errors.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { Random } from '../core/random.js';
import { keys, resample, type Order } from './sampling.js';
import type { Boundary } from '../core/boundary.js';

/** A per-pixel displacement field: output (y, x) samples the input at (y + dy, x + dx). */
export interface DisplacementField {
  readonly dy: Float64Array;
  readonly dx: Float64Array;
  readonly width: number;
  readonly height: number;
}

/** Grid points per side of a displacement grid of `length` values (2 x points x points). */
function gridPoints(length: number): number {
  const points = Math.round(Math.sqrt(length / 2));
  if (points < 2 || 2 * points * points !== length) {
    throw new ArgumentError('grid', 'must hold 2 x points x points values (dy grid, then dx grid), points >= 2', `array of length ${length}`);
  }
  return points;
}

/**
 * Keys weights of the 4 grid nodes around each pixel of an axis of `size`
 * pixels, for a grid of `points` nodes spanning the first to the last pixel
 * (node i at (size - 1) i / (points - 1)); edges clamped.
 */
function axisWeights(size: number, points: number): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(4 * size);
  const weight = new Float64Array(4 * size);
  const scale = size > 1 ? (points - 1) / (size - 1) : 0;
  for (let p = 0; p < size; p++) {
    const u = p * scale;
    const base = Math.floor(u);
    for (let t = 0; t < 4; t++) {
      const m = base - 1 + t;
      index[4 * p + t] = Math.min(points - 1, Math.max(0, m));
      weight[4 * p + t] = keys(u - m);
    }
  }
  return { index, weight };
}

/**
 * Interpolates a coarse displacement grid to every pixel with bicubic (Keys
 * a = -0.5) convolution, grid edges clamped. The grid holds `points x points`
 * dy values, then `points x points` dx values, row-major; node (i, j) sits at
 * pixel ((height - 1) i / (points - 1), (width - 1) j / (points - 1)).
 *
 * @example
 * ```ts
 * const grid = new Float32Array(2 * 3 * 3); // zero displacement
 * const { dy, dx } = displacementField(grid, 512, 512);
 * ```
 */
export function displacementField(grid: ArrayLike<number>, height: number, width: number): DisplacementField {
  const points = gridPoints(grid.length);
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(name, 'must be a positive integer', v);
  }
  const rows = axisWeights(height, points);
  const cols = axisWeights(width, points);
  const fields = [new Float64Array(height * width), new Float64Array(height * width)] as const;
  const along = new Float64Array(points * width);
  for (let c = 0; c < 2; c++) {
    const offset = c * points * points;
    // Interpolate every grid row along x, then along y.
    for (let i = 0; i < points; i++)
      for (let x = 0; x < width; x++) {
        let v = 0;
        for (let t = 0; t < 4; t++) v += cols.weight[4 * x + t]! * grid[offset + i * points + cols.index[4 * x + t]!]!;
        along[i * width + x] = v;
      }
    const field = fields[c]!;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let v = 0;
        for (let t = 0; t < 4; t++) v += rows.weight[4 * y + t]! * along[rows.index[4 * y + t]! * width + x]!;
        field[y * width + x] = v;
      }
  }
  return { dy: fields[0], dx: fields[1], width, height };
}

/**
 * A random displacement grid: `2 x points x points` values drawn from N(0, sigma^2).
 *
 * @example
 * ```ts
 * const grid = randomGrid(new Random(1), 3, 10);
 * ```
 */
export function randomGrid(random: Random, points = 3, sigma = 10): Float32Array {
  if (!Number.isInteger(points) || points < 2) throw new ArgumentError('points', 'must be an integer >= 2', points);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new ArgumentError('sigma', 'must be a finite number >= 0', sigma);
  return Float32Array.from({ length: 2 * points * points }, () => random.normal(sigma));
}

/** Options of {@link elasticDeform}. */
export interface ElasticOptions {
  /** Standard deviation of the grid displacements in pixels. Default 10 (the paper's). */
  readonly sigma?: number;
  /** Grid points per side. Default 3 (the paper's 3x3 grid). */
  readonly points?: number;
  /** An explicit grid (2 x points x points: dy values, then dx values) instead of a random one. */
  readonly displacement?: ArrayLike<number>;
  /** Seed of the random grid. */
  readonly seed?: number;
  /** A generator to draw the grid from (takes precedence over `seed`). */
  readonly random?: Random;
  /** Interpolation per input (one order for all, or one per input). Default `'cubic'`: pass `'nearest'` for labels. */
  readonly order?: Order | readonly Order[];
  /** Boundary rule. Default `'mirror'`. */
  readonly boundary?: Boundary;
  /** Fill value for boundary `'constant'`. */
  readonly cval?: number;
}

/**
 * Deforms several same-sized arrays with one random elastic deformation: a
 * coarse grid of displacement vectors drawn from N(0, sigma^2), interpolated
 * bicubically to every pixel; output pixel (y, x) samples the input at
 * (y + dy, x + dx). Give labels order `'nearest'` so they keep their values.
 *
 * @param inputs - image arrays of the same width and height (channels may differ).
 * @returns the deformed arrays, in order, of the same types.
 * @throws {@link ArgumentError} when sizes differ or options are invalid.
 * @example
 * ```ts
 * const [image2, label2, weights2] = elasticDeform([image, label, weights], {
 *   seed: 7,
 *   order: ['cubic', 'nearest', 'linear'],
 * });
 * ```
 */
export function elasticDeform<const T extends readonly ImageArray<TypedArray>[]>(inputs: T, options: ElasticOptions = {}): { [K in keyof T]: T[K] } {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ArgumentError('inputs', 'must be a non-empty array of image arrays', inputs);
  inputs.forEach((input, i) => checkImageArray(`inputs[${i}]`, input));
  const { width, height } = inputs[0]!;
  inputs.forEach((input, i) => {
    if (input.width !== width || input.height !== height) {
      throw new ArgumentError(`inputs[${i}]`, `must be ${width}x${height} like inputs[0]`, `${input.width}x${input.height}`);
    }
  });
  const orders = Array.isArray(options.order) ? options.order : inputs.map(() => (options.order as Order | undefined) ?? 'cubic');
  if (orders.length !== inputs.length) throw new ArgumentError('order', `must give one order per input (${inputs.length})`, options.order);
  const grid =
    options.displacement ??
    randomGrid(options.random ?? new Random(options.seed ?? Math.floor(Math.random() * 2 ** 32)), options.points ?? 3, options.sigma ?? 10);
  const { dy, dx } = displacementField(grid, height, width);
  const ys = new Float64Array(width * height);
  const xs = new Float64Array(width * height);
  for (let y = 0, k = 0; y < height; y++)
    for (let x = 0; x < width; x++, k++) {
      ys[k] = y + dy[k]!;
      xs[k] = x + dx[k]!;
    }
  const sampling = { boundary: options.boundary ?? 'mirror', cval: options.cval ?? 0 } as const;
  return inputs.map((input, i) => resample(input, ys, xs, width, { ...sampling, order: orders[i]! })) as { [K in keyof T]: T[K] };
}
