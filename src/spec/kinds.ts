/**
 * The table of node kinds: everything the library knows about a kind except
 * how to compile it. Graph validation, the geometry walk, the layer table,
 * the tile alignment and the summary all read this one table; the compilers
 * (tfjs layers, ONNX export, the ONNX training graph) are exhaustive visitors
 * beside it. Adding a kind is its interface in `nodes.ts`, one entry here
 * (the `Record` over {@link NodeKind} refuses to compile without it, and
 * {@link FieldParsers} ties the entry's fields to the interface's), and one
 * case per visitor (ts-pattern's `.exhaustive()` names the missing ones).
 */
import { checkBoolean, checkInteger, checkNumber, checkOneOf, checkPositiveInteger, SpecError } from './errors.js';
import {
  HIDDEN_ACTIVATIONS,
  INITIALIZERS,
  INTERPOLATIONS,
  OUTPUT_ACTIVATIONS,
  PADDINGS,
  type NodeKind,
  type SpecNode,
} from './nodes.js';

/** Size limits that keep hostile or mistyped specs from allocating absurd models. */
export const SPEC_LIMITS = Object.freeze({
  maxNodes: 4096,
  maxNameLength: 128,
  maxChannels: 16384,
  maxKernelSize: 31,
  maxFactor: 8,
});

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Throws unless `value` is a node or model name: letters, digits, underscores, starting with a letter. */
export function checkName(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > SPEC_LIMITS.maxNameLength || !NAME_PATTERN.test(value)) {
    throw new SpecError(
      argument,
      `must be a name of letters, digits and underscores starting with a letter, at most ${SPEC_LIMITS.maxNameLength} characters`,
      value,
    );
  }
  return value;
}

/** Checks an untrusted field value (at `path`, for messages) and returns it typed. */
export type FieldParser<T> = (value: unknown, path: string) => T;

/** One parser per field of node type `N` besides `kind` and `name`: no field missing, none extra. */
export type FieldParsers<N> = { readonly [K in Exclude<keyof N, 'kind' | 'name'>]-?: FieldParser<N[K]> };

/** The node of kind `K`. */
export type NodeOfKind<K extends NodeKind> = Extract<SpecNode, { readonly kind: K }>;

/** What the library knows about one node kind (its compilers aside). */
export interface KindDefinition<N extends SpecNode> {
  /** The kind's fields and how each is checked, in the order errors are reported. */
  readonly fields: FieldParsers<N>;
  /** The names of the nodes it reads, in order. */
  readonly inputs: (node: N) => readonly string[];
  /** Its output size along one axis from its inputs' sizes, or why that fails. */
  readonly size: (node: N, inputSizes: readonly number[]) => number | string;
  /** Its output channels from its inputs' channels, or why they do not fit together. */
  readonly channels: (node: N, inputChannels: readonly number[]) => number | string;
  /** Trainable and non-trainable parameter counts from its inputs' channels. */
  readonly params: (node: N, inputChannels: readonly number[]) => readonly [number, number];
  /** Its resolution as a divisor of the input's (1 at the input, 16 at a depth-4 U-Net's bottom) from its inputs'. */
  readonly scale: (node: N, inputScales: readonly number[]) => number;
  /** Its type in the summary table (Keras's class names where one exists). */
  readonly label: string;
}

const name: FieldParser<string> = (v, p) => checkName(p, v);
const channels: FieldParser<number> = (v, p) => checkPositiveInteger(p, v, SPEC_LIMITS.maxChannels);
const integer =
  (min: number, max: number): FieldParser<number> =>
  (v, p) =>
    checkInteger(p, v, min, max);
const number =
  (min: number, max: number, maxInclusive = false): FieldParser<number> =>
  (v, p) =>
    checkNumber(p, v, min, max, maxInclusive);
const oneOf =
  <const T extends readonly string[]>(allowed: T): FieldParser<T[number]> =>
  (v, p) =>
    checkOneOf(p, v, allowed);
const boolean: FieldParser<boolean> = (v, p) => checkBoolean(p, v);
const names: FieldParser<readonly string[]> = (v, p) => {
  if (!Array.isArray(v) || v.length < 2 || v.length > 64) throw new SpecError(p, 'must be an array of 2 to 64 node names', v);
  return v.map((item, i) => checkName(`${p}[${i}]`, item));
};

const first = (values: readonly number[]) => values[0]!;
const none = (): readonly [number, number] => [0, 0];
const one = (node: { readonly input: string }) => [node.input];
const vanish = (node: SpecNode, n: number, out: number, what: string) => (out >= 1 ? out : `${what} \`${node.name}\` would shrink a ${n}-pixel map to ${out}`);
const sameSizes = (node: SpecNode, sizes: readonly number[]) =>
  sizes.every((s) => s === sizes[0]) ? sizes[0]! : `${node.kind} \`${node.name}\` would join maps of different sizes (${sizes.join(', ')})`;

/** Kinds that pass size, channels and resolution through and have no parameters. */
function passThrough<N extends SpecNode & { readonly input: string }>(fields: FieldParsers<N>, label: string): KindDefinition<N> {
  return { fields, inputs: one, size: (_, [n]) => n!, channels: (_, c) => first(c), params: none, scale: (_, s) => first(s), label };
}

/**
 * Every node kind's definition, keyed by kind.
 *
 * @example
 * ```ts
 * NODE_KIND_TABLE.pool.size({ kind: 'pool', name: 'p', input: 'x', size: 2 }, [7]);
 * // '2x2 max-pool `p` would see an odd size (7)'
 * Object.keys(NODE_KIND_TABLE.conv.fields); // ['input', 'filters', 'kernelSize', ...]
 * ```
 */
export const NODE_KIND_TABLE: { readonly [K in NodeKind]: KindDefinition<NodeOfKind<K>> } = {
  input: {
    fields: { channels },
    inputs: () => [],
    size: (_, [n]) => (n! >= 1 ? n! : `the input must be at least 1 pixel, got ${n}`),
    channels: (node) => node.channels,
    params: none,
    scale: () => 1,
    label: 'Input',
  },
  conv: {
    fields: {
      input: name,
      filters: channels,
      kernelSize: integer(1, SPEC_LIMITS.maxKernelSize),
      padding: oneOf(PADDINGS),
      activation: oneOf(HIDDEN_ACTIVATIONS),
      useBias: boolean,
      initializer: oneOf(INITIALIZERS),
    },
    inputs: one,
    size: (node, [n]) => (node.padding === 'same' ? n! : vanish(node, n!, n! - (node.kernelSize - 1), `valid ${node.kernelSize}x${node.kernelSize} conv`)),
    channels: (node) => node.filters,
    params: (node, [c]) => [node.kernelSize * node.kernelSize * c! * node.filters + (node.useBias ? node.filters : 0), 0],
    scale: (_, s) => first(s),
    label: 'Conv2D',
  },
  batchNorm: {
    ...passThrough({ input: name, momentum: number(0, 1), epsilon: number(Number.MIN_VALUE, 1, true) }, 'BatchNorm'),
    params: (_, [c]) => [2 * c!, 2 * c!],
  },
  activation: passThrough({ input: name, activation: oneOf(HIDDEN_ACTIVATIONS) }, 'Activation'),
  pool: {
    fields: { input: name, size: integer(2, SPEC_LIMITS.maxFactor) },
    inputs: one,
    size: (node, [n]) =>
      n! % node.size === 0 ? n! / node.size : `${node.size}x${node.size} max-pool \`${node.name}\` would see ${node.size === 2 ? 'an odd' : 'an indivisible'} size (${n})`,
    channels: (_, c) => first(c),
    params: none,
    scale: (node, [s]) => s! * node.size,
    label: 'MaxPool2D',
  },
  dropout: passThrough({ input: name, rate: number(0, 1) }, 'Dropout'),
  upconv: {
    fields: { input: name, filters: channels, factor: integer(2, SPEC_LIMITS.maxFactor), initializer: oneOf(INITIALIZERS) },
    inputs: one,
    size: (node, [n]) => n! * node.factor,
    channels: (node) => node.filters,
    params: (node, [c]) => [node.factor * node.factor * c! * node.filters + node.filters, 0],
    scale: (node, [s]) => s! / node.factor,
    label: 'Conv2DTranspose',
  },
  upsample: {
    fields: { input: name, factor: integer(2, SPEC_LIMITS.maxFactor), interpolation: oneOf(INTERPOLATIONS) },
    inputs: one,
    size: (node, [n]) => n! * node.factor,
    channels: (_, c) => first(c),
    params: none,
    scale: (node, [s]) => s! / node.factor,
    label: 'UpSampling2D',
  },
  crop: {
    fields: { input: name, reference: name },
    inputs: (node) => [node.input, node.reference],
    size: (node, [n, reference]) => {
      if (n! < reference!) return `crop \`${node.name}\` would need to grow ${n} to ${reference}`;
      return (n! - reference!) % 2 === 0 ? reference! : `crop \`${node.name}\` cannot center-crop ${n} to ${reference} (odd difference)`;
    },
    channels: (_, c) => first(c),
    params: none,
    scale: (_, s) => first(s),
    label: 'CenterCrop',
  },
  trim: {
    fields: { input: name, pixels: integer(1, 4096) },
    inputs: one,
    size: (node, [n]) => vanish(node, n!, n! - 2 * node.pixels, 'trim'),
    channels: (_, c) => first(c),
    params: none,
    scale: (_, s) => first(s),
    label: 'Trim',
  },
  concat: {
    fields: { inputs: names },
    inputs: (node) => node.inputs,
    size: sameSizes,
    channels: (_, c) => c.reduce((a, b) => a + b, 0),
    params: none,
    scale: (_, s) => Math.max(...s),
    label: 'Concatenate',
  },
  add: {
    fields: { inputs: names },
    inputs: (node) => node.inputs,
    size: sameSizes,
    channels: (node, c) => (c.every((x) => x === c[0]) ? c[0]! : `add \`${node.name}\` would sum maps of different channel counts (${c.join(', ')})`),
    params: none,
    scale: (_, s) => Math.max(...s),
    label: 'Add',
  },
  multiply: {
    fields: { input: name, gate: name },
    inputs: (node) => [node.input, node.gate],
    size: sameSizes,
    channels: (node, [c, g]) =>
      g === 1 || g === c ? c! : `multiply \`${node.name}\` needs a gate of 1 or ${c} channels, got ${g}`,
    params: none,
    scale: (_, s) => Math.max(...s),
    label: 'Multiply',
  },
  output: passThrough({ input: name, activation: oneOf(OUTPUT_ACTIVATIONS) }, 'Output'),
};

/**
 * The table entry of a node's kind, typed for any node.
 *
 * @example
 * ```ts
 * kindOf(spec.nodes[1]).label; // 'Conv2D'
 * ```
 */
export function kindOf(node: SpecNode): KindDefinition<SpecNode> {
  return NODE_KIND_TABLE[node.kind] as unknown as KindDefinition<SpecNode>;
}

/**
 * The names of the nodes a node reads, in order.
 *
 * @example
 * ```ts
 * nodeInputs({ kind: 'crop', name: 'c', input: 'skip', reference: 'up' }); // ['skip', 'up']
 * ```
 */
export function nodeInputs(node: SpecNode): readonly string[] {
  return kindOf(node).inputs(node);
}
