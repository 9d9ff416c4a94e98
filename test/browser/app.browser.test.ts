// The web app as a person uses it, driven by clicks in real Chromium: built with Vite, served by
// `serveApp` (what `tfjs-unet app` runs), a model folder trained in Node and an image chosen in
// the page, predicted in the app's worker; the downloaded masks equal the files `predict` writes.
// Nothing is requested beyond the app's own origin. Screenshots go to test-results/browser/.
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { build, createLogger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, saveModel, syntheticCells, train, unet } from '../../src/index.js';
import { serveApp } from '../../src/node/app-server.js';
import { readImage, writeImage } from '../../src/node/images.js';
import { modelDirectory } from '../../src/node/model-files.js';
import { openPredictor, predictImageFile } from '../../src/node/predict-files.js';
import { CHROMIUM, chromiumVersion } from './chromium.js';

if (CHROMIUM === undefined) console.log('browser tests skipped: no Chromium (apt-get install chromium)');

const ROOT = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'test-results', 'browser');

describe.skipIf(CHROMIUM === undefined)('the web app in Chromium', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    console.log(`browser: ${chromiumVersion()}`);
    dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-app-'));
    await mkdir(SHOTS, { recursive: true });
    // A small model trained in Node on synthetic cells (confident enough that masks do not hinge on rounding).
    await tf.setBackend('cpu');
    const spec = unet({ depth: 2, baseFilters: 8, dropout: 0, padding: 'valid' });
    const model = buildModel(spec, { inputSize: 92, seed: 1 });
    const cells = [1, 2, 3].map((seed) => syntheticCells(128, seed));
    await train(model, { images: cells.map((c) => c.image), labels: cells.map((c) => c.mask) }, { steps: 150, inputSize: 92, seed: 1, augmentation: [], optimizer: 'adam', learningRate: 0.01 });
    await saveModel(model, spec, modelDirectory(join(dir, 'model')));
    model.dispose();
    const test = syntheticCells(160, 9);
    await writeImage(join(dir, 'cells.png'), { data: Uint8Array.from(test.image.data, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))), width: 160, height: 160 });
    // 1200 x 1000: the test image repeated, many tiles to cancel among.
    const large = Uint8Array.from({ length: 1200 * 1000 }, (_, i) => Math.max(0, Math.min(255, Math.round(test.image.data[(Math.floor(i / 1200) % 160) * 160 + ((i % 1200) % 160)]! * 255))));
    await writeImage(join(dir, 'large.png'), { data: large, width: 1200, height: 1000 });
    await writeImage(join(dir, 'train', 'images', 'cells.png'), { data: Uint8Array.from(test.image.data, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))), width: 160, height: 160 });
    await writeImage(join(dir, 'train', 'masks', 'cells.png'), { data: Uint8Array.from(test.mask.data, (v) => v * 255), width: 160, height: 160 });
    await writeFile(join(dir, 'notes.txt'), 'not an image');
    await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'something else' }));
    // The app as `npm run build:app` builds it, into a folder of its own.
    // Vite bundles the root entry and tfjs-unet/browser for the page with no Node module: it would
    // warn that one "has been externalized for browser compatibility" and leave a stub behind.
    const logger = createLogger('warn');
    const warnings: string[] = [];
    const warn = logger.warn.bind(logger);
    logger.warn = (message, options) => {
      warnings.push(message);
      warn(message, options);
    };
    await build({ configFile: join(ROOT, 'app', 'vite.config.ts'), customLogger: logger, build: { outDir: join(dir, 'app'), emptyOutDir: true } });
    expect(warnings.filter((w) => /externalized for browser compatibility|node:/.test(w))).toEqual([]);
    const scripts = (await readdir(join(dir, 'app', 'assets'))).filter((f) => f.endsWith('.js'));
    for (const script of scripts) expect(await readFile(join(dir, 'app', 'assets', script), 'utf8'), script).not.toContain('__vite-browser-external');
    ({ server, url } = await serveApp({ root: join(dir, 'app'), port: 0 }));
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--headless', '--no-sandbox', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => console.log(`[app] ${message.text()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) console.log(`[app] ${response.status()} for ${response.url()}`);
    });
    await page.goto(url);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('opens a model folder and an image, predicts in its worker, draws the overlay and downloads what predict writes', async () => {
    await page.selectOption('#engine', 'wasm');
    const modelFiles = (await readdir(join(dir, 'model'))).map((n) => join(dir, 'model', n));
    await page.setInputFiles('#model-files', modelFiles);
    await page.waitForFunction(() => document.getElementById('model-status')!.textContent!.startsWith('Loaded'), undefined, { timeout: 60_000 });
    expect(await page.textContent('#model-status')).toContain('running on wasm');
    await page.setInputFiles('#image-file', join(dir, 'cells.png'));
    await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.includes('160 x 160'));
    await page.click('#predict');
    await page.waitForFunction(() => document.getElementById('canvas')!.dataset.predicted === 'true', undefined, { timeout: 120_000 });
    const said = (await page.textContent('#image-status'))!;
    expect(said).toMatch(/^Predicted on wasm in [\d.]+ s: \d+ objects\.$/);
    expect(await page.getAttribute('#canvas', 'data-view')).toBe('overlay');
    await page.screenshot({ path: join(SHOTS, 'app-overlay.png') });
    await page.selectOption('#view', 'instances');
    await page.screenshot({ path: join(SHOTS, 'app-instances.png') });

    // The CLI's files for the same model and image (Node, cpu).
    const predictor = await openPredictor({ model: join(dir, 'model'), engine: 'tfjs', backend: 'cpu' });
    const cli = await predictImageFile(predictor, join(dir, 'cells.png'), join(dir, 'cli'), { instances: true });
    await predictor.dispose?.();
    expect(said).toContain(`: ${cli.objects} objects`);
    for (const [button, file] of [['#download-mask', 'cells-mask.png'], ['#download-instances', 'cells-instances.png']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      expect(download.suggestedFilename()).toBe(file);
      const saved = join(dir, 'downloads', file);
      await download.saveAs(saved);
      const got = await readImage(saved);
      const want = await readImage(join(dir, 'cli', file));
      const differing = Array.from(got.data).filter((v, i) => v !== want.data[i]).length;
      console.log(`${file}: ${differing} of ${got.data.length} pixels differ from predict's (wasm in the page, cpu in Node)`);
      expect([got.width, got.height, got.data.constructor.name]).toEqual([want.width, want.height, want.data.constructor.name]);
      expect(differing / got.data.length).toBeLessThan(1e-3);
    }
    expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith('blob:') && !r.startsWith('data:'))).toEqual([]);
  }, 300_000);

  it('fine-tunes the model on chosen images and masks, draws the loss, and downloads a model folder Node reads', async () => {
    await page.setInputFiles('#train-images', join(dir, 'train', 'images', 'cells.png'));
    await page.setInputFiles('#train-masks', join(dir, 'train', 'masks', 'cells.png'));
    await page.fill('#train-seconds', '8');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('train-status')!.textContent!.startsWith('Trained'), undefined, { timeout: 120_000 });
    expect(await page.textContent('#train-status')).toMatch(/^Trained \d+ steps in \d+ s on 1 image\(s\) with binary masks\. Predict again to see the change\.$/);
    await page.screenshot({ path: join(SHOTS, 'app-trained.png') });
    // The model folder, downloaded: model.json and its content-named weights, as train writes them.
    const saved = join(dir, 'page-model');
    const downloads: Download[] = [];
    const collect = (download: Download) => downloads.push(download);
    page.on('download', collect);
    await page.click('#download-model');
    await expect.poll(() => downloads.length, { timeout: 60_000 }).toBe(2);
    page.off('download', collect);
    for (const download of downloads) await download.saveAs(join(saved, download.suggestedFilename()));
    const names = (await readdir(saved)).sort();
    expect(names[0]).toBe('model.json');
    expect(names[1]).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
    // Node predicts with it what the page now predicts.
    await page.click('#predict');
    await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('Predicted'), undefined, { timeout: 120_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-mask')]);
    await download.saveAs(join(dir, 'after', 'cells-mask.png'));
    const predictor = await openPredictor({ model: saved, engine: 'tfjs', backend: 'cpu' });
    await predictImageFile(predictor, join(dir, 'cells.png'), join(dir, 'node-after'), { instances: true });
    await predictor.dispose?.();
    const got = await readImage(join(dir, 'after', 'cells-mask.png'));
    const want = await readImage(join(dir, 'node-after', 'cells-mask.png'));
    const differing = Array.from(got.data).filter((v, i) => v !== want.data[i]).length;
    console.log(`after training in the page: ${differing} of ${got.data.length} mask pixels differ between the page (wasm) and Node (cpu) on the downloaded model`);
    expect(differing / got.data.length).toBeLessThan(1e-3);
  }, 300_000);

  it('says in the page what is wrong with a file that is not an image, or a model of another format', async () => {
    await page.setInputFiles('#image-file', join(dir, 'notes.txt'));
    await page.waitForFunction(() => document.getElementById('image-status')!.classList.contains('error'));
    expect(await page.textContent('#image-status')).toContain('must be a PNG, JPEG or TIFF image');
    await page.setInputFiles('#model-files', join(dir, 'model.json'));
    await page.waitForFunction(() => document.getElementById('model-status')!.classList.contains('error'), undefined, { timeout: 30_000 });
    expect(await page.textContent('#model-status')).toMatch(/^model\.json is not a model tfjs-unet can read \(.+\): choose the model\.json and weights file of a folder tfjs-unet train wrote, or an \.onnx file from tfjs-unet export$/);
    await page.screenshot({ path: join(SHOTS, 'app-errors.png') });
  }, 120_000);

  it('cancels a running prediction and predicts again; without WebGPU it falls back to wasm and says so', async () => {
    // A browser without WebGPU (no --enable-unsafe-webgpu): the app asked for webgpu says what ran instead.
    const plain = await chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    const other = await plain.newPage();
    await other.goto(url);
    await other.selectOption('#engine', 'webgpu');
    await other.setInputFiles('#model-files', (await readdir(join(dir, 'model'))).map((n) => join(dir, 'model', n)));
    await other.waitForFunction(() => document.getElementById('model-status')!.textContent!.startsWith('Loaded'), undefined, { timeout: 60_000 });
    expect(await other.textContent('#model-status')).toMatch(/running on wasm\. webgpu is not available in this browser: running on wasm\.$/);
    // A large image, cancelled after its first tiles, then predicted whole.
    await other.setInputFiles('#image-file', join(dir, 'large.png'));
    await other.waitForFunction(() => document.getElementById('image-status')!.textContent!.includes('1200 x 1000'));
    await other.click('#predict');
    await other.waitForFunction(() => Number((document.getElementById('progress') as HTMLProgressElement).value) > 0, undefined, { timeout: 60_000 });
    await other.click('#cancel');
    await other.waitForFunction(() => document.getElementById('image-status')!.textContent === 'Prediction cancelled.', undefined, { timeout: 60_000 });
    expect(await other.getAttribute('#canvas', 'data-predicted')).toBeNull();
    await other.click('#predict');
    await other.waitForFunction(() => document.getElementById('canvas')!.dataset.predicted === 'true', undefined, { timeout: 300_000 });
    expect(await other.textContent('#image-status')).toMatch(/^Predicted on wasm in [\d.]+ s: \d+ objects\.$/);
    await plain.close();
  }, 400_000);
});
