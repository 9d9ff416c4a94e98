/**
 * Size propagation through a spec graph, one spatial axis at a time. Every
 * geometry function is derived from this walk, so any spec works, not only
 * `unet()`'s.
 */
import { nodeInputs, type SpecNode } from '../spec/nodes.js';
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
    const n = ins.length === 0 ? size : sizes[ins[0]!]!;
    const result = nodeSize(node, n, ins.map((j) => sizes[j]!));
    if (typeof result === 'string') return { failure: { node, reason: result } };
    sizes[i] = result;
  }
  return { sizes };
}

/** The output size of one node given its first input's size, or the reason it fails. */
function nodeSize(node: SpecNode, n: number, inputSizes: readonly number[]): number | string {
  const vanish = (out: number, what: string) =>
    out >= 1 ? out : `${what} \`${node.name}\` would shrink a ${n}-pixel map to ${out}`;
  switch (node.kind) {
    case 'input':
      return n >= 1 ? n : `the input must be at least 1 pixel, got ${n}`;
    case 'conv':
      return node.padding === 'same' ? n : vanish(n - (node.kernelSize - 1), `valid ${node.kernelSize}x${node.kernelSize} conv`);
    case 'pool':
      return n % node.size === 0
        ? n / node.size
        : `${node.size}x${node.size} max-pool \`${node.name}\` would see ${node.size === 2 ? 'an odd' : 'an indivisible'} size (${n})`;
    case 'upconv':
    case 'upsample':
      return n * node.factor;
    case 'crop': {
      const reference = inputSizes[1]!;
      if (n < reference) return `crop \`${node.name}\` would need to grow ${n} to ${reference}`;
      return (n - reference) % 2 === 0
        ? reference
        : `crop \`${node.name}\` cannot center-crop ${n} to ${reference} (odd difference)`;
    }
    case 'trim':
      return vanish(n - 2 * node.pixels, 'trim');
    case 'concat':
      return inputSizes.every((s) => s === n)
        ? n
        : `concat \`${node.name}\` would join maps of different sizes (${inputSizes.join(', ')})`;
    case 'batchNorm':
    case 'activation':
    case 'dropout':
    case 'output':
      return n;
  }
}
