/**
 * What overlap-tile prediction needs to know about a network's tiles, with or
 * without a spec: a U-Net of this library answers from its spec
 * ({@link specGeometry}); an imported model (a bioimage.io package) answers
 * from its declared axes.
 */
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { alignment, checkInputSize, margin, outputSize, validInputSizes } from '../geometry/tiles.js';
import { layerTable } from '../geometry/table.js';

/**
 * The tile geometry of a network: which square input tiles it takes, what
 * each gives back, and what of the output to trust.
 *
 * @example
 * ```ts
 * const g = specGeometry(unet());
 * g.outputSize(572); // 388
 * g.margin;          // 92
 * ```
 */
export interface TileGeometry {
  /** Input channels. */
  readonly channels: number;
  /** Input pixels per side the output lacks (valid convolutions); 0 for same-size outputs. */
  readonly margin: number;
  /** Output pixels per side not to trust (a same-size output's border, bioimage.io's `halo`); 0 when every output pixel is exact. */
  readonly halo: number;
  /** Tile offsets are multiples of this (the network's total downsampling): the network is translation-equivariant only for such shifts. */
  readonly alignment: number;
  /** The output tile size for a valid input tile size. */
  outputSize(inputSize: number): number;
  /** The valid input tile sizes from `min` to `max`, ascending. */
  validInputSizes(min: number, max: number): number[];
  /** `size` when it is a valid input tile size, else an {@link ArgumentError} naming `inputSize` and the nearest valid sizes. */
  checkInputSize(size: number): number;
  /** Memory one tile's forward pass needs, in bytes (an estimate used to choose the tile size). */
  tileBytes(inputSize: number): number;
}

/**
 * The tile geometry of a U-Net spec: valid sizes, margin and alignment from
 * the spec, memory from its layer table.
 *
 * @example
 * ```ts
 * const g = specGeometry(unet({ depth: 4 }));
 * g.validInputSizes(500, 600); // [508, 524, 540, 556, 572, 588]
 * ```
 */
export function specGeometry(spec: Spec): TileGeometry {
  const input = spec.nodes[0]!;
  return {
    channels: input.kind === 'input' ? input.channels : 1,
    margin: margin(spec),
    halo: 0,
    alignment: alignment(spec),
    outputSize: (size) => outputSize(spec, size),
    validInputSizes: (min, max) => validInputSizes(spec, { min, max }),
    checkInputSize: (size) => checkInputSize(spec, size),
    // All activations of one tile (float32): an upper bound on what a forward pass holds.
    tileBytes: (size) => layerTable(spec, size).reduce((sum, row) => sum + row.height * row.width * row.channels * 4, 0),
  };
}

/**
 * The geometry of a network whose valid input sizes are `min + n * step` and
 * whose output has the input's size plus `offset` (negative for valid
 * convolutions: `offset = -2 * margin`), as bioimage.io axes declare them.
 * Memory is estimated as proportional to the tile's area, with `referenceSize`
 * (a size the model is known to run at) costing `referenceBytes`.
 *
 * @example
 * ```ts
 * const g = stepGeometry({ min: 64, step: 16, offset: 0, halo: 32, channels: 1, referenceSize: 512 });
 * g.validInputSizes(60, 100); // [64, 80, 96]
 * ```
 */
export function stepGeometry(options: {
  readonly min: number;
  readonly step: number;
  readonly offset: number;
  readonly halo: number;
  readonly channels: number;
  readonly referenceSize: number;
  readonly referenceBytes?: number;
}): TileGeometry {
  const { min, step, offset, halo, channels, referenceSize } = options;
  const referenceBytes = options.referenceBytes ?? 256 * 2 ** 20;
  const valid = (size: number) => Number.isInteger(size) && size >= min && (step === 0 ? size === min : (size - min) % step === 0);
  return {
    channels,
    margin: Math.max(0, -offset / 2),
    halo,
    // A same-size network downsamples by its step (a U-Net of depth d has step 2^d); a fixed size has no shift to keep.
    alignment: Math.max(1, step),
    outputSize: (size) => size + offset,
    validInputSizes: (lo, hi) => {
      if (step === 0) return min >= lo && min <= hi ? [min] : [];
      const sizes: number[] = [];
      for (let s = min + Math.max(0, Math.ceil((lo - min) / step)) * step; s <= hi; s += step) sizes.push(s);
      return sizes;
    },
    checkInputSize: (size) => {
      if (valid(size)) return size;
      const below = step === 0 || size < min ? undefined : min + Math.floor((size - min) / step) * step;
      const above = size < min ? min : step === 0 ? undefined : min + Math.ceil((size - min) / step) * step;
      const near = [below, above].filter((s) => s !== undefined && s !== size).join(' or ');
      throw new ArgumentError('inputSize', `must be ${step === 0 ? min : `${min} + n * ${step}`} for this model${near === '' ? '' : ` (nearest: ${near})`}`, size);
    },
    tileBytes: (size) => referenceBytes * (size / referenceSize) ** 2,
  };
}
