/**
 * JSON round trip of specs. `specFromJSON` treats its input as untrusted:
 * every field is validated, sizes are bounded, and a spec carrying `unet()`
 * options must have exactly the nodes those options build.
 */
import { checkKnownKeys, checkRecord, SpecError } from './errors.js';
import { graph, SPEC_FORMAT, SPEC_VERSION, type Spec } from './graph.js';
import { resolveUNetOptions } from './options.js';
import { unet } from './unet.js';

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
  checkKnownKeys('spec', record, ['format', 'version', 'name', 'options', 'nodes', 'output']);
  if (record.format !== SPEC_FORMAT) throw new SpecError('spec.format', `must be '${SPEC_FORMAT}'`, record.format);
  if (record.version !== SPEC_VERSION) {
    throw new SpecError('spec.version', `must be ${SPEC_VERSION} (this library reads spec version ${SPEC_VERSION})`, record.version);
  }
  if (record.options === null || record.options === undefined) {
    return graph({ name: record.name as string, nodes: record.nodes as Spec['nodes'], output: record.output as string });
  }
  let options;
  try {
    options = resolveUNetOptions(record.options);
  } catch (error) {
    if (error instanceof SpecError) {
      throw new SpecError(`spec.options.${error.argument}`, error.rule, error.received);
    }
    throw error;
  }
  const built = unet(options);
  const parsed = graph({ name: record.name as string, nodes: record.nodes as Spec['nodes'], output: record.output as string, options });
  if (specToJSON(parsed) !== specToJSON(built)) {
    throw new SpecError(
      'spec.nodes',
      'must be exactly the graph that spec.options builds (set options to null for a hand-edited graph)',
      `${parsed.nodes.length} nodes`,
    );
  }
  return built;
}
