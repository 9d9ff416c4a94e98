// bioimage.io packages: the spec's own example imported and checked against its test tensors; packages
// exported here validated against the spec's schema, reproducing their own test tensors, and predicting
// as the model they came from; broken packages refused before any output, naming the file or field.
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../helpers/bioimageio-schema.js';
import { buildModel, exportBioimageio, loadBioimageioModel, loadModel, margin, outputSize, predictTiled, readNpy, saveModel, unet, validInputSizes, type ImageArray } from '../../src/node/index.js';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'bioimageio');
const EXAMPLE = join(SHARED, 'unet2d_nuclei_broad');
const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-zoo-'));

/** A copy of the example package whose description is changed by `edit`. */
async function editedExample(edit: (rdf: string) => string, drop: readonly string[] = []): Promise<string> {
  const dir = join(await temp(), 'pkg');
  await cp(EXAMPLE, dir, { recursive: true });
  for (const name of await readdir(dir)) await import('node:fs/promises').then((fs) => fs.chmod(join(dir, name), 0o644));
  // The example's description has Windows line ends.
  await writeFile(join(dir, 'bioimageio.yaml'), edit((await readFile(join(dir, 'bioimageio.yaml'), 'utf8')).replace(/\r\n/g, '\n')));
  for (const name of drop) await rm(join(dir, name));
  return dir;
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor | ArrayLike<number>, channel?: number, channels = 1): Promise<number> {
  const x = await a.data();
  const y = b instanceof tf.Tensor ? await b.data() : b;
  let max = 0;
  const n = channel === undefined ? x.length : x.length / channels;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs((channel === undefined ? x[i]! : x[i * channels + channel]!) - y[i]!));
  return max;
}

describe.skipIf(!existsSync(EXAMPLE))("the spec's example package (unet2d_nuclei_broad)", () => {
  it('imports, checks every hash, and reproduces its test output', async () => {
    const pkg = await loadBioimageioModel(EXAMPLE, { threads: 1 });
    expect(pkg.check.verified).toEqual(expect.arrayContaining(['weights.onnx', 'test_input.npy', 'test_output.npy']));
    // Its PyTorch weights are named but not shipped: reported, not needed.
    expect(pkg.check.absent).toEqual(expect.arrayContaining(['weights.pt']));
    expect(pkg.layout.inputAxes).toEqual(['batch', 'channel', 'y', 'x']);
    const { maxAbsDifference, shape } = await pkg.test();
    expect(shape).toEqual([1, 1, 512, 512]);
    expect(maxAbsDifference).toBeLessThan(1e-4); // measured 1.7e-6
    await pkg.predictor.dispose();
  });

  it('predicts images of any size by overlap tiles; on its test image the tiles agree with the whole run away from the border', async () => {
    const pkg = await loadBioimageioModel(join(EXAMPLE, 'bioimageio.yaml'), { threads: 2 });
    const x = readNpy(new Uint8Array(await readFile(join(EXAMPLE, 'test_input.npy'))));
    const y = readNpy(new Uint8Array(await readFile(join(EXAMPLE, 'test_output.npy'))));
    const image: ImageArray<Float32Array> = { data: Float32Array.from(x.data), width: 512, height: 512, channels: 1 };
    const before = tf.memory().numTensors;
    const { probabilities, labels } = await predictTiled(pkg.predictor, image);
    expect(probabilities.shape).toEqual([512, 512, 2]);
    // This same-padding network sees zeros beyond the border in the whole run and the mirrored image in
    // tiles: they differ near the border (up to 0.26) and inside its 32 px halo; 64 px in, under 1e-4.
    const p = await probabilities.data();
    let inner = 0;
    for (let r = 64; r < 448; r++) for (let c = 64; c < 448; c++) inner = Math.max(inner, Math.abs(p[2 * (r * 512 + c) + 1]! - y.data[r * 512 + c]!));
    expect(inner).toBeLessThan(2e-4); // measured 7.8e-5
    tf.dispose([probabilities, labels]);
    // A larger, oblong image: tiled with the one size the package allows.
    const wide: ImageArray<Float32Array> = { data: Float32Array.from({ length: 700 * 300 }, (_, i) => x.data[(i % 300) * 512 + (Math.floor(i / 300) % 512)]!), width: 300, height: 700, channels: 1 };
    const second = await predictTiled(pkg.predictor, wide);
    expect(second.probabilities.shape).toEqual([700, 300, 2]);
    tf.dispose([second.probabilities, second.labels]);
    expect(tf.memory().numTensors).toBe(before);
    await pkg.predictor.dispose();
  });

  it('reads the same package described in format 0.4 (valid against the schema) and reproduces its test output', async () => {
    const dir = join(await temp(), 'pkg04');
    await mkdir(dir);
    for (const name of ['weights.onnx', 'test_input.npy', 'test_output.npy', 'README.md', 'cover0.png']) await cp(join(EXAMPLE, name), join(dir, name));
    const hashOf = async (name: string) => createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
    // The example as format 0.4 writes it: axis letters, shapes, top-level test tensors, steps with a mode.
    const description = {
      format_version: '0.4.10',
      type: 'model',
      name: 'UNet 2D Nuclei Broad',
      description: 'A 2d U-Net trained on the nuclei broad dataset.',
      authors: [{ name: 'Constantin Pape' }],
      cite: [{ text: 'Ronneberger et al. U-net. MICCAI 2015.', doi: '10.1007/978-3-319-24574-4_28' }],
      covers: ['cover0.png'],
      documentation: 'README.md',
      license: 'MIT',
      timestamp: '2019-12-11T11:22:32+00:00',
      test_inputs: ['test_input.npy'],
      test_outputs: ['test_output.npy'],
      inputs: [{ name: 'raw', axes: 'bcyx', data_type: 'float32', shape: [1, 1, 512, 512], preprocessing: [{ name: 'zero_mean_unit_variance', kwargs: { mode: 'per_sample', axes: 'yx' } }] }],
      outputs: [{ name: 'probability', axes: 'bcyx', data_type: 'float32', shape: { reference_tensor: 'raw', scale: [1, 1, 1, 1], offset: [0, 0, 0, 0] }, halo: [0, 0, 32, 32], postprocessing: [{ name: 'sigmoid' }] }],
      weights: { onnx: { source: 'weights.onnx', sha256: await hashOf('weights.onnx'), opset_version: 20 } },
    };
    expect(schemaErrors(description, '0_4') ?? []).toEqual([]);
    // The schema does reject a 0.4 description without its test tensors.
    const { test_inputs: _dropped, ...untested } = description;
    expect(schemaErrors(untested, '0_4')?.length ?? 1).toBeGreaterThan(0);
    await writeFile(join(dir, 'rdf.yaml'), stringifyYaml(description));
    const pkg = await loadBioimageioModel(dir, { threads: 1 });
    expect(pkg.rdf.format_version).toBe('0.4.10');
    expect(pkg.check.verified).toEqual(['weights.onnx']);
    expect(pkg.layout.inputAxes).toEqual(['batch', 'channel', 'y', 'x']);
    expect(pkg.layout.geometry.halo).toBe(32);
    const { maxAbsDifference } = await pkg.test();
    expect(maxAbsDifference).toBeLessThan(1e-4);
    await pkg.predictor.dispose();
  });

  it('refuses a wrong hash, a missing weights file, no ONNX weights, unsupported steps and axes, before running', async () => {
    const wrongHash = await editedExample((t) => t.replace('85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088', 'f'.repeat(64)));
    await expect(loadBioimageioModel(wrongHash)).rejects.toThrow(/pkg: weights\.onnx` must have the SHA-256 the description declares \(f{64}\)\. Received: .*sha256 85f5ac80/);
    const notAHash = await editedExample((t) => t.replace('85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088', '0'.repeat(64)));
    await expect(loadBioimageioModel(notAHash)).rejects.toThrow(/`sha256 of weights\.onnx` must be 64 hexadecimal digits\. Received: sha256 of weights\.onnx=0/);
    const missing = await editedExample((t) => t, ['weights.onnx']);
    await expect(loadBioimageioModel(missing)).rejects.toThrow(/weights\.onnx` must be in the package/);
    const noOnnx = await editedExample((t) => t.replace(/\n  onnx:\n(    .*\n)+/, '\n'));
    await expect(loadBioimageioModel(noOnnx)).rejects.toThrow(/weights` must include onnx weights .*pytorch_state_dict, torchscript/);
    const step = await editedExample((t) => t.replace('- id: sigmoid', '- id: scale_mean_variance\n        kwargs: {reference_tensor: raw}'));
    await expect(loadBioimageioModel(step)).rejects.toThrow(/`outputs\[0\]\.postprocessing\[0\]\.id` must be a processing step this library applies/);
    const axes = await editedExample((t) => t.replace('      - size: 512\n        id: y\n        type: space', '      - size: 8\n        id: z\n        type: space\n      - size: 512\n        id: y\n        type: space'));
    await expect(loadBioimageioModel(axes)).rejects.toThrow(/`inputs\[0\]\.axes` must be 2D.*batch,channel,z,y,x/);
  });

  it('reads a zip of the package, and refuses a zip with paths outside its root', async () => {
    const dir = await temp();
    const files: Record<string, Uint8Array> = {};
    for (const name of await readdir(EXAMPLE)) files[name] = new Uint8Array(await readFile(join(EXAMPLE, name)));
    await writeFile(join(dir, 'pkg.zip'), zipSync(files));
    const pkg = await loadBioimageioModel(join(dir, 'pkg.zip'), { threads: 1 });
    expect((await pkg.test()).maxAbsDifference).toBeLessThan(1e-4);
    await pkg.predictor.dispose();
    await writeFile(join(dir, 'evil.zip'), zipSync({ ...files, '../escape.txt': strToU8('x') }));
    await expect(loadBioimageioModel(join(dir, 'evil.zip'))).rejects.toThrow(/evil\.zip: \.\.\/escape\.txt` must be a path inside the package/);
    await writeFile(join(dir, 'not.zip'), 'plain text');
    await expect(loadBioimageioModel(join(dir, 'not.zip'))).rejects.toThrow(/`model` must be a bioimage\.io package: a folder, a \.zip, or its rdf\.yaml/);
  });
});

describe('exportBioimageio', () => {
  const sample = (width: number, height: number): ImageArray<Uint8Array> => ({
    data: Uint8Array.from({ length: width * height }, (_, i) => 128 + Math.round(100 * Math.sin((i % width) / 5) * Math.cos(Math.floor(i / width) / 7))),
    width,
    height,
  });

  it('writes a package that validates against the spec schema, reproduces its own test tensors, and predicts as its model', async () => {
    const dir = await temp();
    const spec = unet({ depth: 2, baseFilters: 4 });
    const model = buildModel(spec, { inputSize: 92, seed: 5 });
    const info = { normalization: { kind: 'zscore' as const }, threshold: 0.4, instances: { thin: false, split: false, minSize: 3 } };
    await saveModel(model, spec, join(dir, 'model'), info);
    const loaded = await loadModel(join(dir, 'model'));
    const image = sample(150, 130);
    const { files, rdf } = await exportBioimageio(loaded.model, loaded.spec, { path: join(dir, 'pkg.zip'), name: 'test U-Net export', authors: [{ name: 'Test Author', affiliation: 'Lab' }], sample: image, timestamp: '2026-01-01T00:00:00Z' });
    expect([...files.keys()].sort()).toEqual(['README.md', 'cover.png', 'rdf.yaml', 'test_input.npy', 'test_output.npy', 'tfjs-model.zip', 'weights.onnx']);
    // The axes are the geometry: the valid tile sizes (every 2^depth from the smallest), the output 2 x margin smaller.
    const inputs = rdf.inputs as { axes: { size?: unknown }[] }[];
    const sizes = validInputSizes(spec, { min: 1, max: 200 }).filter((s) => outputSize(spec, s) >= 1);
    expect(inputs[0]!.axes[2]!.size).toEqual({ min: sizes[0], step: 4 });
    expect(sizes.every((s, i) => s === sizes[0]! + 4 * i)).toBe(true);
    expect((rdf.outputs as { axes: { size?: unknown }[] }[])[0]!.axes[3]!.size).toEqual({ tensor_id: 'input', axis_id: 'x', offset: -2 * margin(spec) });

    expect(schemaErrors(parseYaml(new TextDecoder().decode(files.get('rdf.yaml')!)), '0_5') ?? []).toEqual([]);

    const pkg = await loadBioimageioModel(join(dir, 'pkg.zip'), { threads: 1 });
    expect(pkg.check.absent).toEqual([]);
    expect(pkg.check.verified.length).toBe(6);
    expect((await pkg.test()).maxAbsDifference).toBeLessThan(1e-4);
    expect(pkg.predictor.info).toEqual({ threshold: 0.4, instances: { thin: false, split: false, minSize: 3 } });
    // The package (ONNX weights, declared z-score) predicts what the model predicts, tiled over a larger image.
    const big = sample(230, 170);
    const viaPackage = await predictTiled(pkg.predictor, big, { inputSize: 76 });
    const viaModel = await predictTiled(loaded.model, big, { inputSize: 76 });
    expect(await maxDiff(viaPackage.probabilities, viaModel.probabilities)).toBeLessThan(1e-4);
    tf.dispose([viaPackage.probabilities, viaPackage.labels, viaModel.probabilities, viaModel.labels]);
    await pkg.predictor.dispose();
    model.dispose();
    loaded.model.dispose();
  });

  it('writes a folder with rdf.yaml; mirrors a small sample up to a tile; refuses a 1-pixel sample, an invalid test size, no authors', async () => {
    const dir = await temp();
    const spec = unet({ depth: 1, baseFilters: 2 });
    const model = buildModel(spec, { inputSize: 28, seed: 1 });
    await exportBioimageio(model, spec, { path: join(dir, 'pkg'), name: 'folder package', authors: [{ name: 'A' }], sample: sample(40, 40) });
    expect((await readdir(join(dir, 'pkg'))).sort()).toEqual(['README.md', 'cover.png', 'rdf.yaml', 'test_input.npy', 'test_output.npy', 'tfjs-model.zip', 'weights.onnx']);
    const pkg = await loadBioimageioModel(join(dir, 'pkg'), { threads: 1 });
    expect((await pkg.test()).maxAbsDifference).toBeLessThan(1e-4);
    await pkg.predictor.dispose();
    // A sample smaller than the smallest tile is mirrored up to it, as predict extends images.
    const small = await exportBioimageio(model, spec, { path: join(dir, 'small.zip'), name: 'small sample', authors: [{ name: 'A' }], sample: sample(10, 7) });
    const smallest = validInputSizes(spec, { min: 1, max: 100 }).filter((s) => outputSize(spec, s) >= 1)[0]!;
    expect(readNpy(small.files.get('test_input.npy')!).shape).toEqual([1, 1, smallest, smallest]);
    await expect(exportBioimageio(model, spec, { path: join(dir, 'tiny.zip'), name: 'tiny sample', authors: [{ name: 'A' }], sample: sample(1, 5) })).rejects.toThrow(/`sample` must be at least 2x2 pixels/);
    await expect(exportBioimageio(model, spec, { path: join(dir, 'odd.zip'), name: 'odd test size', authors: [{ name: 'A' }], sample: sample(40, 40), testSize: 29 })).rejects.toThrow(/`testSize` must be a valid tile size of the model/);
    await expect(exportBioimageio(model, spec, { path: join(dir, 'x.zip'), name: 'no authors', authors: [], sample: sample(40, 40) })).rejects.toThrow(/`authors` must name at least one author/);
    expect(['tiny.zip', 'odd.zip', 'x.zip'].some((f) => existsSync(join(dir, f)))).toBe(false);
    model.dispose();
  });
});
