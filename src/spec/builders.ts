/**
 * The registry of spec builders. Every spec records the builder that made it
 * (`spec.builder`, with its resolved `spec.options`), and `specFromJSON`
 * rebuilds it through this registry, so specs of every builder round-trip
 * and a spec whose nodes do not match its options is refused. The library's
 * builders are registered here; users add theirs with {@link registerBuilder}.
 */
import { SpecError } from './errors.js';
import type { Spec } from './graph.js';
import { checkName } from './kinds.js';
import { ARCHITECTURE_PRESETS, currentArchitectureName, type ArchitecturePreset, type ArchitecturePresetName } from './presets.js';
import { resolveUNetOptions, type ResolvedUNetOptions } from './options.js';
import { PLAIN_UNET, unet, unetNodes } from './unet.js';
import {
  attentionUnet,
  attentionUnetNodes,
  resolveAttentionUNetOptions,
  resolveResUNetOptions,
  resolveUNetPlusPlusOptions,
  resUnet,
  resUnetNodes,
  unetPlusPlus,
  unetPlusPlusNodes,
  type ResolvedResUNetOptions,
} from './family.js';

/** A function from options to specs, registered under `name` so its specs round-trip through JSON. */
export interface SpecBuilder<O = unknown> {
  /** The name the builder records in its specs' `builder` field. */
  readonly name: string;
  /** Checks untrusted options (e.g. from JSON) and resolves them as the builder records them. */
  readonly resolve: (options: unknown) => O;
  /** Builds the spec from resolved options; it must record `builder: name` and the options. */
  readonly build: (options: O) => Spec<O>;
  /**
   * Where deep-supervision heads attach in the spec these options build: node
   * names of decoder maps, the one nearest the output first (see
   * `supervisionPoints`). Optional: without it `train` takes the nodes from
   * `deepSupervision: ['node', ...]`.
   */
  readonly supervision?: (options: O) => readonly string[];
}

/** The U-Net of {@link unet}. */
export const UNET_BUILDER: SpecBuilder<ResolvedUNetOptions> = {
  name: 'unet',
  resolve: resolveUNetOptions,
  build: (options) => unet(options) as unknown as Spec<ResolvedUNetOptions>,
  supervision: (options) => unetNodes(options, PLAIN_UNET).supervision,
};

/** The residual U-Net of {@link resUnet}. */
export const RESUNET_BUILDER: SpecBuilder<ResolvedResUNetOptions> = { name: 'resUnet', resolve: resolveResUNetOptions, build: resUnet, supervision: (options) => resUnetNodes(options).supervision };

/** The attention U-Net of {@link attentionUnet}. */
export const ATTENTION_UNET_BUILDER: SpecBuilder<ResolvedUNetOptions> = {
  name: 'attentionUnet',
  resolve: resolveAttentionUNetOptions,
  build: attentionUnet,
  supervision: (options) => attentionUnetNodes(options).supervision,
};

/** U-Net++ of {@link unetPlusPlus}. */
export const UNET_PLUS_PLUS_BUILDER: SpecBuilder<ResolvedUNetOptions> = {
  name: 'unetPlusPlus',
  resolve: resolveUNetPlusPlusOptions,
  build: unetPlusPlus,
  supervision: (options) => unetPlusPlusNodes(options).supervision,
};

const registry = new Map<string, SpecBuilder>([UNET_BUILDER, RESUNET_BUILDER, ATTENTION_UNET_BUILDER, UNET_PLUS_PLUS_BUILDER].map((b) => [b.name, b as SpecBuilder]));

/**
 * Registers a builder so `specFromJSON` can rebuild its specs. Registering
 * the same builder object twice is harmless; another builder under a taken
 * name is refused.
 *
 * @throws {@link SpecError} when the name is not a valid name or is taken by another builder.
 * @example
 * ```ts
 * registerBuilder({ name: 'tinyNet', resolve: (o) => resolveTiny(o), build: (o) => tinyNet(o) });
 * specFromJSON(specToJSON(tinyNet({ width: 8 }))); // rebuilt through tinyNet
 * ```
 */
export function registerBuilder<O>(builder: SpecBuilder<O>): void {
  checkName('builder.name', builder.name);
  const taken = registry.get(builder.name);
  if (taken !== undefined && taken !== (builder as SpecBuilder)) throw new SpecError('builder.name', 'must not be the name of another registered builder', builder.name);
  registry.set(builder.name, builder as SpecBuilder);
}

/**
 * The builder registered under `name`.
 *
 * @throws {@link SpecError} naming the registered builders when there is none.
 * @example
 * ```ts
 * specBuilder('unet').build(specBuilder('unet').resolve({ depth: 2 }));
 * ```
 */
export function specBuilder(name: string, argument = 'builder'): SpecBuilder {
  // Specs saved by earlier versions name their builders the old way.
  const builder = registry.get(name) ?? registry.get(currentArchitectureName(name));
  if (builder === undefined) throw new SpecError(argument, `must name a registered builder (${[...registry.keys()].join(', ')}; see registerBuilder)`, name);
  return builder;
}

/**
 * Builds the spec of a named preset of the U-Net family, with optional
 * overrides of its options (classes, input channels, ...).
 *
 * @throws {@link SpecError} naming an unknown preset or a bad option.
 * @example
 * ```ts
 * const spec = presetSpec('resEncUnet', { classes: 3 });
 * spec.builder; // 'resUnet'
 * ```
 */
export function presetSpec(name: ArchitecturePresetName, overrides: Readonly<Record<string, unknown>> = {}): Spec {
  const preset = (ARCHITECTURE_PRESETS as Readonly<Record<string, ArchitecturePreset>>)[name];
  if (preset === undefined) throw new SpecError('preset', `must be one of ${Object.keys(ARCHITECTURE_PRESETS).map((k) => `'${k}'`).join(', ')}`, name);
  const builder = specBuilder(preset.builder);
  return builder.build(builder.resolve({ ...preset.options, ...overrides }));
}

/**
 * The names of the registered builders.
 *
 * @example
 * ```ts
 * registeredBuilders(); // ['unet', ...]
 * ```
 */
export function registeredBuilders(): string[] {
  return [...registry.keys()];
}
