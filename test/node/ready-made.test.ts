// Ready-made models: a bare name resolves to the package in tfjs-unet-models (paths that exist and
// non-names pass through), unknown names and a missing package are refused naming what exists; the
// shipped packages validate against the bioimage.io schema, reproduce their own test tensors through
// their ONNX weights, and the tfjs weights beside them predict the same.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse as parseYaml } from 'yaml';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../helpers/bioimageio-schema.js';
import { ArgumentError, loadBioimageioModel, loadStartingModel, modelPath, predictTiled, readNpy, readyMadeModels, type ReadyMadeModel } from '../../src/node/index.js';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const shipped = existsSync(join(MODELS, 'index.json')) ? (JSON.parse(readFileSync(join(MODELS, 'index.json'), 'utf8')) as { models: ReadyMadeModel[] }).models : [];

async function fakePackage(names: readonly string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tfjs-unet-models-'));
  const models = names.map((name) => ({ name, file: `${name}.zip`, description: 'd', data: 'd', license: 'MIT', command: 'c', scores: {} }));
  await writeFile(join(root, 'index.json'), JSON.stringify({ models }));
  return root;
}

describe('modelPath', () => {
  it('turns a ready-made name into its package file and passes paths through', async () => {
    const root = await fakePackage(['toy-cells', 'other']);
    expect(await modelPath('toy-cells', 'model', root)).toBe(join(root, 'toy-cells.zip'));
    // Not names: paths, files with extensions, upper case; and a name that exists as a path wins.
    for (const value of ['runs/a/model', 'model.onnx', 'Toy', './toy-cells']) expect(await modelPath(value, 'model', root)).toBe(value);
    const here = await mkdtemp(join(tmpdir(), 'tfjs-unet-cwd-'));
    await mkdir(join(here, 'toy-cells'));
    const cwd = process.cwd();
    process.chdir(here);
    try {
      expect(await modelPath('toy-cells', 'model', root)).toBe('toy-cells');
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses an unknown name listing the models there, and names the package when it is not installed', async () => {
    const root = await fakePackage(['toy-cells', 'other']);
    const unknown = await modelPath('toy-cell', 'model', root).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ArgumentError);
    expect(String((unknown as Error).message)).toMatch(/`model`.*toy-cells, other.*toy-cell/s);
    const missing = await modelPath('em-membranes', 'from', null).catch((e: unknown) => e);
    expect(String((missing as Error).message)).toMatch(/`from`.*npm install tfjs-unet-models.*em-membranes/s);
    await writeFile(join(root, 'index.json'), '{ not json');
    await expect(readyMadeModels(root)).rejects.toThrow(/index\.json.*JSON list/);
  });

  it('finds the models package of this repository (a workspace) by default', async () => {
    const found = await readyMadeModels();
    expect(found?.models.map((m) => m.name)).toEqual(shipped.map((m) => m.name));
  });
});

describe.skipIf(shipped.length === 0)('the shipped ready-made models', () => {
  it.each(shipped.map((m) => [m.name, m] as const))('%s: validates, reproduces its test tensors, and its tfjs weights predict as its ONNX weights', async (name, entry) => {
    const path = await modelPath(name, 'model', MODELS);
    expect(path).toBe(join(MODELS, entry.file));
    const files = unzipSync(new Uint8Array(await readFile(path)));
    const rdf = parseYaml(new TextDecoder().decode(files['rdf.yaml'])) as { license: string; documentation: string };
    expect(rdf.license).toBe(entry.license);
    // The README carries the command and every score the index lists.
    const readme = new TextDecoder().decode(files['README.md']);
    expect(readme).toContain(entry.command);
    for (const [metric, value] of Object.entries(entry.scores)) expect(readme).toContain(`| ${metric} | ${value.toFixed(4)} |`);
    expect(schemaErrors(rdf, '0_5') ?? []).toEqual([]);
    const pkg = await loadBioimageioModel(path, { threads: 2 });
    expect(pkg.check.absent).toEqual([]);
    expect((await pkg.test()).maxAbsDifference).toBeLessThan(1e-4);
    // The tfjs weights (what train --from starts from) on the test input predict what the ONNX weights do.
    // A corner of the test input as large as the largest tile up to 128 px (tfjs on the test backend is slow).
    const x = readNpy(files['test_input.npy']!);
    const [, channels, full] = x.shape as [number, number, number, number];
    const size = pkg.layout.geometry.validInputSizes(1, Math.min(128, full)).at(-1)!;
    const image = { data: Float32Array.from({ length: size * size * channels }, (_, i) => x.data[(i % channels) * full * full + Math.floor(Math.floor(i / channels) / size) * full + (Math.floor(i / channels) % size)]!), width: size, height: size, channels };
    const { model } = await loadStartingModel(path);
    const before = tf.memory().numTensors;
    // One tile of the whole test input on both sides, so both see the same context.
    const viaOnnx = await predictTiled(pkg.predictor, image, { inputSize: size });
    const viaTfjs = await predictTiled(model, image, { inputSize: size });
    const a = await viaOnnx.probabilities.data();
    const b = await viaTfjs.probabilities.data();
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeLessThan(1e-4);
    tf.dispose([viaOnnx.probabilities, viaOnnx.labels, viaTfjs.probabilities, viaTfjs.labels]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    await pkg.predictor.dispose();
  });
});
