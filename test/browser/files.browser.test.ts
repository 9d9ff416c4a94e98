// Image and mask files read in real Chromium by `tfjs-unet/browser`, against what the Node reader
// (sharp, i.e. libvips with libpng, libjpeg-turbo and libtiff: an independent decoder) reads from
// the same files: PNG 8/16-bit, gray/RGB/alpha/palette/1-bit, JPEG, TIFF 8/16/32-bit, float and
// multi-page stacks; datasets of instance, class and binary masks; refusals in one sentence.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage, type FileImage } from '../../src/node/images.js';
import { CHROMIUM, chromiumVersion, openPage } from './chromium.js';
import type { PlainImage, UnetFiles } from './files-page.js';

if (CHROMIUM === undefined) console.log('browser tests skipped: no Chromium (apt-get install chromium)');
const TIFFFILE = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import tifffile']).status === 0);

const W = 37;
const H = 23;
/** A deterministic pattern of `n` values below `top`. */
const pattern = (n: number, top: number, seed: number) => Array.from({ length: n }, (_, i) => Math.floor(((Math.sin(i * 12.9898 + seed) * 43758.5453) % 1 + 1) % 1 * top));

/** 25 touching square cells numbered 1..25 on a 5x5 grid (each id one region). */
function touchingCells(): Uint16Array {
  const ids = new Uint16Array(W * H);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 35; x++) ids[y * W + x] = 1 + Math.floor(y / 4) * 5 + Math.floor(x / 7);
  return ids;
}

/** Three classes forming many regions each: stripes of 0, 1, 2 repeating. */
const stripes = () => Uint8Array.from({ length: W * H }, (_, i) => Math.floor((i % W) / 3) % 3);

describe.skipIf(CHROMIUM === undefined)('image files in Chromium (tfjs-unet/browser)', () => {
  let dir: string;
  let page: Page;
  let close: () => Promise<void>;
  const files: Record<string, Uint8Array> = {};
  const call = <K extends keyof UnetFiles>(name: K, ...args: Parameters<UnetFiles[K]>) =>
    page.evaluate(({ name, args }) => ((window as unknown as { unetFiles: Record<string, (...a: unknown[]) => unknown> }).unetFiles[name]!(...args)), { name, args }) as ReturnType<UnetFiles[K]>;
  const expectSame = (got: PlainImage, want: FileImage, what: string) => {
    expect([got.width, got.height, got.channels], what).toEqual([want.width, want.height, want.channels ?? 1]);
    expect(got.type, what).toBe(want.data.constructor.name);
    expect(got.data, what).toEqual(Array.from(want.data));
  };

  beforeAll(async () => {
    console.log(`browser: ${chromiumVersion()}`);
    dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-browser-files-'));
    const gray8 = Uint8Array.from(pattern(W * H, 256, 1));
    const rgb8 = Uint8Array.from(pattern(3 * W * H, 256, 2));
    const gray16 = Uint16Array.from(pattern(W * H, 65536, 3));
    await writeImage(join(dir, 'gray8.png'), { data: gray8, width: W, height: H });
    await writeImage(join(dir, 'rgb8.png'), { data: rgb8, width: W, height: H, channels: 3 });
    await writeImage(join(dir, 'gray16.png'), { data: gray16, width: W, height: H });
    await writeImage(join(dir, 'cells.png'), { data: touchingCells(), width: W, height: H });
    await writeImage(join(dir, 'gray16.tif'), { data: gray16, width: W, height: H });
    await writeImage(join(dir, 'rgb8.tif'), { data: rgb8, width: W, height: H, channels: 3 });
    await writeImage(join(dir, 'stripes.png'), { data: stripes(), width: W, height: H });
    await writeImage(join(dir, 'binary.png'), { data: Uint8Array.from(touchingCells(), (v) => (v % 2 === 1 ? 255 : 0)), width: W, height: H });
    const raw = (data: Uint8Array, channels: 1 | 2 | 3 | 4) => sharp(Buffer.from(data), { raw: { width: W, height: H, channels } });
    await raw(Uint8Array.from(pattern(4 * W * H, 256, 4)), 4).png().toFile(join(dir, 'rgba.png'));
    await raw(rgb8, 3).jpeg({ quality: 90 }).toFile(join(dir, 'rgb.jpg'));
    await raw(gray8, 1).jpeg({ quality: 90 }).toFile(join(dir, 'gray.jpg'));
    await raw(rgb8, 3).png({ palette: true, colours: 16 }).toFile(join(dir, 'palette.png'));
    await raw(Uint8Array.from(gray8, (v) => (v > 127 ? 255 : 0)), 1).png({ palette: true, colours: 2 }).toFile(join(dir, 'onebit.png'));
    if (TIFFFILE !== undefined) {
      // A stack of three 16-bit pages (zlib), int32 labels and float32 values, as napari and Fiji write them.
      const script = [
        'import sys, numpy as np, tifffile',
        'd = sys.argv[1]',
        'r = np.random.default_rng(5)',
        `tifffile.imwrite(d + "/stack16.tif", r.integers(0, 65536, (3, ${H}, ${W}), dtype=np.uint16), photometric="minisblack", compression="zlib")`,
        `tifffile.imwrite(d + "/labels32.tif", r.integers(0, 100000, (${H}, ${W}), dtype=np.int32))`,
        `tifffile.imwrite(d + "/float.tif", r.standard_normal((${H}, ${W})).astype(np.float32))`,
      ].join('\n');
      const done = spawnSync(TIFFFILE, ['-c', script, dir], { encoding: 'utf8' });
      expect(done.status, done.stderr).toBe(0);
    }
    for (const name of ['gray8.png', 'rgb8.png', 'gray16.png', 'cells.png', 'gray16.tif', 'rgb8.tif', 'stripes.png', 'binary.png', 'rgba.png', 'rgb.jpg', 'gray.jpg', 'palette.png', 'onebit.png', ...(TIFFFILE === undefined ? [] : ['stack16.tif', 'labels32.tif', 'float.tif'])]) {
      files[name] = new Uint8Array(await readFile(join(dir, name)));
    }
    files['notes.txt'] = new TextEncoder().encode('not an image');
    files['truncated.png'] = files['gray16.png']!.slice(0, 60);
    files['wide.png'] = new Uint8Array(await sharp({ create: { width: W + 1, height: H, channels: 3, background: '#000' } }).png().toBuffer());
    files['masks/rgb8.png'] = files['wide.png'];
    files['masks/gray8.png'] = files['binary.png']!;
    ({ page, close } = await openPage({ entry: 'files-page.ts', ready: 'unetFiles', files }));
  }, 120_000);
  afterAll(async () => {
    await close?.();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('decodes PNG and TIFF exactly as the Node reader does: 8 and 16 bits, gray, RGB, alpha, palette, 1-bit', async () => {
    for (const name of ['gray8.png', 'rgb8.png', 'gray16.png', 'cells.png', 'gray16.tif', 'rgb8.tif', 'rgba.png', 'palette.png', 'onebit.png']) {
      expectSame(await call('decode', name), await readImage(join(dir, name)), name);
    }
    const cells = await call('decodeFile', 'cells.png');
    expect(cells.type).toBe('Uint16Array');
    expect(Math.max(...cells.data)).toBe(25);
  });

  it.skipIf(TIFFFILE === undefined)('decodes TIFF stacks page by page, 32-bit integer labels and float images', async () => {
    expect(await call('pages', 'stack16.tif')).toBe(3);
    for (const page of [0, 2]) expectSame(await call('decode', 'stack16.tif', page), await readImage(join(dir, 'stack16.tif'), { page }), `stack16.tif page ${page}`);
    expectSame(await call('decode', 'labels32.tif'), await readImage(join(dir, 'labels32.tif')), 'labels32.tif');
    expectSame(await call('decode', 'float.tif'), await readImage(join(dir, 'float.tif')), 'float.tif');
    expect(await call('refusal', 'stack16.tif')).toBe('no error');
  });

  it('decodes JPEG with the browser: within a step or two of libjpeg-turbo', async () => {
    for (const name of ['rgb.jpg', 'gray.jpg']) {
      const got = await call('decode', name);
      const want = await readImage(join(dir, name));
      expect([got.width, got.height, got.channels, got.type], name).toEqual([want.width, want.height, want.channels ?? 1, 'Uint8Array']);
      const worst = got.data.reduce((m, v, i) => Math.max(m, Math.abs(v - want.data[i]!)), 0);
      console.log(`${name}: largest difference from sharp ${worst}`);
      expect(worst, name).toBeLessThanOrEqual(2);
    }
  });

  it('writes PNGs that decode to the same values (8-bit, and 16-bit labels)', async () => {
    for (const name of ['gray8.png', 'gray16.png', 'rgb8.png']) expectSame(await call('roundTrip', name), await readImage(join(dir, name)), `${name} round trip`);
  });

  it('reads datasets with the Node rules: 25 touching cells are instances, 3 striped classes are classes', async () => {
    const instances = await call('dataset', ['cells.png'], ['cells.png']);
    expect(instances.maskType).toBe('instances');
    expect(instances.classes).toBe(2);
    expect(Math.max(...instances.instances![0]!.data)).toBe(25);
    // Touching objects are kept apart: a cell's pixel next to a lower id becomes background.
    expect(instances.masks[0]!.data[7]).toBe(0);
    expect(instances.masks[0]!.data[8]).toBe(1);
    const classes = await call('dataset', ['stripes.png'], ['stripes.png']);
    expect([classes.maskType, classes.classes]).toEqual(['classes', 3]);
    const binary = await call('dataset', ['gray8.png'], ['masks/gray8.png']);
    expect([binary.names, binary.maskType, binary.classes]).toEqual([['gray8'], 'binary', 2]);
    expect(binary.masks[0]!.data).toEqual(Array.from(touchingCells(), (v) => v % 2));
  });

  it('refuses in one sentence naming the file: not an image, a truncated file, a mask of another size, unpaired files', async () => {
    expect(await call('refusal', 'notes.txt')).toBe('`image` must be a PNG, JPEG or TIFF image, and this file is none of them: re-save it in one of those formats. Received: image="notes.txt".');
    expect(await call('refusal', 'truncated.png')).toMatch(/^`image` must be a readable PNG image, and this file does not decode \(.+\): re-save it\. Received: image="truncated\.png"\.$/);
    expect(await call('datasetRefusal', ['rgb8.png'], ['masks/rgb8.png'])).toBe("`masks` must match their images' sizes: rgb8.png is 37x23. Received: masks=\"rgb8.png is 38x23\".");
    expect(await call('datasetRefusal', ['rgb8.png'], ['wide.png'])).toBe('`masks` must contain a mask named like rgb8.png. Received: masks="the masks".');
  });
});
