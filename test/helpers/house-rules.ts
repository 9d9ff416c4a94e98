// The house rules of src/ as a pure function of the source files, so the
// architecture test can show each rule failing on a planted violation.
import { posix } from 'node:path';

/** Source files by path relative to src/ ('core/errors.ts'), posix separators. */
export type SourceTree = ReadonlyMap<string, string>;

/** An import of a file: what it names, and whether it is erased at run time. */
export interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** Packages and built-ins that only run under Node: allowed in node/ and cli/ only. */
export const NODE_ONLY = /^(node:|sharp$|cli-progress$|onnxruntime-node$|bullmq$|ioredis$|worker_threads$|fs$|path$|os$|child_process$)/;

/** Rooms free of models: they may import the ground floor and themselves, never spec, geometry or compile. */
export const MODEL_FREE = ['augment', 'loss'] as const;

/**
 * The layers of src/, bottom up: a room imports only rooms of a lower layer
 * (and itself). The ground floor; the pure spec and the model-free rooms; the
 * tile geometry and the metrics (which form objects with regions/); the tfjs
 * compiler; overlap-tile inference (which defines the tile predictor any
 * engine implements); ONNX (export, sessions as tile predictors, the training
 * graph); the training loop; the planner; the root entry; the Node quarantine;
 * the command.
 */
export const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  spec: 1,
  augment: 1,
  loss: 1,
  regions: 1,
  backend: 1,
  geometry: 2,
  metrics: 2,
  compile: 3,
  infer: 4,
  onnx: 5,
  train: 6,
  plan: 7,
  zoo: 7,
  'index.ts': 8,
  node: 9,
  browser: 9,
  cli: 10,
};

/** Static imports, re-exports, dynamic `import('...')` and `importOptional('...')` of a source text (comments ignored). */
export function importsOf(source: string): ImportRef[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)(\s+type)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/g)) {
    refs.push({ specifier: m[3]!, typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) refs.push({ specifier: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g)) refs.push({ specifier: m[1]!, typeOnly: false });
  // Optional peers imported on first use (node/optional.ts) are imports too.
  for (const m of text.matchAll(/\bimportOptional(?:<[^(]*>)?\(\s*['"]([^'"]+)['"]/g)) refs.push({ specifier: m[1]!, typeOnly: false });
  return refs;
}

/** The room of a file: its first folder under src/, or the file name for top-level files. */
export const roomOf = (path: string): string => path.split('/')[0]!;

/** The src/-relative .ts path a relative specifier of `from` points at. */
export function resolveRelative(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** Files reachable from `entry` through relative imports (type-only ones included). */
export function reachableFrom(tree: SourceTree, entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file) || !tree.has(file)) continue;
    seen.add(file);
    for (const { specifier } of importsOf(tree.get(file)!)) if (specifier.startsWith('.')) stack.push(resolveRelative(file, specifier));
  }
  return seen;
}

/**
 * Every broken rule, one line each (empty when the house is in order):
 * 1. the ground floor (core/) imports nothing outside core/, no package;
 * 2. model-free rooms (augment/, loss/) import only core/ and themselves (and tfjs);
 * 3. spec/ imports only core/ and spec/, geometry/ only core/, spec/ and geometry/; neither imports tfjs;
 * 4. Node-only imports (node:*, sharp, cli-progress, onnxruntime-node, bullmq, ioredis) live in node/ and cli/ only;
 * 5. nothing reachable from the root entry (index.ts) is in node/ or cli/ or imports a Node-only package;
 * 6. nothing outside cli/ imports cli/; only node/ and cli/ import node/; only browser/ imports browser/;
 * 7. every other import goes down the {@link LAYERS} (type-only imports too).
 */
export function houseViolations(tree: SourceTree): string[] {
  const out: string[] = [];
  for (const [file, text] of tree) {
    const room = roomOf(file);
    for (const { specifier } of importsOf(text)) {
      const relative = specifier.startsWith('.');
      const target = relative ? roomOf(resolveRelative(file, specifier)) : undefined;
      const says = `${file} imports '${specifier}'`;
      const before = out.length;
      if (room === 'core' && target !== 'core') out.push(`${says}: the ground floor (core/) imports nothing outside itself`);
      if ((MODEL_FREE as readonly string[]).includes(room)) {
        if (relative && target !== 'core' && target !== room) out.push(`${says}: ${room}/ is free of models and imports only core/ and itself`);
      }
      if (room === 'spec' && relative && !['core', 'spec'].includes(target!)) out.push(`${says}: spec/ imports only core/ and spec/`);
      if (room === 'geometry' && relative && !['core', 'spec', 'geometry'].includes(target!)) out.push(`${says}: geometry/ imports only core/, spec/ and geometry/`);
      if ((room === 'spec' || room === 'geometry') && specifier.startsWith('@tensorflow/')) out.push(`${says}: ${room}/ is pure and imports no tfjs`);
      if (!relative && NODE_ONLY.test(specifier) && room !== 'node' && room !== 'cli') out.push(`${says}: Node-only imports live in node/ or cli/`);
      if (relative && target === 'cli' && room !== 'cli') out.push(`${says}: nothing imports cli/`);
      if (relative && target === 'node' && room !== 'node' && room !== 'cli') out.push(`${says}: only node/ and cli/ import node/`);
      if (relative && target === 'browser' && room !== 'browser') out.push(`${says}: only browser/ imports browser/`);
      const from = LAYERS[room];
      const to = target === undefined ? undefined : LAYERS[target];
      if (out.length === before && from !== undefined && to !== undefined && target !== room && to >= from) {
        out.push(`${says}: ${room}/ (layer ${from}) imports only the layers below it, and ${target}/ is layer ${to} (docs/architecture.md)`);
      }
    }
  }
  for (const file of reachableFrom(tree, 'browser/index.ts')) {
    for (const { specifier, typeOnly } of importsOf(tree.get(file)!)) {
      if (!typeOnly && NODE_ONLY.test(specifier)) out.push(`${file} imports '${specifier}' and is reachable from the browser entry: tfjs-unet/browser imports nothing Node-only`);
    }
  }
  for (const room of new Set([...tree.keys()].map(roomOf))) if (LAYERS[room] === undefined) out.push(`${room} is in no layer: add it to LAYERS and docs/architecture.md`);
  for (const file of reachableFrom(tree, 'index.ts')) {
    const room = roomOf(file);
    if (room === 'node' || room === 'cli' || room === 'browser') out.push(`${file} is reachable from the root entry index.ts: the core, safe in a browser and in Node, must not reach ${room}/`);
    for (const { specifier, typeOnly } of importsOf(tree.get(file)!)) {
      if (!typeOnly && NODE_ONLY.test(specifier)) {
        out.push(`${file} imports '${specifier}' and is reachable from the root entry index.ts: the browser-safe core imports nothing Node-only`);
      }
    }
  }
  return [...new Set(out)];
}
