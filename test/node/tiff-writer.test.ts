import { spawnSync } from 'node:child_process';
import { mkdtemp, open, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTiffWriter, readImage } from '../../src/node/index.js';
import { rng } from '../helpers/random.js';

const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-tiff-'));

/** A Python with tifffile (napari's TIFF reader; Debian: python3-tifffile), an independent reader. */
const TIFFFILE = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import tifffile']).status === 0);
if (TIFFFILE === undefined) console.log('tifffile check skipped: no Python with tifffile (apt-get install python3-tifffile)');

async function writeInBands(path: string, data: Uint8Array | Uint16Array, width: number, height: number, bits: 8 | 16, band: number) {
  const tiff = await openTiffWriter(path, { width, height, bits, tile: 32 });
  for (let y = 0; y < height; y += band) await tiff.writeRows(y, data.slice(y * width, Math.min(height, y + band) * width));
  await tiff.close();
}

describe('openTiffWriter (tiled BigTIFF, a band of rows at a time)', () => {
  it('writes 8- and 16-bit images that libvips reads back exactly, edges padded to whole tiles', async () => {
    const dir = await temp();
    const random = rng(1);
    const [width, height] = [77, 45]; // 3 x 2 tiles of 32, the last ones partly outside
    const eight = Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256));
    const sixteen = Uint16Array.from({ length: width * height }, () => Math.floor(random() * 65536));
    await writeInBands(join(dir, 'a.tif'), eight, width, height, 8, 7);
    await writeInBands(join(dir, 'b.tif'), sixteen, width, height, 16, 45);
    const a = await readImage(join(dir, 'a.tif'));
    expect([a.width, a.height, a.channels]).toEqual([width, height, 1]);
    expect(a.data).toEqual(eight);
    const b = await readImage(join(dir, 'b.tif'));
    expect(b.data).toBeInstanceOf(Uint16Array);
    expect(b.data).toEqual(sixteen);
    // BigTIFF: 'II', version 43, 8-byte offsets.
    const bytes = await readFile(join(dir, 'a.tif'));
    expect([bytes[0], bytes[1], bytes.readUInt16LE(2), bytes.readUInt16LE(4)]).toEqual([0x49, 0x49, 43, 8]);
    // The same rows in other bands give the same bytes.
    await writeInBands(join(dir, 'a2.tif'), eight, width, height, 8, 45);
    expect(Buffer.compare(await readFile(join(dir, 'a2.tif')), bytes)).toBe(0);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(TIFFFILE === undefined)('writes files tifffile reads as the same tiled BigTIFF', async () => {
    const dir = await temp();
    const [width, height] = [70, 50];
    const values = Uint16Array.from({ length: width * height }, (_, i) => (i * 2654435761) % 65536);
    await writeInBands(join(dir, 'c.tif'), values, width, height, 16, 9);
    const script = 'import sys, tifffile\nwith tifffile.TiffFile(sys.argv[1]) as t:\n  p = t.pages[0]\n  print(t.is_bigtiff, p.is_tiled, p.tilewidth, p.shape, p.dtype)\n  sys.stdout.flush()\n  sys.stdout.buffer.write(p.asarray().astype("<u2").tobytes())';
    const read = spawnSync(TIFFFILE!, ['-c', script, join(dir, 'c.tif')]);
    expect(read.status, read.stderr.toString()).toBe(0);
    const newline = read.stdout.indexOf(10);
    expect(read.stdout.subarray(0, newline).toString()).toBe('True True 32 (50, 70) uint16');
    const pixels = read.stdout.subarray(newline + 1);
    expect(Array.from(new Uint16Array(Uint8Array.from(pixels).buffer))).toEqual(Array.from(values));
  });

  it('leaves nothing under the final name when rows are missing, the disk is full, or it is aborted', async () => {
    const dir = await temp();
    const missing = await openTiffWriter(join(dir, 'missing.tif'), { width: 10, height: 10, bits: 8, tile: 16 });
    await missing.writeRows(0, new Uint8Array(50));
    await expect(missing.close()).rejects.toThrow('is missing rows 5..9; not written');
    await missing.abort();
    // A disk that fills up after the header: the write fails, the temporary file goes.
    let written = 0;
    const full = await openTiffWriter(join(dir, 'full.tif'), {
      width: 64,
      height: 64,
      bits: 8,
      tile: 16,
      openFile: async (path) => {
        const handle = await open(path, 'w');
        return {
          write: (async (data: Uint8Array, offset: number, length: number, position: number) => {
            written += length;
            if (written > 100) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            return handle.write(data, offset, length, position);
          }) as never,
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
      },
    });
    const noise = Uint8Array.from({ length: 64 * 64 }, (_, i) => (i * 7919) % 251);
    await expect(full.writeRows(0, noise)).rejects.toThrow('ENOSPC');
    await full.abort();
    const aborted = await openTiffWriter(join(dir, 'aborted.tif'), { width: 8, height: 8, bits: 16, tile: 16 });
    await aborted.writeRows(0, new Uint16Array(32));
    await aborted.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses rows out of order and data of the wrong kind, naming them', async () => {
    const dir = await temp();
    const tiff = await openTiffWriter(join(dir, 'x.tif'), { width: 4, height: 4, bits: 16 });
    await expect(tiff.writeRows(1, new Uint16Array(4))).rejects.toThrow('`y0` must continue where the last rows ended (row 0)');
    await expect(tiff.writeRows(0, new Uint8Array(4))).rejects.toThrow('`data` must hold whole rows of 4 x 1 Uint16Array values');
    await tiff.abort();
    await expect(openTiffWriter(join(dir, 'y.tif'), { width: 4, height: 4, bits: 8, tile: 20 })).rejects.toThrow('`tile` must be a positive multiple of 16');
  });
});
