/**
 * Deep supervision, as data: where auxiliary heads attach to a spec and
 * which of those places a run supervises. The heads themselves are a
 * training matter (see `train`'s `deepSupervision`): the spec, the saved
 * model and every prediction path keep the one output.
 */
import { SpecError } from './errors.js';
import type { Spec } from './graph.js';
import { specBuilder } from './builders.js';

/**
 * Which maps a run supervises besides the output: `true` (nnU-Net's choice:
 * every place the builder declares but the coarsest, at least one), a count
 * (the first N places, nearest the output first), or node names (any spec,
 * hand-built graphs included). `false` or `0`: none.
 */
export type DeepSupervision = boolean | number | readonly string[];

/**
 * The nodes where the spec's builder attaches deep-supervision heads, the one
 * nearest the output first: for the U-Net family the decoder's level outputs
 * at 1/2, 1/4, ... of the resolution; for U-Net++ Zhou's nested
 * full-resolution maps `x0_<depth-1> .. x0_1`. Empty for hand-built graphs
 * and builders that declare none.
 *
 * @example
 * ```ts
 * supervisionPoints(unet({ depth: 3 })); // ['dec2_conv2', 'dec3_conv2'] (the level outputs at 1/2 and 1/4)
 * ```
 */
export function supervisionPoints(spec: Spec): readonly string[] {
  if (spec.builder === null) return [];
  const builder = specBuilder(spec.builder, 'spec.builder');
  return builder.supervision?.(spec.options) ?? [];
}

/**
 * The nodes a run supervises for a {@link DeepSupervision} option.
 *
 * @throws {@link SpecError} naming `deepSupervision` when the spec declares no places and none are named,
 *   a count exceeds the places, or a named node is missing, repeated or the output itself.
 * @example
 * ```ts
 * supervisedNodes(unet({ depth: 4 }), true); // the 1/2 and 1/4 level outputs (1/8 is left out, as nnU-Net does)
 * ```
 */
export function supervisedNodes(spec: Spec, option: DeepSupervision | undefined): readonly string[] {
  if (option === undefined || option === false || option === 0) return [];
  if (Array.isArray(option)) return checkNamed(spec, option as readonly unknown[]);
  const points = supervisionPoints(spec);
  if (points.length === 0) {
    throw new SpecError(
      'deepSupervision',
      `must name the nodes to supervise for this spec (builder ${spec.builder === null ? 'null: a hand-built graph' : `'${spec.builder}'`} declares no places for heads)`,
      option,
    );
  }
  if (option === true) return points.slice(0, Math.max(1, points.length - 1));
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 0 || option > points.length) {
    throw new SpecError('deepSupervision', `must be a boolean, an integer in [0, ${points.length}] (the places this spec has) or node names`, option);
  }
  return points.slice(0, option);
}

function checkNamed(spec: Spec, names: readonly unknown[]): readonly string[] {
  const known = new Set(spec.nodes.map((n) => n.name));
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !known.has(name)) throw new SpecError(`deepSupervision[${i}]`, 'must name a node of the spec', name);
    if (name === spec.output || name === spec.nodes[0]!.name) throw new SpecError(`deepSupervision[${i}]`, 'must name a hidden map (not the input or the output)', name);
    if (names.indexOf(name) !== i) throw new SpecError(`deepSupervision[${i}]`, 'must not repeat a node', name);
  });
  return names as readonly string[];
}
