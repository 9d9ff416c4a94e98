import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, modelPredictor, predictImageFile, readImage, unet, writeImage } from '../../src/node/index.js';
import { zarrRows } from '../../src/node/zarr-images.js';
import { rng } from '../helpers/random.js';

// OME-Zarr written by hand from the specifications (Zarr v2 + NGFF 0.4, Zarr v3 + NGFF 0.5), uncompressed
// chunks, so that the reader is checked against the formats, not against its own writer.

type Dtype = 'uint8' | 'uint16';
const bytesOf = (dtype: Dtype) => (dtype === 'uint8' ? 1 : 2);

/** C-order chunks of a `shape` array, each padded to the whole chunk as the formats store them. */
async function writeChunks(data: ArrayLike<number>, shape: number[], chunks: number[], dtype: Dtype, key: (index: number[]) => string) {
  const counts = shape.map((n, i) => Math.ceil(n / chunks[i]!));
  const total = counts.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    const index = counts.map((_, i) => Math.floor(flat / counts.slice(i + 1).reduce((a, b) => a * b, 1)) % counts[i]!);
    const size = chunks.reduce((a, b) => a * b, 1);
    const buffer = Buffer.alloc(size * bytesOf(dtype));
    for (let e = 0; e < size; e++) {
      const within = chunks.map((_, i) => Math.floor(e / chunks.slice(i + 1).reduce((a, b) => a * b, 1)) % chunks[i]!);
      const at = within.map((w, i) => index[i]! * chunks[i]! + w);
      if (at.some((v, i) => v >= shape[i]!)) continue;
      const source = at.reduce((acc, v, i) => acc * shape[i]! + v, 0);
      if (dtype === 'uint8') buffer.writeUInt8(data[source]!, e);
      else buffer.writeUInt16LE(data[source]!, 2 * e);
    }
    const path = key(index);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, buffer);
  }
}

/** NGFF 0.4 on Zarr v2: axes c, y, x; chunks named `0.i.j.k` (the default separator). */
async function writeV04(dir: string, data: ArrayLike<number>, channels: number, height: number, width: number, dtype: Dtype, axes = ['c', 'y', 'x']) {
  await mkdir(join(dir, '0'), { recursive: true });
  await writeFile(join(dir, '.zgroup'), JSON.stringify({ zarr_format: 2 }));
  const multiscales = [{ version: '0.4', axes: axes.map((name) => ({ name, type: name === 'c' ? 'channel' : 'space' })), datasets: [{ path: '0', coordinateTransformations: [{ type: 'scale', scale: axes.map(() => 1) }] }] }];
  await writeFile(join(dir, '.zattrs'), JSON.stringify({ multiscales }));
  const shape = [channels, height, width];
  const chunks = [1, 32, 32];
  await writeFile(join(dir, '0', '.zarray'), JSON.stringify({ zarr_format: 2, shape, chunks, dtype: dtype === 'uint8' ? '|u1' : '<u2', compressor: null, fill_value: 0, order: 'C', filters: null }));
  await writeChunks(data, shape, chunks, dtype, (index) => join(dir, '0', index.join('.')));
}

/** NGFF 0.5 on Zarr v3: axes t, c, z, y, x with singletons; chunk keys `c/0/0/0/i/j`. */
async function writeV05(dir: string, data: ArrayLike<number>, height: number, width: number, dtype: Dtype, options: { z?: number; dataType?: string } = {}) {
  const z = options.z ?? 1;
  await mkdir(join(dir, 's0'), { recursive: true });
  const axes = [
    { name: 't', type: 'time' },
    { name: 'c', type: 'channel' },
    { name: 'z', type: 'space' },
    { name: 'y', type: 'space' },
    { name: 'x', type: 'space' },
  ];
  await writeFile(join(dir, 'zarr.json'), JSON.stringify({ zarr_format: 3, node_type: 'group', attributes: { ome: { version: '0.5', multiscales: [{ axes, datasets: [{ path: 's0', coordinateTransformations: [{ type: 'scale', scale: [1, 1, 1, 1, 1] }] }] }] } } }));
  const shape = [1, 1, z, height, width];
  const chunks = [1, 1, 1, 32, 32];
  await writeFile(
    join(dir, 's0', 'zarr.json'),
    JSON.stringify({
      zarr_format: 3,
      node_type: 'array',
      shape,
      data_type: options.dataType ?? dtype,
      chunk_grid: { name: 'regular', configuration: { chunk_shape: chunks } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      fill_value: 0,
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    }),
  );
  if (options.dataType === undefined) await writeChunks(data, shape, chunks, dtype, (index) => join(dir, 's0', 'c', ...index.map(String)));
}

const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-zarr-'));
const spec = unet({ depth: 2, baseFilters: 3 });
const model = buildModel(spec, { inputSize: 92, seed: 6 });
afterAll(() => model.dispose());

describe('zarrRows (OME-Zarr, a band of rows at a time)', () => {
  it('reads NGFF 0.4 (Zarr v2, c/y/x) and 0.5 (Zarr v3, t/c/z/y/x) bands as written, channels last', async () => {
    const dir = await temp();
    const random = rng(2);
    const [height, width] = [70, 45];
    const rgb = Uint8Array.from({ length: 3 * height * width }, () => Math.floor(random() * 256)); // planar c, y, x
    await writeV04(join(dir, 'a.zarr'), rgb, 3, height, width, 'uint8');
    const a = await zarrRows(join(dir, 'a.zarr'));
    expect([a.width, a.height, a.channels]).toEqual([width, height, 3]);
    const band = await a.read(33, 66);
    expect(band.data).toBeInstanceOf(Uint8Array);
    for (const [y, x, c] of [[33, 0, 0], [40, 44, 2], [65, 31, 1], [50, 32, 0]] as const) expect(band.data[((y - 33) * width + x) * 3 + c]).toBe(rgb[(c * height + y) * width + x]);
    const gray = Uint16Array.from({ length: height * width }, () => Math.floor(random() * 65536));
    await writeV05(join(dir, 'b.ome.zarr'), gray, height, width, 'uint16');
    const b = await zarrRows(join(dir, 'b.ome.zarr'));
    expect([b.width, b.height, b.channels]).toEqual([width, height, 1]);
    const rows = await b.read(10, 70);
    expect(rows.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(rows.data)).toEqual(Array.from(gray.subarray(10 * width, 70 * width)));
  });

  it('predicts an OME-Zarr image as the same image in a PNG, into NAME-mask.tif', async () => {
    const dir = await temp();
    const random = rng(3);
    const [height, width] = [150, 120];
    const data = Uint8Array.from({ length: height * width }, (_, i) => ((i % width) * 2 + Math.floor(i / width) + Math.floor(random() * 40)) % 256);
    await writeV05(join(dir, 'cells.ome.zarr'), data, height, width, 'uint8');
    await writeImage(join(dir, 'cells.png'), { data, width, height });
    const predictor = modelPredictor(model, spec);
    const zarr = await predictImageFile(predictor, join(dir, 'cells.ome.zarr'), join(dir, 'out-zarr'), { tile: 92 });
    const png = await predictImageFile(predictor, join(dir, 'cells.png'), join(dir, 'out-png'), { tile: 92 });
    expect(zarr.files).toEqual([join(dir, 'out-zarr', 'cells-mask.tif'), join(dir, 'out-zarr', 'cells-probability.tif')]);
    expect(Array.from((await readImage(zarr.files[0]!)).data)).toEqual(Array.from((await readImage(png.files[0]!)).data));
    expect(Array.from((await readImage(zarr.files[1]!)).data)).toEqual(Array.from((await readImage(png.files[1]!)).data));
    predictor.dispose();
  });

  it('refuses unexpected axes, a z stack, a data type it does not read and a folder that is not OME-Zarr, naming them', async () => {
    const dir = await temp();
    const data = new Uint8Array(2 * 20 * 20);
    await writeV04(join(dir, 'axes.zarr'), data, 2, 20, 20, 'uint8', ['q', 'y', 'x']);
    await expect(zarrRows(join(dir, 'axes.zarr'))).rejects.toThrow('`path axes` must be y and x with optional c, t and z (each once)');
    await writeV05(join(dir, 'stack.zarr'), new Uint8Array(3 * 20 * 20), 20, 20, 'uint8', { z: 3 });
    await expect(zarrRows(join(dir, 'stack.zarr'))).rejects.toThrow('`path axes` must have z of size 1');
    await writeV05(join(dir, 'int64.zarr'), new Uint8Array(0), 20, 20, 'uint8', { dataType: 'int64' });
    await expect(zarrRows(join(dir, 'int64.zarr'))).rejects.toThrow(/`path dtype` must be one of uint8, uint16, int16, float32, float64\. Received: path dtype=".*int64/);
    await mkdir(join(dir, 'empty.zarr'));
    await expect(zarrRows(join(dir, 'empty.zarr'))).rejects.toThrow('`path` must be an OME-Zarr image');
  });
});
