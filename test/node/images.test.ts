import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { decodeMask, labelComponents, loadDataset, readImage, readMask, writeImage } from '../../src/node/index.js';

const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-images-'));

describe('image files', () => {
  it('round-trips 8-bit, 16-bit and RGB PNGs and TIFFs exactly', async () => {
    const dir = await temp();
    const gray = { data: Uint8Array.from({ length: 12 }, (_, i) => i * 20), width: 4, height: 3 };
    const deep = { data: Uint16Array.from({ length: 12 }, (_, i) => i * 5000), width: 4, height: 3 };
    const rgb = { data: Uint8Array.from({ length: 36 }, (_, i) => (i * 7) % 256), width: 4, height: 3, channels: 3 };
    // TIFFs too: lossless and 16-bit (sharp's own default would write 8-bit JPEG).
    for (const [name, image] of [['gray.png', gray], ['deep.png', deep], ['rgb.png', rgb], ['deep.tif', deep], ['rgb.tif', rgb]] as const) {
      await writeImage(join(dir, name), image);
      const back = await readImage(join(dir, name));
      expect(back.data.constructor).toBe(image.data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
      expect(back.channels ?? 1).toBe((image as { channels?: number }).channels ?? 1);
    }
    await writeImage(join(dir, 'new', 'folder', 'gray.png'), gray); // creates its folder
    expect(Array.from((await readImage(join(dir, 'new', 'folder', 'gray.png'))).data)).toEqual(Array.from(gray.data));
    await expect(readImage(join(dir, 'missing.png'))).rejects.toThrow(/^`path` must hold PNG, JPEG or TIFF images, and this file does not decode as one \(.+\): re-save it/);
  });

  it('detects the mask encoding and rejects ambiguous masks, naming the file and values', async () => {
    expect(decodeMask([0, 255, 255, 0], 2, 2, 'm.png')).toMatchObject({ encoding: 'binary-0-255', classes: 2, mask: { data: Uint8Array.from([0, 1, 1, 0]) } });
    expect(decodeMask([0, 1, 1, 1], 2, 2, 'm.png')).toMatchObject({ encoding: 'binary-0-1', classes: 2 });
    expect(decodeMask([0, 1, 2, 3], 2, 2, 'm.png')).toMatchObject({ encoding: 'class-index', classes: 4 });
    expect(() => decodeMask([0, 128, 255, 3], 2, 2, 'masks/a.png')).toThrow(
      '`masks/a.png` must be a mask with values {0, 255}, {0, 1} or class indices 0..31; it is ambiguous (anti-aliased or a photo?). Received: masks/a.png="values 0, 3, 128, 255".',
    );
    const dir = await temp();
    await writeImage(join(dir, 'mask.png'), { data: Uint8Array.from([0, 255, 0, 255]), width: 2, height: 2 });
    expect((await readMask(join(dir, 'mask.png'))).encoding).toBe('binary-0-255');
  });

  it('refuses what a newcomer gives by mistake in one sentence naming the folder or file', async () => {
    const dir = await temp();
    for (const sub of ['images', 'masks', 'empty']) await mkdir(join(dir, sub));
    await writeImage(join(dir, 'images', 'a.png'), { data: new Uint8Array(4), width: 2, height: 2 });
    await writeFile(join(dir, 'masks', 'a.png'), 'not an image');
    const unreadable = (argument: string, file: string) =>
      new RegExp(`^\`${argument}\` must hold PNG, JPEG or TIFF images, and this file does not decode as one \\(.+\\): re-save it in one of those formats or move it out of the folder\\. Received: ${argument}="${file.replaceAll('/', '\\/')}"\\.$`);
    await expect(loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') })).rejects.toThrow(unreadable('masks', join(dir, 'masks', 'a.png')));
    await expect(loadDataset({ images: join(dir, 'masks'), masks: join(dir, 'images') })).rejects.toThrow(unreadable('images', join(dir, 'masks', 'a.png')));
    await expect(loadDataset({ images: join(dir, 'nothing'), masks: join(dir, 'masks') })).rejects.toThrow(
      `\`images\` must be a folder of images or an image file, and nothing exists at this path. Received: images=${JSON.stringify(join(dir, 'nothing'))}.`,
    );
    await expect(loadDataset({ images: join(dir, 'empty'), masks: join(dir, 'empty') })).rejects.toThrow(
      `\`images\` must hold PNG, JPEG or TIFF images (.png .jpg .jpeg .tif .tiff), and this folder has none. Received: images=${JSON.stringify(join(dir, 'empty'))}.`,
    );
  });

  it('pairs images and masks by name and names mismatches', async () => {
    const dir = await temp();
    for (const sub of ['images', 'masks']) await mkdir(join(dir, sub));
    const image = { data: new Uint8Array(16).fill(9), width: 4, height: 4 };
    const mask = { data: Uint8Array.from({ length: 16 }, (_, i) => (i % 2) * 255), width: 4, height: 4 };
    await writeImage(join(dir, 'images', 'a.png'), image);
    await writeImage(join(dir, 'images', 'b.png'), image);
    await writeImage(join(dir, 'masks', 'a.png'), mask);
    await expect(loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') })).rejects.toThrow('`masks` must contain a mask named like b.png');
    await writeImage(join(dir, 'masks', 'b.png'), { data: new Uint8Array(6), width: 3, height: 2 });
    await expect(loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') })).rejects.toThrow(
      `\`masks\` must match their images' sizes: ${join(dir, 'images', 'b.png')} is 4x4. Received: masks="${join(dir, 'masks', 'b.png')} is 3x2".`,
    );
    await writeImage(join(dir, 'masks', 'b.png'), mask);
    const data = await loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') });
    expect(data.names).toEqual(['a', 'b']);
    expect(data.classes).toBe(2);
    expect(Array.from(data.masks[0]!.data.slice(0, 4))).toEqual([0, 1, 0, 1]);
  });

  it('reads instance label masks (8 and 16-bit) as objects, class and colour masks as classes, and records why', async () => {
    const dir = await temp();
    for (const sub of ['images', 'masks', 'colour']) await mkdir(join(dir, sub));
    const width = 32;
    const image = { data: new Uint8Array(width * width).fill(50), width, height: width };
    // 25 touching square cells numbered 1..25 (8-bit) and 200 one-pixel objects numbered 1000..1199 (16-bit).
    const cells = Uint8Array.from({ length: width * width }, (_, i) => {
      const y = Math.floor(i / width);
      const x = i % width;
      return y >= 1 && y < 31 && x >= 1 && x < 31 ? 1 + Math.floor((y - 1) / 6) * 5 + Math.floor((x - 1) / 6) : 0;
    });
    const dots = new Uint16Array(width * width);
    for (let k = 0; k < 200; k++) dots[2 * (k % 16) + 64 * Math.floor(k / 16)] = 1000 + k;
    await writeImage(join(dir, 'images', 'a.png'), image);
    await writeImage(join(dir, 'images', 'b.png'), image);
    await writeImage(join(dir, 'masks', 'a.png'), { data: cells, width, height: width });
    await writeImage(join(dir, 'masks', 'b.png'), { data: dots, width, height: width });
    const data = await loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') });
    expect(data.maskType).toBe('instances');
    expect(data.classes).toBe(2);
    expect(data.maskReason).toContain('225 (mask, value) pairs over 2 mask(s), 100% of them one connected region');
    expect(labelComponents(data.masks[0]!, { connectivity: 4 }).count).toBe(25);
    expect(new Set(data.instances![1]!.data).size).toBe(201);
    expect(data.instances![1]!.data[0]).toBe(1000);
    // Stated otherwise, the same files are binary.
    const stated = await loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') }, { maskType: 'binary' });
    expect(stated).toMatchObject({ maskType: 'binary', classes: 2 });
    expect(stated.instances).toBeUndefined();
    // An RGB mask: red stripes and green dots are two classes.
    const rgb = new Uint8Array(3 * width * width);
    for (let i = 0; i < width * width; i++) {
      const [y, x] = [Math.floor(i / width), i % width];
      if (x % 4 === 0) rgb[3 * i] = 255;
      else if (y % 4 === 1 && x % 4 === 2) rgb[3 * i + 1] = 255;
    }
    await writeImage(join(dir, 'colour', 'a.png'), { data: rgb, width, height: width, channels: 3 });
    await writeImage(join(dir, 'colour', 'b.png'), { data: rgb, width, height: width, channels: 3 });
    const coloured = await loadDataset({ images: join(dir, 'images'), masks: join(dir, 'colour') });
    expect(coloured).toMatchObject({ maskType: 'classes', classes: 3, colorTable: [[0, 0, 0], [0, 255, 0], [255, 0, 0]] });
    expect(coloured.masks[0]!.data[0]).toBe(2);
    expect(coloured.masks[0]!.data[width + 2]).toBe(1);
  });

  it('reads 32-bit integer label TIFFs (as napari writes them) without conversion', async () => {
    // test/fixtures/labels-int32.tif: 8x6 int32, written by Pillow (Image.fromarray(a, mode='I')): ids 70000, 123456 and 5.
    const labels = await readImage(join(import.meta.dirname, '..', 'fixtures', 'labels-int32.tif'));
    expect(labels.data).toBeInstanceOf(Int32Array);
    expect([labels.width, labels.height, labels.channels]).toEqual([8, 6, 1]);
    expect(labels.data[0]).toBe(70000);
    expect(labels.data[5 * 8 + 7]).toBe(123456);
    expect(labels.data[4 * 8]).toBe(5);
    expect(new Set(labels.data)).toEqual(new Set([0, 5, 70000, 123456]));
  });

  const he = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'nuclei-he-miccai2015');
  it.skipIf(!existsSync(he))('reads the H&E nuclei set (16-bit instance labels, 68-351 per tile) as instances', async () => {
    // The shared copy has the masks of tiles 04 and 05 swapped (their sizes differ): the loader names the pair.
    await expect(loadDataset({ images: join(he, 'images'), masks: join(he, 'masks') })).rejects.toThrow(/`masks` must match their images' sizes: .*image04\.png is 623x493/);
    const dir = await temp();
    for (const sub of ['images', 'masks']) await mkdir(join(dir, sub));
    for (let k = 1; k <= 15; k++) {
      const name = `image${String(k).padStart(2, '0')}.png`;
      const maskName = k === 4 ? 'image05.png' : k === 5 ? 'image04.png' : name;
      await symlink(join(he, 'images', name), join(dir, 'images', name));
      await symlink(join(he, 'masks', maskName), join(dir, 'masks', name));
    }
    const data = await loadDataset({ images: join(dir, 'images'), masks: join(dir, 'masks') });
    expect(data.maskType).toBe('instances');
    expect(data.classes).toBe(2);
    // image01 holds 351 nuclei, the most of the set.
    expect(new Set(data.instances![0]!.data).size - 1).toBe(351);
    expect(data.images[0]!.channels).toBe(3);
  });
  if (!existsSync(he)) console.log(`skipped: the H&E nuclei test needs ${he}`);
});
