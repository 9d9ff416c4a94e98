// The web app as a person uses it, driven by clicks in real Chromium: built with Vite, served by
// `serveApp` (what `tfjs-unet app` runs), a model folder trained in Node and an image chosen in
// the page, predicted in the app's worker; the downloaded masks equal the files `predict` writes.
// Nothing is requested beyond the app's own origin. Screenshots go to test-results/browser/.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
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
/** The bioimage.io example nuclei U-Net (shared data). */
const NUCLEI = resolve(ROOT, '..', 'shared', 'data', 'bioimageio', 'unet2d_nuclei_broad');
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
    await page.selectOption('#train-source', 'files');
    await page.setInputFiles('#train-images', join(dir, 'train', 'images', 'cells.png'));
    await page.setInputFiles('#train-masks', join(dir, 'train', 'masks', 'cells.png'));
    await page.fill('#train-seconds', '8');
    await page.click('#train');
    await page.waitForFunction(() => document.getElementById('train-status')!.textContent!.startsWith('Trained'), undefined, { timeout: 120_000 });
    const said = (await page.textContent('#train-status'))!;
    console.log(`chosen files: ${said}`);
    // The faster engine was timed on the data, and the open image is predicted again with the trained model.
    expect(said).toMatch(/^Trained \d+ steps in \d+ s on 1 image\(s\) with binary masks, on (tfjs \(wasm\)|ONNX Runtime Web) \(timed [\d.]+ s\/step against [\d.]+ on (tfjs \(wasm\)|ONNX Runtime Web)\)\. The image is predicted again with the trained model\.$/);
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
    // Node predicts with it what the page now predicts (the prediction that follows training).
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

  it('paints strokes on the demo image, fine-tunes on them with stop and resume, changes the mask where painted, and keeps the model in IndexedDB', async () => {
    // The demo model and image ship with the app.
    await page.selectOption('#engine', 'wasm');
    await page.click('#demo-model');
    await page.waitForFunction(() => document.getElementById('model-status')!.textContent!.startsWith('Loaded'), undefined, { timeout: 60_000 });
    await page.click('#demo-image');
    await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('cells.png: 128 x 128'));
    const maskNow = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-mask')]);
      await download.saveAs(join(dir, 'paint', name));
      return readImage(join(dir, 'paint', name));
    };
    const predicted = async () => {
      await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('Predicted'), undefined, { timeout: 120_000 });
      return Number(await page.getAttribute('#image-status', 'data-tensors'));
    };
    await page.click('#predict');
    const tensorsBefore = await predicted();
    const before = await maskNow('before.png');
    const size = before.width;
    const [objectsDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-instances')]);
    await objectsDownload.saveAs(join(dir, 'paint', 'before-instances.png'));
    const objects = await readImage(join(dir, 'paint', 'before-instances.png'));
    // The correction a user makes: where the mask joins touching cells (the instances split them on
    // a line of foreground pixels), paint that line background; and a dot of foreground on each
    // cell's centre, so what the model got right stays taught.
    const line: number[] = [];
    for (let p = 0; p < size * size; p++) {
      const id = objects.data[p]!;
      if (id === 0 || before.data[p] === 0) continue;
      const x = p % size;
      const neighbours = [x > 0 ? p - 1 : -1, x < size - 1 ? p + 1 : -1, p - size, p + size].filter((q) => q >= 0 && q < size * size);
      if (neighbours.some((q) => objects.data[q] !== 0 && objects.data[q] !== id && before.data[q] !== 0)) line.push(p);
    }
    const centres: number[] = [];
    for (let id = 1; id <= Math.max(...objects.data); id++) {
      const pixels = Array.from(objects.data.keys()).filter((p) => objects.data[p] === id);
      if (pixels.length < 20) continue;
      const cx = pixels.reduce((a, p) => a + (p % size), 0) / pixels.length;
      const cy = pixels.reduce((a, p) => a + Math.floor(p / size), 0) / pixels.length;
      const nearest = pixels.reduce((best, p) => ((p % size) - cx) ** 2 + (Math.floor(p / size) - cy) ** 2 < ((best % size) - cx) ** 2 + (Math.floor(best / size) - cy) ** 2 ? p : best);
      if (!line.includes(nearest)) centres.push(nearest);
    }
    console.log(`corrections: ${line.length} px of foreground joining touching cells painted background, ${centres.length} cell centres painted foreground`);
    expect(line.length).toBeGreaterThan(5);
    expect(centres.length).toBeGreaterThan(5);
    const box = (await page.locator('#canvas').boundingBox())!;
    const at = (p: number) => [box.x + ((p % size) + 0.5) * (box.width / size), box.y + (Math.floor(p / size) + 0.5) * (box.height / size)] as const;
    const dab = async (p: number) => {
      await page.mouse.move(...at(p));
      await page.mouse.down();
      await page.mouse.up();
    };
    const brushSize = (n: number) => page.locator('#brush-size').evaluate((input: HTMLInputElement, value) => (input.value = String(value)), n);
    await page.check('#paint');
    // A stroke, erased in part and undone: nothing stays painted.
    await page.selectOption('#brush', 'foreground');
    await brushSize(9);
    await page.mouse.move(...at(centres[0]!));
    await page.mouse.down();
    await page.mouse.move(...at(centres[1]!), { steps: 12 });
    await page.mouse.up();
    const stroked = Number(await page.getAttribute('#canvas', 'data-painted'));
    expect(stroked).toBeGreaterThan(0);
    // The eraser takes paint away where it passes; Undo puts it back, and a second Undo removes the stroke.
    await page.selectOption('#brush', 'eraser');
    await dab(centres[0]!);
    expect(Number(await page.getAttribute('#canvas', 'data-painted'))).toBeLessThan(stroked);
    await page.click('#undo');
    expect(Number(await page.getAttribute('#canvas', 'data-painted'))).toBe(stroked);
    await page.click('#undo');
    expect(await page.getAttribute('#canvas', 'data-painted')).toBe('0');
    await page.selectOption('#brush', 'background');
    await brushSize(1);
    for (const p of line) await dab(p);
    await page.selectOption('#brush', 'foreground');
    await brushSize(3);
    for (const p of centres) await dab(p);
    expect(await page.textContent('#paint-status')).toMatch(/^Painted: \d+ px background, \d+ px foreground\.$/);
    await page.selectOption('#view', 'overlay');
    await page.locator('#view-panel').screenshot({ path: join(SHOTS, 'app-painted.png') });

    // Fine-tune on the strokes; stopped after some steps, resumed to the end of its budget.
    await page.selectOption('#train-source', 'strokes');
    await page.fill('#train-seconds', '30');
    await page.click('#train');
    await page.waitForFunction(() => /^Step \d+/.test(document.getElementById('train-status')!.textContent!) && Number(document.getElementById('train-status')!.textContent!.match(/^Step (\d+)/)![1]) >= 5, undefined, { timeout: 120_000 });
    await page.click('#stop-train');
    await page.waitForFunction(() => document.getElementById('train-status')!.textContent!.startsWith('Trained'), undefined, { timeout: 120_000 });
    expect(await page.textContent('#train-status')).toMatch(/^Trained \d+ steps in \d+ s on 1 image\(s\) with painted strokes, on .+; stopped: Resume continues it\./);
    const stoppedAt = Number((await page.textContent('#train-status'))!.match(/^Trained (\d+) steps/)![1]);
    // The preview predicts the image again; a stopped training leaves no tensor behind.
    expect(await predicted()).toBe(tensorsBefore);
    expect(await page.isEnabled('#resume-train')).toBe(true);
    await page.click('#resume-train');
    await page.waitForFunction(() => document.getElementById('train-status')!.textContent!.startsWith('Trained'), undefined, { timeout: 180_000 });
    const said = (await page.textContent('#train-status'))!;
    console.log(`painted strokes: ${said}`);
    expect(said).toMatch(/^Trained \d+ steps in \d+ s on 1 image\(s\) with painted strokes, on .+\. The image is predicted again with the trained model\.$/);
    expect(Number(said.match(/^Trained (\d+) steps/)![1])).toBeGreaterThan(stoppedAt);
    expect(Number(said.match(/ in (\d+) s/)![1])).toBeGreaterThanOrEqual(25);
    expect(await predicted()).toBe(tensorsBefore);
    const after = await maskNow('after.png');
    await page.locator('#view-panel').screenshot({ path: join(SHOTS, 'app-painted-trained.png') });
    const share = (pixels: readonly number[], mask: typeof before, foreground: boolean) => pixels.filter((p) => mask.data[p]! > 0 === foreground).length / pixels.length;
    // Pixels more than 3 px from any paint: what the strokes did not touch.
    const painted = new Set([...line, ...centres]);
    const away = Array.from(before.data.keys()).filter((p) => ![...painted].some((q) => Math.abs((q % size) - (p % size)) <= 3 && Math.abs(Math.floor(q / size) - Math.floor(p / size)) <= 3));
    const kept = away.filter((p) => (after.data[p]! > 0) === (before.data[p]! > 0)).length / away.length;
    console.log(`after fine-tuning on the corrections: ${share(line, after, false).toFixed(2)} of the joining line now background (was 0), ${share(centres, after, true).toFixed(2)} of the centres foreground, ${kept.toFixed(3)} of the pixels away from the paint unchanged`);
    expect(share(line, before, false)).toBe(0);
    expect(share(line, after, false)).toBeGreaterThan(0.5);
    expect(share(centres, after, true)).toBeGreaterThan(0.9);
    expect(kept).toBeGreaterThan(0.9);

    // Kept in this browser's IndexedDB: after a reload, opened from there, it predicts the same mask.
    await page.fill('#save-name', 'painted-cells');
    await page.click('#save-browser');
    await page.waitForFunction(() => document.getElementById('train-status')!.textContent!.startsWith('Saved in this browser as painted-cells'));
    await page.reload();
    await page.waitForFunction(() => Array.from((document.getElementById('saved-models') as HTMLSelectElement).options).some((o) => o.value === 'painted-cells'));
    await page.selectOption('#saved-models', 'painted-cells');
    await page.click('#open-saved');
    await page.waitForFunction(() => document.getElementById('model-status')!.textContent!.startsWith('Loaded'), undefined, { timeout: 60_000 });
    await page.click('#demo-image');
    await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('cells.png: 128 x 128'));
    await page.click('#predict');
    await predicted();
    const reopened = await maskNow('reopened.png');
    expect(Array.from(reopened.data).filter((v, i) => v !== after.data[i]).length).toBe(0);
    expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith('blob:') && !r.startsWith('data:'))).toEqual([]);
  }, 600_000);

  it.skipIf(!existsSync(NUCLEI))('opens a published bioimage.io package, checks it against its test tensors, and predicts its test image', async () => {
    await page.setInputFiles('#model-files', (await readdir(NUCLEI)).map((n) => join(NUCLEI, n)));
    await page.waitForFunction(() => /^(Loaded|`)/.test(document.getElementById('model-status')!.textContent!), undefined, { timeout: 60_000 });
    const said = (await page.textContent('#model-status'))!;
    console.log(`package: ${said}`);
    const within = Number(said.match(/its test output reproduced within ([\d.e+-]+)\)/)?.[1]);
    expect(within).toBeLessThan(1e-4);
    expect(said).toMatch(/^Loaded: bioimage\.io package "UNet 2D Nuclei Broad" \(.+\), running on onnxruntime-web\./);
    await page.setInputFiles('#image-file', join(NUCLEI, 'test_input.png'));
    await page.waitForFunction(() => document.getElementById('image-status')!.textContent!.startsWith('test_input.png: '));
    await page.click('#predict');
    await page.waitForFunction(() => /^(Predicted|Prediction)/.test(document.getElementById('image-status')!.textContent!) || document.getElementById('image-status')!.classList.contains('error'), undefined, { timeout: 60_000 }).catch(() => undefined);
    console.log(`package prediction: ${await page.textContent('#image-status')} (progress ${await page.getAttribute('#progress', 'value')}, ${await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value)})`);
    expect(await page.textContent('#image-status')).toMatch(/^Predicted on onnxruntime-web in [\d.]+ s: \d+ objects\.$/);
    expect(Number((await page.textContent('#image-status'))!.match(/: (\d+) objects/)![1])).toBeGreaterThan(10);
  }, 400_000);
});
