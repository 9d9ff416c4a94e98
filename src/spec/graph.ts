/**
 * The spec: a validated, frozen layer graph. `graph()` is the one door every
 * spec passes through, whether built by `unet()`, by hand from blocks, or
 * parsed from JSON.
 */
import { checkKnownKeys, checkOneOf, checkRecord, SpecError } from './errors.js';
import { checkName, kindOf, NODE_KIND_TABLE, nodeInputs, SPEC_LIMITS, type FieldParser } from './kinds.js';
import { NODE_KINDS, type SpecNode } from './nodes.js';

export { SPEC_LIMITS };

/** The `format` tag of every spec. */
export const SPEC_FORMAT = 'tfjs-unet/spec';
/** The spec schema version this library writes (it reads 1 and 2; version 1 had no `builder` field). */
export const SPEC_VERSION = 2;

/**
 * A U-Net (or any encoder-decoder) as data: a topologically ordered list of
 * nodes, the name of the output node, and the builder and options that
 * produced it (both `null` for hand-built graphs). Frozen and JSON-serialisable.
 *
 * @typeParam O - the builder options, with literal types preserved.
 */
export interface Spec<O = unknown> {
  readonly format: typeof SPEC_FORMAT;
  readonly version: typeof SPEC_VERSION;
  /** A model name, used as the tfjs model name. */
  readonly name: string;
  /** The registered builder that made this spec (`'unet'`, ...), or `null` for a hand-built graph. */
  readonly builder: string | null;
  /** The resolved options of the builder that made this spec, or `null`. */
  readonly options: O;
  /** Nodes in topological order; the first is the only `input` node. */
  readonly nodes: readonly SpecNode[];
  /** Name of the node whose output is the network output. */
  readonly output: string;
}

/** What {@link graph} takes. */
export interface GraphDefinition<O = null> {
  readonly name: string;
  readonly nodes: readonly SpecNode[];
  readonly output: string;
  /** The registered builder making this graph (see `registerBuilder`), so `specFromJSON` can rebuild it. */
  readonly builder?: string | null;
  readonly options?: O;
}

/**
 * Checks one node of untrusted origin and returns a frozen copy holding only its known fields.
 *
 * @param value - the candidate node.
 * @param path - where it sits, for error messages (e.g. `nodes[3]`).
 * @throws {@link SpecError} naming the field, the rule and the value received.
 */
export function parseNode(value: unknown, path: string): SpecNode {
  const record = checkRecord(path, value);
  const kind = checkOneOf(`${path}.kind`, record.kind, NODE_KINDS);
  checkName(`${path}.name`, record.name);
  const parsers = Object.entries(NODE_KIND_TABLE[kind].fields) as [string, FieldParser<unknown>][];
  const fields = parsers.map(([field]) => field);
  checkKnownKeys(path, record, ['kind', 'name', ...fields]);
  for (const field of fields) {
    if (!(field in record)) throw new SpecError(`${path}.${field}`, `is required for a '${kind}' node`, undefined);
  }
  const copy: Record<string, unknown> = { kind, name: record.name };
  for (const [field, parse] of parsers) {
    const v = parse(record[field], `${path}.${field}`);
    copy[field] = Array.isArray(v) ? Object.freeze([...v]) : v;
  }
  return Object.freeze(copy) as unknown as SpecNode;
}

/**
 * Validates a layer graph and returns it as a frozen {@link Spec}. Every spec
 * goes through here: node fields are checked, names must be unique, every
 * reference must point to an earlier node (so the graph is acyclic and in
 * topological order), the first node is the only `input`, and every node
 * feeds the output.
 *
 * @param definition - name, nodes, output node name, and optional builder options.
 * @returns the frozen spec.
 * @throws {@link SpecError} on the first rule broken.
 * @example
 * ```ts
 * const spec = graph({
 *   name: 'tiny',
 *   nodes: [
 *     { kind: 'input', name: 'image', channels: 1 },
 *     ...encoderBlock({ level: 1, input: 'image', filters: 8 }),
 *   ],
 *   output: 'enc1_conv2',
 * });
 * ```
 */
export function graph<const O = null>(definition: GraphDefinition<O>): Spec<O> {
  const record = checkRecord('spec', definition);
  const name = checkName('name', record.name);
  if (!Array.isArray(record.nodes) || record.nodes.length < 2 || record.nodes.length > SPEC_LIMITS.maxNodes) {
    throw new SpecError('nodes', `must be an array of 2 to ${SPEC_LIMITS.maxNodes} nodes`, record.nodes);
  }
  const nodes = record.nodes.map((n, i) => parseNode(n, `nodes[${i}]`));
  const seen = new Set<string>();
  nodes.forEach((node, i) => {
    if (seen.has(node.name)) throw new SpecError(`nodes[${i}].name`, 'must be unique within the spec', node.name);
    if ((node.kind === 'input') !== (i === 0)) {
      throw new SpecError(`nodes[${i}].kind`, "must be 'input' for the first node and only for it", node.kind);
    }
    nodeInputs(node).forEach((input, j) => {
      if (!seen.has(input)) {
        throw new SpecError(`nodes[${i}] (${node.name}) input #${j + 1}`, 'must name an earlier node', input);
      }
    });
    seen.add(node.name);
  });
  checkChannels(nodes);
  const output = checkName('output', record.output);
  if (!seen.has(output)) throw new SpecError('output', 'must name a node of the spec', output);
  checkAllReachOutput(nodes, output);
  return deepFreeze({
    format: SPEC_FORMAT,
    version: SPEC_VERSION,
    name,
    builder: record.builder === undefined || record.builder === null ? null : checkName('builder', record.builder),
    options: (definition.options ?? null) as O,
    nodes,
    output,
  });
}

/** Refuses nodes whose inputs' channel counts do not fit together (an add of 8 and 16 channels). */
function checkChannels(nodes: readonly SpecNode[]): void {
  const channels = new Map<string, number>();
  nodes.forEach((node, i) => {
    const c = kindOf(node).channels(node, nodeInputs(node).map((name) => channels.get(name)!));
    if (typeof c === 'string') throw new SpecError(`nodes[${i}] (${node.name})`, `must combine inputs whose channel counts fit: ${c}`, nodeInputs(node));
    channels.set(node.name, c);
  });
}

function checkAllReachOutput(nodes: readonly SpecNode[], output: string): void {
  const used = new Set<string>([output]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (used.has(node.name)) for (const input of nodeInputs(node)) used.add(input);
  }
  const unused = nodes.find((n) => !used.has(n.name));
  if (unused !== undefined) {
    throw new SpecError(`nodes[${nodes.indexOf(unused)}]`, 'must contribute to the output node (dead nodes are not allowed)', unused.name);
  }
}

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** Looks a node up by name. @throws when absent. */
export function nodeByName(spec: Spec, name: string): SpecNode {
  const node = spec.nodes.find((n) => n.name === name);
  if (node === undefined) throw new SpecError('name', `must name a node of spec '${spec.name}'`, name);
  return node;
}
