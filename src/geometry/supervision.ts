/**
 * Where a deep-supervision head's prediction lies in the output window. A
 * head is a 1x1 convolution to the class scores on a hidden map at scale s
 * (one pixel per s x s input pixels). Every map of these networks is
 * centered on the input tile, so a head on an n-pixel map covers the central
 * n*s input pixels; with valid padding that can reach past the output window,
 * whose labels are all a training tile carries. The head is then trimmed to
 * its pixels whose s x s blocks lie wholly inside the window, and its target
 * is the window's labels pooled over those blocks.
 */
import type { Spec } from '../spec/graph.js';
import { SpecError } from '../spec/errors.js';
import { checkInputSize, nodeScales, outputSize } from './tiles.js';
import { walkAxis } from './walk.js';

/** One deep-supervision head of a training run, for one (square) tile size. */
export interface SupervisionHead {
  /** The head's layer name (`supervision_<k>`, k from 1). */
  readonly name: string;
  /** The spec node it reads. */
  readonly input: string;
  /** The node's resolution: input pixels per map pixel along an axis. */
  readonly scale: number;
  /** The node's size (pixels per axis) at this tile size. */
  readonly mapSize: number;
  /** Map pixels removed on every side, so the rest lies inside the output window. */
  readonly trim: number;
  /** The trimmed prediction's size: `mapSize - 2 * trim`. */
  readonly size: number;
  /** Where, in output-window pixels, the first kept block starts (per axis). */
  readonly offset: number;
}

/**
 * The heads for `nodes` at tile size `inputSize`: each head's scale, trim
 * and the window of output pixels its target pools.
 *
 * @throws {@link SpecError} naming `deepSupervision` when a node is not a map at an integer scale, is not
 *   centered on the output window, or keeps no pixel inside it; `InvalidTileSizeError` for a bad tile size.
 * @example
 * ```ts
 * // The paper's network at 572: the level-2 decoder map (196 px at scale 2) covers 392 px,
 * // 2 more per side than the 388 px output: 1 map pixel is trimmed on each side.
 * supervisionHeads(unet(), 572, ['dec2_conv2']); // [{ scale: 2, mapSize: 196, trim: 1, size: 194, offset: 0, ... }]
 * ```
 */
export function supervisionHeads(spec: Spec, inputSize: number, nodes: readonly string[]): SupervisionHead[] {
  const size = checkInputSize(spec, inputSize);
  const out = outputSize(spec, size);
  const walk = walkAxis(spec, size);
  if (walk.failure !== undefined) throw new Error('unreachable: the size was validated');
  const scales = nodeScales(spec);
  const index = new Map(spec.nodes.map((n, i) => [n.name, i]));
  const taken = new Set(spec.nodes.map((n) => n.name));
  return nodes.map((input, k) => {
    const argument = `deepSupervision[${k}]`;
    const at = index.get(input);
    if (at === undefined) throw new SpecError(argument, 'must name a node of the spec', input);
    const name = `supervision_${k + 1}`;
    if (taken.has(name)) throw new SpecError(argument, `needs the layer name '${name}', which a node of the spec already has`, input);
    const scale = scales.get(input)!;
    if (!Number.isInteger(scale) || scale < 1) throw new SpecError(argument, 'must name a map at an integer scale (1, 2, 4, ...) of the input', `${input} at scale ${scale}`);
    const mapSize = walk.sizes[at]!;
    const covered = mapSize * scale;
    if ((out - covered) % 2 !== 0) throw new SpecError(argument, `must name a map centered on the output window (${covered} px covered, ${out} px output)`, input);
    const trim = covered > out ? Math.ceil((covered - out) / (2 * scale)) : 0;
    const kept = mapSize - 2 * trim;
    if (kept < 1) throw new SpecError(argument, `must keep a pixel inside the ${out} px output window at tile size ${size}`, `${input}: ${mapSize} px at scale ${scale}`);
    return { name, input, scale, mapSize, trim, size: kept, offset: (out - covered) / 2 + trim * scale };
  });
}
