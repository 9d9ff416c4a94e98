/**
 * Composable, seeded augmentation: geometric operations (elastic, shift,
 * rotation, flips) are composed into one coordinate map so every input is
 * resampled once; gray-value operations (gamma, contrast, brightness, noise)
 * then act on the image alone.
 */
import { ArgumentError } from '../core/errors.js';
import { checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { keys, resample, type Order } from './sampling.js';
import type { Boundary } from '../core/boundary.js';
import { valueScale } from '../core/normalization.js';
import { Random } from '../core/random.js';
import { displacementField, randomGrid } from './elastic.js';

/** A closed interval `[low, high]` to draw from uniformly. */
export type Range = readonly [number, number];

/** One augmentation step. Each runs with `probability` (default 1). */
export type AugmentOp =
  | { readonly kind: 'elastic'; readonly sigma?: number; readonly points?: number; readonly probability?: number }
  | { readonly kind: 'shift'; readonly range: Range; readonly probability?: number }
  /** Rotation about the center by an angle in degrees drawn from `range` (default [-180, 180]); positive turns clockwise as displayed (y down). */
  | { readonly kind: 'rotate'; readonly range?: Range; readonly probability?: number }
  | { readonly kind: 'flip'; readonly horizontal?: boolean; readonly vertical?: boolean; readonly probability?: number }
  /** Zoom about the center by a factor drawn from `range` (above 1 enlarges; nnU-Net draws from [0.7, 1.4]). */
  | { readonly kind: 'zoom'; readonly range: Range; readonly probability?: number }
  | { readonly kind: 'gamma'; readonly range: Range; readonly probability?: number }
  | { readonly kind: 'contrast'; readonly range: Range; readonly probability?: number }
  | { readonly kind: 'brightness'; readonly range: Range; readonly probability?: number }
  | { readonly kind: 'noise'; readonly std: number; readonly probability?: number };

/** What {@link augment} transforms: an image and, moving with it, optional labels and weights. */
export interface Sample<I extends TypedArray = TypedArray, L extends TypedArray = TypedArray, W extends TypedArray = TypedArray> {
  readonly image: ImageArray<I>;
  readonly label?: ImageArray<L>;
  readonly weights?: ImageArray<W>;
}

/** Options of {@link augment}. */
export interface AugmentOptions {
  /** Boundary rule for samples outside the image. Default `'mirror'`. */
  readonly boundary?: Boundary;
  /** Interpolation of the image. Default `'cubic'`. */
  readonly imageOrder?: Order;
  /** Interpolation of the weights. Default `'linear'`. Labels always use `'nearest'`. */
  readonly weightsOrder?: Order;
}

/**
 * The paper's augmentation: shifts, any rotation, flips, elastic deformation
 * (3x3 grid, sigma 10 px), and mild gray-value variation. (Elastic comes last
 * among the geometric steps so its field is evaluated on the pixel grid, the
 * fast path.)
 */
export const PAPER_AUGMENTATION: readonly AugmentOp[] = Object.freeze([
  { kind: 'shift', range: [-8, 8] },
  { kind: 'rotate', range: [-180, 180] },
  { kind: 'flip', horizontal: true, vertical: true },
  { kind: 'elastic', sigma: 10, points: 3 },
  { kind: 'gamma', range: [0.8, 1.25] },
  { kind: 'contrast', range: [0.8, 1.2] },
  { kind: 'brightness', range: [-0.05, 0.05] },
]);

/**
 * A coordinate map: for each output pixel (row-major), where to read the input.
 * A geometric step composes its own map into it.
 *
 * @example
 * ```ts
 * // a horizontal flip of a width-w map
 * for (let i = 0; i < coords.xs.length; i++) coords.xs[i] = w - 1 - coords.xs[i]!;
 * coords.identity = false;
 * ```
 */
export interface Coordinates {
  readonly ys: Float64Array;
  readonly xs: Float64Array;
  /** Still the identity grid (enables the fast elastic path). */
  identity: boolean;
}

function checkRange(argument: string, range: unknown): Range {
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || range[0] > range[1]) {
    throw new ArgumentError(argument, 'must be a [low, high] pair of finite numbers with low <= high', range);
  }
  return range as unknown as Range;
}

/** The augmentation step of kind `K`, e.g. `OpOf<'flip'>`. */
export type OpOf<K extends AugmentOp['kind']> = Extract<AugmentOp, { readonly kind: K }>;

/** A step that moves pixels: it maps output coordinates to where the input is read. */
export interface GeometricDefinition<K extends AugmentOp['kind']> {
  readonly stage: 'geometric';
  /** Checks the step's fields, naming them under `at` (e.g. `pipeline[2]`). */
  readonly check: (op: OpOf<K>, at: string) => void;
  /** Applies the step's output->input map to the coordinates of a `height` x `width` output. */
  readonly map: (op: OpOf<K>, coords: Coordinates, height: number, width: number, random: Random) => void;
  /** The step at `strength` in [0, 1] of its magnitude (0: no change to the image; flips and rotations, the image's symmetries, stay whole). */
  readonly weaken: (op: OpOf<K>, strength: number) => OpOf<K>;
}

/** A step that changes gray values, on a [0, 1] scale, in place. */
export interface GrayDefinition<K extends AugmentOp['kind']> {
  readonly stage: 'gray';
  /** Checks the step's fields, naming them under `at` (e.g. `pipeline[2]`). */
  readonly check: (op: OpOf<K>, at: string) => void;
  /** Changes the values in place. */
  readonly apply: (op: OpOf<K>, values: Float32Array | Float64Array, random: Random) => void;
  /** The step at `strength` in [0, 1] of its magnitude (0: the values unchanged). */
  readonly weaken: (op: OpOf<K>, strength: number) => OpOf<K>;
}

/** What the pipeline does with one kind of step: move pixels (`'geometric'`) or change gray values (`'gray'`). */
export type OpDefinition<K extends AugmentOp['kind']> = GeometricDefinition<K> | GrayDefinition<K>;

const checkRangeOf = (op: { readonly range: Range }, at: string): void => void checkRange(`${at}.range`, op.range);

/** A range moved towards `identity` (the value that changes nothing): `strength` 0 gives `[identity, identity]`. */
const towards = (range: Range, identity: number, strength: number): Range => [identity + (range[0] - identity) * strength, identity + (range[1] - identity) * strength];

/** The step unchanged at any strength. */
const whole = <T>(op: T): T => op;

/**
 * Every kind of augmentation step, with its check and what it does: the one
 * place a new kind is added (a kind missing here fails to compile).
 */
export const AUGMENT_OPS: { readonly [K in AugmentOp['kind']]: OpDefinition<K> } = {
  elastic: {
    stage: 'geometric',
    weaken: (op, strength) => ({ ...op, sigma: (op.sigma ?? 10) * strength }),
    check(op, at) {
      if (op.sigma !== undefined && !(op.sigma >= 0)) throw new ArgumentError(`${at}.sigma`, 'must be >= 0', op.sigma);
      if (op.points !== undefined && !(Number.isInteger(op.points) && op.points >= 2)) throw new ArgumentError(`${at}.points`, 'must be an integer >= 2', op.points);
    },
    map(op, coords, height, width, random) {
      const { ys, xs } = coords;
      const points = op.points ?? 3;
      const grid = randomGrid(random, points, op.sigma ?? 10);
      if (coords.identity) {
        const field = displacementField(grid, height, width);
        for (let k = 0; k < ys.length; k++) {
          ys[k] = ys[k]! + field.dy[k]!;
          xs[k] = xs[k]! + field.dx[k]!;
        }
        return;
      }
      const su = height > 1 ? (points - 1) / (height - 1) : 0;
      const sv = width > 1 ? (points - 1) / (width - 1) : 0;
      for (let k = 0; k < ys.length; k++) {
        const u = ys[k]! * su;
        const v = xs[k]! * sv;
        ys[k] = ys[k]! + displacementAt(grid, points, 0, u, v);
        xs[k] = xs[k]! + displacementAt(grid, points, 1, u, v);
      }
    },
  },
  shift: {
    stage: 'geometric',
    weaken: (op, strength) => ({ ...op, range: towards(op.range, 0, strength) }),
    check: checkRangeOf,
    map(op, { ys, xs }, _height, _width, random) {
      const ty = random.range(op.range[0], op.range[1]);
      const tx = random.range(op.range[0], op.range[1]);
      for (let k = 0; k < ys.length; k++) {
        ys[k] = ys[k]! - ty;
        xs[k] = xs[k]! - tx;
      }
    },
  },
  rotate: {
    stage: 'geometric',
    weaken: whole,
    check(op, at) {
      if (op.range !== undefined) checkRange(`${at}.range`, op.range);
    },
    map(op, { ys, xs }, height, width, random) {
      const cy = (height - 1) / 2;
      const cx = (width - 1) / 2;
      const [lo, hi] = op.range ?? [-180, 180];
      const angle = (random.range(lo, hi) * Math.PI) / 180;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      // Output = input rotated by `angle`: read the input at the inverse rotation.
      for (let k = 0; k < ys.length; k++) {
        const y = ys[k]! - cy;
        const x = xs[k]! - cx;
        ys[k] = cy + cos * y - sin * x;
        xs[k] = cx + sin * y + cos * x;
      }
    },
  },
  flip: {
    stage: 'geometric',
    weaken: whole,
    check: () => undefined,
    map(op, { ys, xs }, height, width, random) {
      const flipX = (op.horizontal ?? true) && random.uniform() < 0.5;
      const flipY = (op.vertical ?? true) && random.uniform() < 0.5;
      for (let k = 0; k < ys.length; k++) {
        if (flipY) ys[k] = height - 1 - ys[k]!;
        if (flipX) xs[k] = width - 1 - xs[k]!;
      }
    },
  },
  zoom: {
    stage: 'geometric',
    weaken: (op, strength) => ({ ...op, range: towards(op.range, 1, strength) }),
    check(op, at) {
      checkRange(`${at}.range`, op.range);
      if (op.range[0] <= 0) throw new ArgumentError(`${at}.range`, 'must be positive for zoom', op.range);
    },
    map(op, { ys, xs }, height, width, random) {
      const cy = (height - 1) / 2;
      const cx = (width - 1) / 2;
      const factor = random.range(op.range[0], op.range[1]);
      // Output = input enlarged by `factor` about the center: read the input closer to it.
      for (let k = 0; k < ys.length; k++) {
        ys[k] = cy + (ys[k]! - cy) / factor;
        xs[k] = cx + (xs[k]! - cx) / factor;
      }
    },
  },
  gamma: {
    stage: 'gray',
    weaken: (op, strength) => ({ ...op, range: towards(op.range, 1, strength) }),
    check(op, at) {
      checkRange(`${at}.range`, op.range);
      if (op.range[0] <= 0) throw new ArgumentError(`${at}.range`, 'must be positive for gamma', op.range);
    },
    apply(op, values, random) {
      const g = random.range(op.range[0], op.range[1]);
      for (let i = 0; i < values.length; i++) values[i] = Math.max(0, values[i]!) ** g;
    },
  },
  contrast: {
    stage: 'gray',
    weaken: (op, strength) => ({ ...op, range: towards(op.range, 1, strength) }),
    check: checkRangeOf,
    apply(op, values, random) {
      const f = random.range(op.range[0], op.range[1]);
      let mean = 0;
      for (let i = 0; i < values.length; i++) mean += values[i]!;
      mean /= values.length;
      for (let i = 0; i < values.length; i++) values[i] = mean + f * (values[i]! - mean);
    },
  },
  brightness: {
    stage: 'gray',
    weaken: (op, strength) => ({ ...op, range: towards(op.range, 0, strength) }),
    check: checkRangeOf,
    apply(op, values, random) {
      const b = random.range(op.range[0], op.range[1]);
      for (let i = 0; i < values.length; i++) values[i] = values[i]! + b;
    },
  },
  noise: {
    stage: 'gray',
    weaken: (op, strength) => ({ ...op, std: op.std * strength }),
    check(op, at) {
      if (!(op.std >= 0)) throw new ArgumentError(`${at}.std`, 'must be >= 0', op.std);
    },
    apply(op, values, random) {
      for (let i = 0; i < values.length; i++) values[i] = values[i]! + random.normal(op.std);
    },
  },
};

/** The kinds of augmentation step, in the table's order. */
export const AUGMENT_KINDS = Object.keys(AUGMENT_OPS) as readonly AugmentOp['kind'][];

/** The definition of a step's own kind. */
function definitionOf<K extends AugmentOp['kind']>(op: OpOf<K>): OpDefinition<K> {
  return AUGMENT_OPS[op.kind as K] as OpDefinition<K>;
}

/**
 * A pipeline at `strength` in [0, 1] of its magnitudes: ranges moved towards
 * the values that change nothing, deformation and noise scaled; flips and
 * rotations (the image's symmetries) stay whole. Steps draw the same random
 * numbers at any strength, so a seed gives the same tiles' positions.
 *
 * @example
 * ```ts
 * weakenPipeline(PAPER_AUGMENTATION, 0.5); // shifts of up to 4 px, elastic sigma 5, gamma in [0.9, 1.125], ...
 * ```
 */
export function weakenPipeline(pipeline: readonly AugmentOp[], strength: number): AugmentOp[] {
  if (!(strength >= 0 && strength <= 1)) throw new ArgumentError('strength', 'must be in [0, 1]', strength);
  return pipeline.map((op) => definitionOf(op).weaken(op, strength));
}

/** Checks a pipeline, naming the offending step. */
export function checkPipeline(pipeline: readonly AugmentOp[]): void {
  if (!Array.isArray(pipeline)) throw new ArgumentError('pipeline', 'must be an array of augmentation steps', pipeline);
  pipeline.forEach((op, i) => {
    const at = `pipeline[${i}]`;
    const p = op.probability ?? 1;
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`${at}.probability`, 'must be between 0 and 1', p);
    if (!Object.hasOwn(AUGMENT_OPS, op.kind)) throw new ArgumentError(`${at}.kind`, `must be one of ${AUGMENT_KINDS.map((k) => `'${k}'`).join(', ')}`, (op as { kind: unknown }).kind);
    definitionOf(op).check(op, at);
  });
}

/** Keys-interpolated displacement of a grid at a real position (edges clamped). */
function displacementAt(grid: Float32Array, points: number, component: 0 | 1, u: number, v: number): number {
  const offset = component * points * points;
  const bu = Math.floor(u);
  const bv = Math.floor(v);
  let value = 0;
  for (let a = 0; a < 4; a++) {
    const m = bu - 1 + a;
    const wm = keys(u - m);
    if (wm === 0) continue;
    const row = offset + Math.min(points - 1, Math.max(0, m)) * points;
    let line = 0;
    for (let b = 0; b < 4; b++) {
      const n = bv - 1 + b;
      line += keys(v - n) * grid[row + Math.min(points - 1, Math.max(0, n))]!;
    }
    value += wm * line;
  }
  return value;
}

/** Draws the geometric part of a pipeline as one coordinate map for a `height` x `width` output. */
export function geometricMap(pipeline: readonly AugmentOp[], height: number, width: number, random: Random): Coordinates {
  const ys = new Float64Array(height * width);
  const xs = new Float64Array(height * width);
  for (let y = 0, k = 0; y < height; y++)
    for (let x = 0; x < width; x++, k++) {
      ys[k] = y;
      xs[k] = x;
    }
  const coords: Coordinates = { ys, xs, identity: true };
  // Draw parameters in pipeline order (so seeds map to the same draws), apply maps last-to-first.
  const drawn: { op: AugmentOp; random: Random }[] = [];
  for (const op of pipeline) {
    if (definitionOf(op).stage !== 'geometric') continue;
    if (random.uniform() >= (op.probability ?? 1)) continue;
    drawn.push({ op, random: new Random(random.nextUint32()) });
  }
  for (let i = drawn.length - 1; i >= 0; i--) {
    const { op, random: own } = drawn[i]!;
    (definitionOf(op) as GeometricDefinition<typeof op.kind>).map(op, coords, height, width, own);
    coords.identity = false;
  }
  return coords;
}

/**
 * Applies the gray-value steps of a pipeline in place to values on a [0, 1]
 * scale (gamma acts on max(v, 0); contrast about the mean; brightness adds;
 * noise adds N(0, std^2)).
 */
export function applyGrayValues(values: Float32Array | Float64Array, pipeline: readonly AugmentOp[], random: Random): void {
  for (const op of pipeline) {
    const definition = definitionOf(op);
    if (definition.stage !== 'gray') continue;
    if (random.uniform() >= (op.probability ?? 1)) continue;
    definition.apply(op, values, random);
  }
}

/** Gray-value steps on a copy of `image`, on its [0, 1] scale, stored back in its type. */
function grayValues<T extends TypedArray>(image: ImageArray<T>, pipeline: readonly AugmentOp[], random: Random): ImageArray<T> {
  const scale = valueScale(image.data);
  const values = Float64Array.from(image.data as ArrayLike<number>, (v) => v / scale);
  applyGrayValues(values, pipeline, random);
  const Ctor = image.data.constructor as new (n: number) => T;
  const out = new Ctor(values.length);
  const integer = scale !== 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! * scale;
    out[i] = integer ? Math.min(scale, Math.max(0, Math.round(v))) : v;
  }
  return { ...image, data: out };
}

/**
 * Augments a sample with a seeded pipeline. Geometric steps (elastic, shift,
 * rotate, flip) are composed and applied with one resampling: the image with
 * cubic interpolation, labels with nearest (so they keep their values),
 * weights with linear; outside the image the boundary rule (default mirror)
 * fills in. Gray-value steps then act on the image only, on values scaled to
 * [0, 1] for integer arrays (so `brightness: [-0.1, 0.1]` means 10% of full
 * scale) and as-is for float arrays.
 *
 * @param sample - image, and optionally label and weights of the same size.
 * @param pipeline - the steps, applied in order (e.g. {@link PAPER_AUGMENTATION}).
 * @param seed - a seed or a generator; the same seed gives the same result everywhere.
 * @returns the augmented sample (new arrays of the same types).
 * @example
 * ```ts
 * const out = augment({ image, label }, [
 *   { kind: 'elastic', sigma: 10 },
 *   { kind: 'rotate', range: [-30, 30] },
 *   { kind: 'flip' },
 *   { kind: 'gamma', range: [0.8, 1.2] },
 * ], 42);
 * ```
 */
export function augment<S extends Sample>(sample: S, pipeline: readonly AugmentOp[], seed: number | Random, options: AugmentOptions = {}): S {
  checkPipeline(pipeline);
  checkImageArray('sample.image', sample.image);
  const { width, height } = sample.image;
  for (const key of ['label', 'weights'] as const) {
    const part = sample[key];
    if (part === undefined) continue;
    checkImageArray(`sample.${key}`, part);
    if (part.width !== width || part.height !== height) {
      throw new ArgumentError(`sample.${key}`, `must be ${width}x${height} like sample.image`, `${part.width}x${part.height}`);
    }
  }
  const random = typeof seed === 'number' ? new Random(seed) : seed;
  const geometry = new Random(random.nextUint32());
  const gray = new Random(random.nextUint32());
  const { ys, xs } = geometricMap(pipeline, height, width, geometry);
  const boundary = options.boundary ?? 'mirror';
  const moved = <T extends TypedArray>(part: ImageArray<T>, order: Order) => resample(part, ys, xs, width, { order, boundary });
  const image = grayValues(moved(sample.image, options.imageOrder ?? 'cubic'), pipeline, gray);
  return {
    ...sample,
    image,
    ...(sample.label === undefined ? {} : { label: moved(sample.label, 'nearest') }),
    ...(sample.weights === undefined ? {} : { weights: moved(sample.weights, options.weightsOrder ?? 'linear') }),
  };
}
