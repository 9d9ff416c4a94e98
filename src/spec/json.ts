/**
 * JSON round trip of specs. `specFromJSON` treats its input as untrusted:
 * every field is validated, sizes are bounded, and a spec made by a builder
 * must have exactly the nodes its recorded options build (the builder is
 * looked up in the registry of `builders.ts`).
 */
import { checkKnownKeys, checkRecord, SpecError } from './errors.js';
import { specBuilder } from './builders.js';
import { graph, SPEC_FORMAT, SPEC_VERSION, type Spec } from './graph.js';

/** Spec versions `specFromJSON` reads: 1 (before `builder`: `unet()` options or none) and the current one. */
const READABLE_VERSIONS: readonly number[] = [1, SPEC_VERSION];

/** Largest JSON text `specFromJSON` parses (characters). */
export const MAX_SPEC_JSON_LENGTH = 4_000_000;

/**
 * Serialises a spec to JSON text. `specFromJSON(specToJSON(spec))` deep-equals `spec`.
 *
 * @param spec - the spec.
 * @param indent - optional indentation for readability.
 * @example
 * ```ts
 * const text = specToJSON(unet({ depth: 2 }));
 * const again = specFromJSON(text);
 * ```
 */
export function specToJSON(spec: Spec, indent?: number): string {
  return JSON.stringify(spec, null, indent);
}

/**
 * Parses and validates a spec from JSON text (or an already-parsed value).
 *
 * @param json - JSON text, or the parsed object.
 * @returns a frozen spec equal to the one serialised.
 * @throws {@link SpecError} naming the offending field when the input is not a valid spec.
 * @example
 * ```ts
 * const spec = specFromJSON(fs.readFileSync('unet.json', 'utf8'));
 * ```
 */
export function specFromJSON(json: unknown): Spec {
  let value = json;
  if (typeof json === 'string') {
    if (json.length > MAX_SPEC_JSON_LENGTH) {
      throw new SpecError('json', `must be at most ${MAX_SPEC_JSON_LENGTH} characters`, `text of ${json.length} characters`);
    }
    try {
      value = JSON.parse(json) as unknown;
    } catch (error) {
      throw new SpecError('json', `must be valid JSON (${(error as Error).message})`, json);
    }
  }
  const record = checkRecord('spec', value);
  checkKnownKeys('spec', record, ['format', 'version', 'name', 'builder', 'options', 'nodes', 'output']);
  if (record.format !== SPEC_FORMAT) throw new SpecError('spec.format', `must be '${SPEC_FORMAT}'`, record.format);
  if (typeof record.version !== 'number' || !READABLE_VERSIONS.includes(record.version)) {
    throw new SpecError('spec.version', `must be ${READABLE_VERSIONS.join(' or ')} (the spec versions this library reads)`, record.version);
  }
  const hasOptions = record.options !== null && record.options !== undefined;
  // Version 1 had one builder, unet(), recorded by its options alone.
  const builderName = record.version === 1 ? (hasOptions ? 'unet' : null) : (record.builder ?? null);
  if (record.version === 1 && record.builder !== undefined) throw new SpecError('spec.builder', 'must be absent in a version 1 spec', record.builder);
  const definition = { name: record.name as string, nodes: record.nodes as Spec['nodes'], output: record.output as string };
  if (builderName === null) {
    if (hasOptions) throw new SpecError('spec.options', 'must be null when spec.builder is null (a hand-built graph has no builder options)', record.options);
    return graph(definition);
  }
  if (typeof builderName !== 'string') throw new SpecError('spec.builder', 'must be the name of a registered builder or null', builderName);
  const builder = specBuilder(builderName, 'spec.builder');
  let options: unknown;
  try {
    options = builder.resolve(record.options ?? {});
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(`spec.options.${error.argument}`, error.rule, error.received);
    throw error;
  }
  const built = builder.build(options);
  const parsed = graph({ ...definition, builder: builder.name, options });
  if (specToJSON(parsed) !== specToJSON(built)) {
    throw new SpecError(
      'spec.nodes',
      `must be exactly the graph that spec.options builds with builder '${builder.name}' (set builder and options to null for a hand-edited graph)`,
      `${parsed.nodes.length} nodes`,
    );
  }
  return built;
}
