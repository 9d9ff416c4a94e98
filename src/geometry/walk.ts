/**
 * Size propagation through a spec graph, one spatial axis at a time. Every
 * geometry function is derived from this walk, so any spec works, not only
 * `unet()`'s.
 */
import { kindOf, nodeInputs } from '../spec/kinds.js';
import type { SpecNode } from '../spec/nodes.js';
import type { Spec } from '../spec/graph.js';

/** A node whose size rule broke, and why. */
export interface WalkFailure {
  readonly node: SpecNode;
  readonly reason: string;
}

/** The spatial size of every node (in spec order), or the first failure. */
export type WalkResult = { readonly sizes: Int32Array; readonly failure?: undefined } | { readonly failure: WalkFailure };

interface Plan {
  readonly nodes: readonly SpecNode[];
  readonly inputs: readonly (readonly number[])[];
  readonly outputIndex: number;
}

const plans = new WeakMap<Spec, Plan>();

function planOf(spec: Spec): Plan {
  let plan = plans.get(spec);
  if (plan === undefined) {
    const index = new Map(spec.nodes.map((n, i) => [n.name, i]));
    plan = {
      nodes: spec.nodes,
      inputs: spec.nodes.map((n) => nodeInputs(n).map((name) => index.get(name)!)),
      outputIndex: index.get(spec.output)!,
    };
    plans.set(spec, plan);
  }
  return plan;
}

/** Index of the output node within `spec.nodes`. */
export function outputIndex(spec: Spec): number {
  return planOf(spec).outputIndex;
}

/** Indices (into `spec.nodes`) of each node's inputs. */
export function inputIndices(spec: Spec): readonly (readonly number[])[] {
  return planOf(spec).inputs;
}

/**
 * Propagates one axis's size `size` from the input node through the graph.
 *
 * @returns every node's size, or the first node whose rule breaks.
 */
export function walkAxis(spec: Spec, size: number): WalkResult {
  const { nodes, inputs } = planOf(spec);
  const sizes = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const ins = inputs[i]!;
    const result = kindOf(node).size(node, ins.length === 0 ? [size] : ins.map((j) => sizes[j]!));
    if (typeof result === 'string') return { failure: { node, reason: result } };
    sizes[i] = result;
  }
  return { sizes };
}
