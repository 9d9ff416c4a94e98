// The house rules (test/helpers/house-rules.ts) hold for src/, and each one
// fails on a violation planted into a copy of the tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { houseViolations, importsOf, reachableFrom, type SourceTree } from './helpers/house-rules.js';

const root = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const tree: SourceTree = new Map(files(root).map((path) => [relative(root, path).split(/[\\/]/).join('/'), readFileSync(path, 'utf8')]));

/** The tree with `line` added at the top of `file`. */
function planted(file: string, line: string): SourceTree {
  expect(tree.has(file), file).toBe(true);
  return new Map([...tree, [file, `${line}\n${tree.get(file)!}`]]);
}

describe('module boundaries', () => {
  it('src/ keeps every house rule', () => {
    expect(houseViolations(tree)).toEqual([]);
  });

  it('bench/ measures the library through its public entries only (src/index.ts, src/node/index.ts)', () => {
    const benchRoot = join(import.meta.dirname, '..', 'bench');
    const internal = files(benchRoot).flatMap((path) =>
      importsOf(readFileSync(path, 'utf8'))
        .map((ref) => ref.specifier)
        .filter((s) => s.includes('/src/') && !/\/src\/(node\/)?index\.js$/.test(s))
        .map((s) => `${relative(benchRoot, path)} imports ${s}`),
    );
    expect(internal).toEqual([]);
    expect(files(benchRoot).length).toBeGreaterThan(5);
  });

  it('reads the files it checks: imports of every form, the root entry reaching the rooms', () => {
    expect(tree.size).toBeGreaterThan(80);
    expect(importsOf(tree.get('compile/build.ts')!).map((r) => r.specifier)).toContain('@tensorflow/tfjs');
    expect(importsOf(tree.get('node/onnx-files.ts')!).map((r) => r.specifier)).toContain('onnxruntime-node');
    expect(importsOf("import type { A } from './a.js';\nexport * from './b.js';\nawait import(/* x */ 'c');\nawait importOptional<T>('d', 'why');")).toEqual([
      { specifier: './a.js', typeOnly: true },
      { specifier: './b.js', typeOnly: false },
      { specifier: 'c', typeOnly: false },
      { specifier: 'd', typeOnly: false },
    ]);
    const reached = reachableFrom(tree, 'index.ts');
    for (const file of ['core/errors.ts', 'spec/graph.ts', 'compile/build.ts', 'train/engine.ts', 'onnx/training/gradients.ts', 'backend/kernels.ts']) expect(reached, file).toContain(file);
    expect([...reached].filter((f) => f.startsWith('node/'))).toEqual([]);
    expect(reachableFrom(tree, 'node/index.ts')).toContain('node/wasm-threads.ts');
    expect(reachableFrom(tree, 'browser/index.ts')).toContain('regions/masks.ts');
  });

  it('fails when the ground floor imports any room or package', () => {
    expect(houseViolations(planted('core/random.ts', "import { unet } from '../spec/unet.js';"))).toEqual([
      "core/random.ts imports '../spec/unet.js': the ground floor (core/) imports nothing outside itself",
    ]);
    expect(houseViolations(planted('core/image.ts', "import * as tf from '@tensorflow/tfjs';"))).toEqual([
      "core/image.ts imports '@tensorflow/tfjs': the ground floor (core/) imports nothing outside itself",
    ]);
  });

  it('fails when augment or loss import the model (spec, geometry, compile)', () => {
    expect(houseViolations(planted('loss/weight-map.ts', "import { outputSize } from '../geometry/tiles.js';"))).toEqual([
      "loss/weight-map.ts imports '../geometry/tiles.js': loss/ is free of models and imports only core/ and itself",
    ]);
    expect(houseViolations(planted('augment/elastic.ts', "import type { Spec } from '../spec/graph.js';"))).toEqual([
      "augment/elastic.ts imports '../spec/graph.js': augment/ is free of models and imports only core/ and itself",
    ]);
  });

  it('fails when spec or geometry import tfjs or a room above them', () => {
    expect(houseViolations(planted('geometry/walk.ts', "import * as tf from '@tensorflow/tfjs';"))).toEqual([
      "geometry/walk.ts imports '@tensorflow/tfjs': geometry/ is pure and imports no tfjs",
    ]);
    expect(houseViolations(planted('spec/unet.ts', "import { margin } from '../geometry/tiles.js';"))).toEqual([
      "spec/unet.ts imports '../geometry/tiles.js': spec/ imports only core/ and spec/",
    ]);
  });

  it('fails when browser-safe code imports node:*, sharp or onnxruntime-node', () => {
    const violations = houseViolations(planted('backend/kernels.ts', "import { readFileSync } from 'node:fs';"));
    expect(violations).toEqual([
      "backend/kernels.ts imports 'node:fs': Node-only imports live in node/ or cli/",
      "backend/kernels.ts imports 'node:fs' and is reachable from the root entry index.ts: the browser-safe core imports nothing Node-only",
    ]);
    expect(houseViolations(planted('train/engine.ts', "const ort = await import('onnxruntime-node');"))).toHaveLength(2);
    expect(houseViolations(planted('infer/predict.ts', "import sharp from 'sharp';"))).toHaveLength(2);
    expect(houseViolations(planted('onnx/predictor.ts', "const ort = await importOptional('onnxruntime-node', 'x');"))).toHaveLength(2);
  });

  it('fails when the root entry reaches node/ or anything imports cli/', () => {
    const violations = houseViolations(planted('infer/predict.ts', "import { readImage } from '../node/images.js';"));
    expect(violations).toContain("infer/predict.ts imports '../node/images.js': only node/ and cli/ import node/");
    expect(violations).toContain('node/images.ts is reachable from the root entry index.ts: the core, safe in a browser and in Node, must not reach node/');
    expect(violations.some((v) => v.startsWith("node/images.ts imports 'sharp' and is reachable from the root entry"))).toBe(true);
    expect(houseViolations(planted('node/index.ts', "import { main } from '../cli/main.js';"))).toEqual([
      "node/index.ts imports '../cli/main.js': nothing imports cli/",
    ]);
  });

  it('fails when the browser entry reaches Node, or another room imports browser/', () => {
    expect(houseViolations(planted('browser/images.ts', "import { readFile } from 'node:fs/promises';"))).toEqual([
      "browser/images.ts imports 'node:fs/promises': Node-only imports live in node/ or cli/",
      "browser/images.ts imports 'node:fs/promises' and is reachable from the browser entry: tfjs-unet/browser imports nothing Node-only",
    ]);
    expect(houseViolations(planted('browser/dataset.ts', "import { readImage } from '../node/images.js';"))).toContain(
      "browser/dataset.ts imports '../node/images.js': only node/ and cli/ import node/",
    );
    const upward = houseViolations(planted('infer/predict.ts', "import { decodeImage } from '../browser/images.js';"));
    expect(upward).toContain("infer/predict.ts imports '../browser/images.js': only browser/ imports browser/");
    expect(upward).toContain('browser/images.ts is reachable from the root entry index.ts: the core, safe in a browser and in Node, must not reach browser/');
    expect(houseViolations(planted('node/images.ts', "import { decodeImage } from '../browser/images.js';"))).toEqual([
      "node/images.ts imports '../browser/images.js': only browser/ imports browser/",
    ]);
  });

  it('fails when an import goes up the layers (type-only imports too), or a room is in no layer', () => {
    expect(houseViolations(planted('infer/predict.ts', "import type { OnnxLayout } from '../onnx/export.js';"))).toEqual([
      "infer/predict.ts imports '../onnx/export.js': infer/ (layer 4) imports only the layers below it, and onnx/ is layer 5 (docs/architecture.md)",
    ]);
    expect(houseViolations(planted('compile/build.ts', "import { train } from '../train/train.js';"))).toEqual([
      "compile/build.ts imports '../train/train.js': compile/ (layer 3) imports only the layers below it, and train/ is layer 6 (docs/architecture.md)",
    ]);
    // Rooms of one layer do not import each other either.
    expect(houseViolations(planted('regions/thinning.ts', "import { dice } from '../metrics/pixels.js';"))).toEqual([
      "regions/thinning.ts imports '../metrics/pixels.js': regions/ (layer 1) imports only the layers below it, and metrics/ is layer 2 (docs/architecture.md)",
    ]);
    expect(houseViolations(new Map([...tree, ['lab/x.ts', "export const x = 1;"]]))).toEqual(['lab is in no layer: add it to LAYERS and docs/architecture.md']);
  });
});
