import { mkdtemp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleLargeImage, buildModel, modelPredictor, openTiffWriter, outputSize, predictImageFile, predictLargeImageBlock, predictLargeImageFile, readImage, saveModel, unet, writeImage, type TilePredictor } from '../../src/node/index.js';
import { runCli } from '../helpers/cli.js';
import { rng } from '../helpers/random.js';

const spec = unet({ depth: 2, baseFilters: 3 }); // valid: margin 20
const model = buildModel(spec, { inputSize: 92, seed: 5 });
afterAll(() => model.dispose());
const temp = () => mkdtemp(join(tmpdir(), 'tfjs-unet-large-'));

/** An oracle: the foreground probability of each output pixel is the input pixel under it (on [0, 1]). */
const intensity: TilePredictor = {
  spec,
  classes: 2,
  async predict(tiles, batch, size) {
    const O = outputSize(spec, size);
    const m = (size - O) / 2;
    const out = new Float32Array(batch * O * O * 2);
    for (let b = 0; b < batch; b++)
      for (let y = 0; y < O; y++)
        for (let x = 0; x < O; x++) {
          const v = tiles[(b * size + y + m) * size + x + m]!;
          out[((b * O + y) * O + x) * 2] = 1 - v;
          out[((b * O + y) * O + x) * 2 + 1] = v;
        }
    return out;
  },
};

/** Bright discs on a dark ground, 8-bit. */
function discs(width: number, height: number, seed: number): Uint8Array {
  const random = rng(seed);
  const data = Uint8Array.from({ length: width * height }, () => 20 + Math.floor(random() * 30));
  for (let k = 0; k < 60; k++) {
    const [cx, cy, r] = [random() * width, random() * height, 4 + random() * 10];
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, cy + r); y++) for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, cx + r); x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) data[y * width + x] = 200 + Math.floor(random() * 50);
  }
  return data;
}

async function writeTiledTiff(path: string, data: Uint8Array, width: number, height: number) {
  const tiff = await openTiffWriter(path, { width, height, bits: 8, tile: 64 });
  await tiff.writeRows(0, data);
  await tiff.close();
}

const pixels = async (path: string) => Array.from((await readImage(path)).data);

describe('predictImageFile in bands (stream: true)', () => {
  it('writes the masks and probabilities the in-memory path writes, from a tiled and a striped TIFF', async () => {
    const dir = await temp();
    const [width, height] = [230, 190];
    const data = discs(width, height, 1);
    await writeTiledTiff(join(dir, 'tiled.tif'), data, width, height);
    await writeImage(join(dir, 'striped.tif'), { data, width, height });
    const predictor = modelPredictor(model, spec);
    for (const name of ['tiled', 'striped']) {
      const file = join(dir, `${name}.tif`);
      const memory = await predictImageFile(predictor, file, join(dir, 'memory'), { stream: false, tile: 92 });
      const bands = await predictImageFile(predictor, file, join(dir, 'bands'), { stream: true, tile: 92 });
      expect(memory.files.map((f) => f.slice(f.lastIndexOf('-')))).toEqual(['-mask.png', '-probability.png', '-overlay.png']);
      expect(bands.files.map((f) => f.slice(f.lastIndexOf('-')))).toEqual(['-mask.tif', '-probability.tif']);
      expect(await pixels(bands.files[0]!)).toEqual(await pixels(memory.files[0]!));
      expect(await pixels(bands.files[1]!)).toEqual(await pixels(memory.files[1]!));
    }
    predictor.dispose();
  });

  it('labels the objects the in-memory path labels, those cut by band borders whole', async () => {
    const dir = await temp();
    const [width, height] = [160, 700]; // bands of 256 rows: borders at rows 256 and 512
    const data = discs(width, height, 2);
    await writeTiledTiff(join(dir, 'cells.tif'), data, width, height);
    const memory = await predictImageFile(intensity, join(dir, 'cells.tif'), join(dir, 'memory'), { stream: false, instances: true });
    const bands = await predictImageFile(intensity, join(dir, 'cells.tif'), join(dir, 'bands'), { stream: true, instances: true });
    expect(bands.objects).toBe(memory.objects);
    const truth = await pixels(memory.files[3]!);
    expect(await pixels(bands.files[2]!)).toEqual(truth);
    const cut = new Set<number>();
    for (const y of [256, 512]) for (let x = 0; x < width; x++) if (truth[(y - 1) * width + x] !== 0 && truth[(y - 1) * width + x] === truth[y * width + x]) cut.add(truth[y * width + x]!);
    expect(cut.size).toBeGreaterThan(0);
  });

  it('predicts blocks of rows on their own and assembles the files predictLargeImageFile writes', async () => {
    const dir = await temp();
    const [width, height] = [160, 700];
    await writeTiledTiff(join(dir, 'cells.tif'), discs(width, height, 5), width, height);
    const predictor = modelPredictor(model, spec);
    const whole = await predictLargeImageFile(predictor, join(dir, 'cells.tif'), join(dir, 'whole'), { instances: true, tile: 92 });
    const blocks = [[0, 250], [250, 251], [251, 520], [520, 700]] as const;
    // In any order, as workers finish them.
    for (const [from, to] of [...blocks].reverse()) await predictLargeImageBlock(predictor, join(dir, 'cells.tif'), join(dir, 'parts'), { from, to }, { instances: true, tile: 92 });
    const assembled = await assembleLargeImage(predictor, join(dir, 'cells.tif'), join(dir, 'parts'), blocks, { instances: true, tile: 92 });
    expect(assembled.objects).toBe(whole.objects);
    for (const [i, file] of whole.files.entries()) expect(Buffer.compare(await readFile(assembled.files[i]!), await readFile(file)), file).toBe(0);
    expect(await readdir(join(dir, 'parts'))).toEqual(['cells-instances.tif', 'cells-mask.tif', 'cells-probability.tif']);
    // A block that never arrived is named.
    await predictLargeImageBlock(predictor, join(dir, 'cells.tif'), join(dir, 'gap'), { from: 0, to: 350 });
    await expect(assembleLargeImage(predictor, join(dir, 'cells.tif'), join(dir, 'gap'), [[0, 350], [350, 700]])).rejects.toThrow('the block of rows 350..699 of');
    expect((await readdir(join(dir, 'gap'))).filter((n) => n.endsWith('.tif'))).toEqual([]);
    predictor.dispose();
  });

  it('fails on a TIFF whose tiles are missing, naming it, and leaves no output', async () => {
    const dir = await temp();
    const [width, height] = [200, 200];
    await writeTiledTiff(join(dir, 'cut.tif'), discs(width, height, 3), width, height);
    // The directory is at the end: cutting the file loses it, cutting less loses tiles.
    const size = (await readFile(join(dir, 'cut.tif'))).length;
    await truncate(join(dir, 'cut.tif'), Math.floor(size / 2));
    const error = await predictImageFile(intensity, join(dir, 'cut.tif'), join(dir, 'out'), { stream: true }).catch((e: unknown) => e);
    expect(String(error)).toContain('`image` must be an image whose');
    expect(String(error)).toContain('cut.tif');
    expect(await readdir(join(dir, 'out')).catch(() => [])).toEqual([]);
    // Directory intact, tile data broken (past the first band): the rows that cannot be read are named; no output is left.
    await writeTiledTiff(join(dir, 'broken.tif'), discs(width, height, 3), width, height);
    const bytes = await readFile(join(dir, 'broken.tif'));
    bytes.fill(0x55, Math.floor(bytes.length * 0.6), Math.floor(bytes.length * 0.8));
    await writeFile(join(dir, 'broken.tif'), bytes);
    const broken = await predictImageFile(intensity, join(dir, 'broken.tif'), join(dir, 'out2'), { stream: true, instances: true }).catch((e: unknown) => e);
    expect(String(broken)).toMatch(/`image` must be an image whose rows \d+\.\.\d+ decode/);
    expect(await readdir(join(dir, 'out2'))).toEqual([]);
  });

  it('predict --stream writes NAME-mask.tif and NAME-probability.tif', async () => {
    const dir = await temp();
    await writeImage(join(dir, 'images', 'a.tif'), { data: discs(120, 100, 4), width: 120, height: 100 });
    await saveModel(model, spec, join(dir, 'model'));
    const result = await runCli(['predict', '--model', join(dir, 'model'), '--images', join(dir, 'images'), '--out', join(dir, 'out'), '--stream', '--engine', 'tfjs', '--backend', 'cpu']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/a\.tif: 120x100 in [\d.]+ s -> .*a-\{mask,probability\}\.tif/);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['a-mask.tif', 'a-probability.tif']);
  });
});
