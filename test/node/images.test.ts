import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMask, loadDataset, readImage, readMask, writeImage } from '../../src/node/index.js';

const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-images-'));

describe('image files', () => {
  it('round-trips 8-bit, 16-bit and RGB PNGs exactly', async () => {
    const dir = await temp();
    const gray = { data: Uint8Array.from({ length: 12 }, (_, i) => i * 20), width: 4, height: 3 };
    const deep = { data: Uint16Array.from({ length: 12 }, (_, i) => i * 5000), width: 4, height: 3 };
    const rgb = { data: Uint8Array.from({ length: 36 }, (_, i) => (i * 7) % 256), width: 4, height: 3, channels: 3 };
    for (const [name, image] of [['gray.png', gray], ['deep.png', deep], ['rgb.png', rgb]] as const) {
      await writeImage(join(dir, name), image);
      const back = await readImage(join(dir, name));
      expect(back.data.constructor).toBe(image.data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(image.data));
      expect(back.channels ?? 1).toBe((image as { channels?: number }).channels ?? 1);
    }
    await expect(readImage(join(dir, 'missing.png'))).rejects.toThrow(/^`path` must be a readable PNG, JPEG or TIFF image/);
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
});
