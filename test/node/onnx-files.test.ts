// ONNX files: written whole (temp file + rename), read back with their spec, run by onnxruntime-node.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, exportOnnx, loadModel, loadOnnxPredictor, outputSize, predictTiled, saveModel, specToJSON, unet } from '../../src/node/index.js';

describe('exportOnnx / loadOnnxPredictor', () => {
  it('round-trips a model through a file and predicts like the tfjs model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-onnx-'));
    const spec = unet({ depth: 1, baseFilters: 3, classes: 3 });
    const model = buildModel(spec, { inputSize: 28, seed: 3 });
    const path = join(dir, 'unet.onnx');
    const bytes = await exportOnnx(model, spec, { path, layout: 'NCHW' });
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['unet.onnx']); // no temp file left behind

    const predictor = await loadOnnxPredictor(path, { threads: 1 });
    expect(specToJSON(predictor.spec)).toBe(specToJSON(spec));
    expect(predictor.layout).toBe('NCHW');
    expect(predictor.classes).toBe(3);
    const tiles = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => Math.sin(i));
    const actual = await predictor.predict(tiles, 2, 28);
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(tiles, [2, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(actual.length).toBe(2 * outputSize(spec, 28) ** 2 * 3);
    let diff = 0;
    actual.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - expected[i]!))));
    expect(diff).toBeLessThan(1e-5);
    await predictor.dispose();
    model.dispose();
  });

  it("carries the model's normalisation and calibrated threshold; ONNX prediction normalises like tfjs", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-onnx-info-'));
    const spec = unet({ depth: 1, baseFilters: 3 });
    const model = buildModel(spec, { inputSize: 28, seed: 4 });
    const info = { normalization: { kind: 'zscore' as const }, threshold: 0.35, instances: { thin: true, split: false, minSize: 10 } };
    await saveModel(model, spec, join(dir, 'model'), info);
    const loaded = await loadModel(join(dir, 'model'));
    expect(loaded.info).toEqual(info);
    await exportOnnx(loaded.model, loaded.spec, { path: join(dir, 'unet.onnx') });
    const predictor = await loadOnnxPredictor(join(dir, 'unet.onnx'), { threads: 1 });
    expect(predictor.info).toEqual(info);
    // A bright image: z-scored, it is a different input than the same image scaled to [0, 1].
    const image = { data: Uint8Array.from({ length: 40 * 30 }, (_, i) => 150 + Math.round(100 * Math.sin(i / 7))), width: 40, height: 30 };
    const viaOnnx = await predictTiled(predictor, image);
    const viaTfjs = await predictTiled(loaded.model, image);
    const scaledOnly = await predictTiled(loaded.model, image, { normalization: { kind: 'scale' } });
    const [a, b, c] = await Promise.all([viaOnnx.probabilities.data(), viaTfjs.probabilities.data(), scaledOnly.probabilities.data()]);
    let diff = 0;
    let changed = 0;
    a.forEach((v, i) => ((diff = Math.max(diff, Math.abs(v - b[i]!))), (changed = Math.max(changed, Math.abs(b[i]! - c[i]!)))));
    expect(diff).toBeLessThan(1e-5);
    expect(changed).toBeGreaterThan(1e-3);
    tf.dispose([viaOnnx.probabilities, viaOnnx.labels, viaTfjs.probabilities, viaTfjs.labels, scaledOnly.probabilities, scaledOnly.labels]);
    await predictor.dispose();
    loaded.model.dispose();
    model.dispose();
  });

  it('rejects bad arguments', async () => {
    const model = buildModel(unet({ depth: 1, baseFilters: 2 }), { inputSize: 20 });
    await expect(exportOnnx(model, undefined, { path: '' })).rejects.toThrow('`path` must be a non-empty file path. Received: path="".');
    await expect(loadOnnxPredictor('unused.onnx', { threads: 0 })).rejects.toThrow('`threads` must be a positive integer. Received: threads=0.');
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-onnx-bad-'));
    const what = '`model` must be an ONNX file written by `tfjs-unet export` (or a model folder)';
    await expect(loadOnnxPredictor(join(dir, 'none.onnx'))).rejects.toThrow(`${what}, and nothing exists at this path. Received: model=${JSON.stringify(join(dir, 'none.onnx'))}.`);
    await writeFile(join(dir, 'text.onnx'), 'not a model');
    await expect(loadOnnxPredictor(join(dir, 'text.onnx'))).rejects.toThrow(new RegExp(`^${what.replaceAll('`', '.').replace(/[()]/g, '.')}, and this file is not ONNX \\(.+\\)\\. Received: model=`));
    model.dispose();
  });
});
