/**
 * `npm run bench:browser`: the library in headless Chromium (SwiftShader: WebGL and WebGPU run on
 * the CPU here, so their figures are not GPU speeds). Per backend and engine: seconds to the first
 * prediction of a 512x512 image (backend started, model loaded from its files), seconds per
 * prediction after that, and training steps per second (256 px tiles); the size of the root
 * entry bundled for a browser and of the built app. A script, not a test.
 *
 * Options: --tile N (default 256), --steps N (default 10; 0 skips training), --engines a,b,...
 */
import { build } from 'esbuild';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildModel, saveModel, toOnnx, unet } from '../src/index.js';
import { modelDirectory } from '../src/node/index.js';
import { CHROMIUM, chromiumVersion, openPage } from '../test/browser/chromium.js';

const { values } = parseArgs({ options: { tile: { type: 'string', default: '256' }, steps: { type: 'string', default: '10' }, engines: { type: 'string', default: 'wasm,webgl,webgpu,onnxruntime-web' } } });
const tile = Number(values.tile);
const steps = Number(values.steps);
if (CHROMIUM === undefined) throw new Error('no Chromium: apt-get install chromium');
const ROOT = resolve(import.meta.dirname, '..');

// Bundle size: the root entry as a browser bundles it (minified, tfjs left to the page), and the app.
const bundle = await build({ entryPoints: [join(ROOT, 'src', 'index.ts')], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, external: ['@tensorflow/tfjs'], logLevel: 'silent' });
console.log(`root entry bundled for a browser (minified, tfjs external): ${(bundle.outputFiles[0]!.contents.length / 1024).toFixed(0)} KiB`);
const appDir = join(ROOT, 'dist', 'app', 'assets');
const appFiles = await readdir(appDir).catch(() => [] as string[]);
if (appFiles.length > 0) {
  const sizes = await Promise.all(appFiles.map(async (f) => ({ f, size: (await stat(join(appDir, f))).size })));
  const sum = (test: (f: string) => boolean) => sizes.filter((s) => test(s.f)).reduce((a, s) => a + s.size, 0) / 2 ** 20;
  console.log(`the built app (dist/app): JavaScript ${sum((f) => f.endsWith('.js')).toFixed(1)} MiB, WebAssembly ${sum((f) => f.endsWith('.wasm')).toFixed(1)} MiB`);
}

// The model: the planned kind of network for nuclei (same padding, depth 4, base 16, batch norm).
await tf.setBackend('cpu');
const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-bench-browser-'));
const spec = unet({ depth: 4, baseFilters: 16, padding: 'same', batchNorm: true, outputActivation: 'linear' });
const model = buildModel(spec, { seed: 1 });
await saveModel(model, spec, modelDirectory(join(dir, 'model')));
const files: Record<string, Uint8Array> = { 'model.onnx': toOnnx(model, spec) };
for (const name of await readdir(join(dir, 'model'))) files[`model/${name}`] = new Uint8Array(await readFile(join(dir, 'model', name)));
model.dispose();

console.log(`browser: ${chromiumVersion()}; network: same padding, depth 4, base 16, batch norm; tile ${tile}; 512x512 image`);
console.log('| engine | first prediction | next predictions | training steps/s |');
console.log('|---|---|---|---|');
// One browser per engine: a crash of one (WebGPU under SwiftShader can take the page down) spares the others.
for (const engine of values.engines.split(',')) {
  const { page, close } = await openPage({ entry: join(ROOT, 'bench', 'browser-page.ts'), ready: 'unetBench', files });
  try {
    const r = await page.evaluate(({ engine, tile, steps }) => (window as unknown as { unetBench: (e: string, t: number, s: number) => Promise<{ first: number; next: number; stepsPerSecond?: number }> }).unetBench(engine, tile, steps), { engine, tile, steps });
    console.log(`| ${engine} | ${r.first.toFixed(2)} s | ${r.next.toFixed(2)} s | ${r.stepsPerSecond === undefined ? '-' : r.stepsPerSecond.toFixed(2)} |`);
  } catch (error) {
    console.log(`| ${engine} | failed: ${(error as Error).message.split('\n')[0]} | | |`);
  } finally {
    await close().catch(() => undefined);
  }
}
await rm(dir, { recursive: true, force: true });
