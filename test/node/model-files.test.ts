import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, loadModel, modelDirectory, saveModel, unet } from '../../src/node/index.js';

const spec = unet({ depth: 1, baseFilters: 2, batchNorm: true });
const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-io-'));
const x = () => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 3);

describe('saveModel / loadModel (files)', () => {
  it('round-trips model and spec; the files are a standard tfjs layers model', async () => {
    const dir = await temp();
    const model = buildModel(spec, { inputSize: 28, seed: 1 });
    await saveModel(model, spec, dir);
    const { model: loaded, spec: loadedSpec } = await loadModel(`file://${dir}`);
    expect(loadedSpec).toEqual(spec);
    const input = x();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(input) as tf.Tensor, loaded.predict(input) as tf.Tensor))).dataSync()[0])).toBe(0);
    // Independent read: parse model.json by hand and hand the parts to tf.io.fromMemory.
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    const weights = await readFile(join(dir, json.weightsManifest[0].paths[0]));
    const plain = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(input) as tf.Tensor, plain.predict(input) as tf.Tensor))).dataSync()[0])).toBe(0);
    tf.dispose([input]);
    [model, loaded, plain].forEach((m) => m.dispose());
  });

  it('replaces an older save cleanly (one weights file, new weights)', async () => {
    const dir = await temp();
    const a = buildModel(spec, { inputSize: 28, seed: 1 });
    const b = buildModel(spec, { inputSize: 28, seed: 2 });
    await saveModel(a, spec, dir);
    await saveModel(b, spec, dir);
    const files = (await readdir(dir)).sort();
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const { model } = await loadModel(dir);
    const input = x();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(b.predict(input) as tf.Tensor, model.predict(input) as tf.Tensor))).dataSync()[0])).toBe(0);
    tf.dispose(input);
    [a, b, model].forEach((m) => m.dispose());
  });

  it("loads a training run's folder through the model folder inside it", async () => {
    const run = await temp();
    const model = buildModel(spec, { inputSize: 28, seed: 3 });
    await saveModel(model, spec, join(run, 'model'));
    const { model: back } = await loadModel(run);
    const input = x();
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(input) as tf.Tensor, back.predict(input) as tf.Tensor))).dataSync()[0])).toBe(0);
    tf.dispose(input);
    [model, back].forEach((m) => m.dispose());
  });

  it('gives clear errors for missing, truncated, hostile or spec-less files', async () => {
    const dir = await temp();
    const folder = 'the model folder that `tfjs-unet train --out DIR` writes as DIR/model (or DIR itself)';
    await expect(loadModel(join(dir, 'nothing'))).rejects.toThrow(`\`model\` must be ${folder}, and nothing exists at this path. Received: model=${JSON.stringify(join(dir, 'nothing'))}.`);
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'empty', 'notes.txt'), 'x');
    await expect(loadModel(join(dir, 'empty'))).rejects.toThrow(`\`model\` must be ${folder}, and this folder holds no model.json. Received: model=${JSON.stringify(join(dir, 'empty'))}.`);
    await expect(loadModel(join(dir, 'empty', 'notes.txt'))).rejects.toThrow(`\`model\` must be ${folder}, and this is a file. Received: model=${JSON.stringify(join(dir, 'empty', 'notes.txt'))}.`);
    await writeFile(join(dir, 'empty', 'model.json'), '{"plan": 1}');
    await expect(loadModel(join(dir, 'empty'))).rejects.toThrow(
      `\`model\` must hold a tfjs layers model.json (with modelTopology and weightsManifest), and this one is another kind of file: give ${folder}. Received: model=${JSON.stringify(join(dir, 'empty', 'model.json'))}.`,
    );
    const model = buildModel(spec, { inputSize: 28, seed: 1 });
    await saveModel(model, spec, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const weightsPath = join(dir, json.weightsManifest[0].paths[0]);
    const weights = await readFile(weightsPath);
    await writeFile(weightsPath, weights.subarray(0, 100));
    await expect(loadModel(dir)).rejects.toThrow(/must hold complete weights: \d+ bytes expected/);
    await writeFile(weightsPath, weights);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json).slice(0, 200));
    await expect(loadModel(dir)).rejects.toThrow(`\`model\` must hold a tfjs layers model.json, and this one is not JSON. Received: model=${JSON.stringify(join(dir, 'model.json'))}.`);
    const tampered = structuredClone(json);
    tampered.userDefinedMetadata.tfjsUnet.spec.nodes[1].filters = -1;
    await writeFile(join(dir, 'model.json'), JSON.stringify(tampered));
    await expect(loadModel(dir)).rejects.toThrow('`nodes[1].filters` must be a positive integer. Received: nodes[1].filters=-1.');
    const escaping = structuredClone(json);
    escaping.weightsManifest[0].paths = ['../../etc/passwd'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(escaping));
    await expect(loadModel(dir)).rejects.toThrow('`weightsManifest.paths` must name files inside the model directory');
    const bare = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    await bare.save(modelDirectory(dir));
    await expect(loadModel(dir)).rejects.toThrow('`source` must hold a model saved with its tfjs-unet spec (saveModel)');
    bare.dispose();
    model.dispose();
  });
});
