// One model file, unchanged, in Node and in real Chromium: the page predicts it on tfjs's wasm,
// webgl and webgpu backends and on onnxruntime-web as Node's cpu backend does; it trains it for
// 20 steps on tfjs and on onnxruntime-web, and Node loads the trained files with the page's outputs.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, loadModel, predictTiled, saveModel, toOnnx, unet, type ImageArray } from '../../src/index.js';
import { modelDirectory } from '../../src/node/model-files.js';
import { CHROMIUM, chromiumVersion, openPage } from './chromium.js';
import type { PageEngine, UnetEngines } from './engines-page.js';

if (CHROMIUM === undefined) console.log('browser tests skipped: no Chromium (apt-get install chromium)');
/** The bioimage.io example nuclei U-Net (shared data: its ONNX weights and test tensors). */
const NUCLEI = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'bioimageio', 'unet2d_nuclei_broad');
if (!existsSync(NUCLEI)) console.log(`bioimage.io package test skipped: ${NUCLEI} is absent`);

const maxAbs = (a: readonly number[], b: ArrayLike<number>) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
/** A smooth, deterministic image in [0, 1] with a disc-like foreground. */
const W = 90;
const H = 70;
const image: ImageArray<Float32Array> = {
  data: Float32Array.from({ length: W * H }, (_, i) => 0.5 + 0.4 * Math.sin((i % W) * 0.21) * Math.cos(Math.floor(i / W) * 0.17)),
  width: W,
  height: H,
};
const mask: ImageArray<Uint8Array> = { data: Uint8Array.from(image.data, (v) => (v > 0.6 ? 1 : 0)), width: W, height: H };

describe.skipIf(CHROMIUM === undefined)('one model file in Node and in Chromium', () => {
  let dir: string;
  let page: Page;
  let close: () => Promise<void>;
  let reference: { probabilities: Float32Array; labels: Int32Array };
  const files: Record<string, Uint8Array> = {};
  const call = <K extends keyof UnetEngines>(name: K, ...args: Parameters<UnetEngines[K]>) =>
    page.evaluate(({ name, args }) => ((window as unknown as { unetEngines: Record<string, (...a: unknown[]) => unknown> }).unetEngines[name]!(...args)), { name, args: args as unknown[] }) as ReturnType<UnetEngines[K]>;

  beforeAll(async () => {
    console.log(`browser: ${chromiumVersion()}`);
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-browser-engines-'));
    // Valid padding, logits out of a softmax: the model `train` writes, small enough for SwiftShader.
    const spec = unet({ depth: 2, baseFilters: 4, dropout: 0, padding: 'valid' });
    const model = buildModel(spec, { inputSize: 60, seed: 3 });
    await saveModel(model, spec, modelDirectory(join(dir, 'model')));
    for (const name of await readdir(join(dir, 'model'))) files[`model/${name}`] = new Uint8Array(await readFile(join(dir, 'model', name)));
    files['model.onnx'] = toOnnx(model, spec);
    model.dispose();
    // The reference: Node's cpu backend on the files as saved.
    const loaded = await loadModel(modelDirectory(join(dir, 'model')));
    const out = await predictTiled(loaded.model, image);
    reference = { probabilities: (await out.probabilities.data()) as Float32Array, labels: (await out.labels.data()) as Int32Array };
    tf.dispose([out.probabilities, out.labels]);
    loaded.model.dispose();
    if (existsSync(NUCLEI)) {
      // The package as its unpacked files, as a zip of them, and as a zip of its folder.
      const pkg: Record<string, Uint8Array> = {};
      for (const name of await readdir(NUCLEI)) pkg[name] = new Uint8Array(await readFile(join(NUCLEI, name)));
      for (const [name, bytes] of Object.entries(pkg)) files[`nuclei/${name}`] = bytes;
      files['nuclei.zip'] = zipSync(pkg);
      files['nuclei-folder.zip'] = zipSync({ unet2d_nuclei_broad: pkg });
      files['nuclei-evil.zip'] = zipSync({ ...pkg, '../escape.txt': new Uint8Array(1) });
    }
    ({ page, close } = await openPage({ entry: 'engines-page.ts', ready: 'unetEngines', files }));
  }, 180_000);
  afterAll(async () => {
    await close?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('predicts what Node predicts on cpu, wasm, webgl, webgpu and onnxruntime-web (wasm and webgpu), and leaks no tensors over 20 predictions', async () => {
    const engines: PageEngine[] = ['cpu', 'wasm', 'webgl', 'webgpu', 'onnxruntime-web', 'onnxruntime-web-webgpu'];
    for (const engine of engines) {
      const got = await call('predict', engine, image, engine === 'cpu' ? 20 : 3);
      expect(got.backend, engine).toBe(engine);
      expect(got.probabilities.length, engine).toBe(reference.probabilities.length);
      const difference = maxAbs(got.probabilities, reference.probabilities);
      console.log(`${engine} against Node's cpu: largest probability difference ${difference.toExponential(1)}, masks ${got.labels.every((v, i) => v === reference.labels[i]) ? 'equal' : 'differ'}`);
      expect(difference, engine).toBeLessThan(1e-4);
      expect(got.leakedTensors, `${engine} tensors`).toBe(0);
    }
  }, 600_000);

  for (const engine of ['tfjs', 'onnx'] as const) {
    it(`trains 20 steps in the page on ${engine === 'tfjs' ? 'tfjs (cpu)' : 'onnxruntime-web'}: the loss falls, and Node loads the saved files with the page's outputs`, async () => {
      const trained = await call('trainInPage', engine, image, mask, 20, 60);
      expect(trained.losses).toHaveLength(20);
      const first = trained.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
      const last = trained.losses.slice(-3).reduce((a, b) => a + b) / 3;
      console.log(`${engine} in the page: loss ${first.toFixed(4)} -> ${last.toFixed(4)} over 20 steps`);
      expect(last).toBeLessThan(first);
      expect(trained.leakedTensors).toBe(0);
      const out = join(dir, `trained-${engine}`);
      await mkdir(out, { recursive: true });
      for (const [name, bytes] of Object.entries(trained.files)) await writeFile(join(out, name), Uint8Array.from(bytes));
      const loaded = await loadModel(modelDirectory(out));
      const again = await predictTiled(loaded.model, image);
      const difference = maxAbs(trained.probabilities, (await again.probabilities.data()) as Float32Array);
      tf.dispose([again.probabilities, again.labels]);
      loaded.model.dispose();
      expect(difference).toBeLessThan(1e-6);
      // The files are what the CLI reads: model.json beside one content-named weights file.
      expect((await readdir(out)).sort()).toEqual(['model.json', expect.stringMatching(/^weights-[0-9a-f]{16}\.bin$/)]);
    }, 600_000);
  }

  it.skipIf(!existsSync(NUCLEI))("opens a published bioimage.io package chosen in the page (files or zip) and reproduces its own test output on onnxruntime-web", async () => {
    const names = (await readdir(NUCLEI)).map((n) => `nuclei/${n}`);
    for (const choice of [names, ['nuclei.zip'], ['nuclei-folder.zip']]) {
      const got = await call('packageTest', choice);
      if ('error' in got) throw new Error(got.error);
      console.log(`bioimage.io package "${got.name}" from ${choice.length} file(s): test output reproduced within ${got.maxAbsDifference.toExponential(1)}, hashes checked: ${got.verified.join(', ')}`);
      expect(got.verified).toContain('weights.onnx');
      expect(got.maxAbsDifference).toBeLessThan(1e-4);
    }
    const evil = await call('packageTest', ['nuclei-evil.zip']);
    expect('error' in evil && evil.error).toMatch(/nuclei-evil\.zip: \.\.\/escape\.txt` must be a path inside the package/);
    const lone = await call('packageTest', ['nuclei/weights.onnx']);
    expect('error' in lone && lone.error).toMatch(/`files` must include the package's description \(rdf\.yaml or bioimageio\.yaml\)/);
  }, 300_000);
});
