import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, modelPredictor, predictRows, predictTiled, unet, type ImageArray, type ImageRows, type ProbabilityRows, type TilePredictor } from '../../src/index.js';
import { rng } from '../helpers/random.js';

const valid = unet({ depth: 2, baseFilters: 3 }); // margin 20
const same = unet({ depth: 2, baseFilters: 3, padding: 'same', batchNorm: true });
const validModel = buildModel(valid, { inputSize: 92, seed: 3 });
const sameModel = buildModel(same, { inputSize: 64, seed: 4 });
afterAll(() => [validModel, sameModel].forEach((m) => m.dispose()));

function image16(width: number, height: number, seed: number): ImageArray<Uint16Array> {
  const random = rng(seed);
  return { data: Uint16Array.from({ length: width * height }, () => Math.round(random() * 40000)), width, height };
}

/** The image read in bands, counting the rows read. */
function rowsOf(image: ImageArray<Uint16Array>): ImageRows & { readonly reads: number[] } {
  const reads: number[] = [];
  return {
    width: image.width,
    height: image.height,
    channels: 1,
    reads,
    read(y0, y1) {
      reads.push(y1 - y0);
      return { data: image.data.slice(y0 * image.width, y1 * image.width), width: image.width, height: y1 - y0, channels: 1 };
    },
  };
}

async function streamed(predictor: TilePredictor, source: ImageRows, options: Parameters<typeof predictRows>[3] = {}) {
  const bands: ProbabilityRows[] = [];
  await predictRows(predictor, source, (rows) => void bands.push(rows), options);
  const K = bands[0]!.classes;
  const all = new Float32Array(source.width * source.height * K);
  let next = 0;
  for (const b of bands) {
    expect(b.y0).toBe(next); // in order, each row once
    all.set(b.probabilities, b.y0 * source.width * K);
    next = b.y1;
  }
  expect(next).toBe(source.height);
  return { all, bands };
}

async function inMemory(predictor: TilePredictor, image: ImageArray<Uint16Array>, options: Parameters<typeof predictTiled>[2] = {}) {
  const { probabilities, labels } = await predictTiled(predictor, image, options);
  const data = (await probabilities.data()) as Float32Array;
  tf.dispose([probabilities, labels]);
  return data;
}

describe('predictRows', () => {
  it('equals predictTiled exactly, valid padding, in bands of tile rows', async () => {
    const image = image16(131, 157, 1);
    const predictor = modelPredictor(validModel, valid);
    const source = rowsOf(image);
    const { all, bands } = await streamed(predictor, source, { inputSize: 92 });
    expect(Array.from(all)).toEqual(Array.from(await inMemory(predictor, image, { inputSize: 92 })));
    // More than one band, each read no taller than a tile: memory bounded by the tile, not the height.
    expect(bands.length).toBeGreaterThan(2);
    expect(Math.max(...source.reads)).toBeLessThanOrEqual(92);
    predictor.dispose();
  });

  it('equals predictTiled exactly for a same-padding net (blended tiles), with a z-score, test-time augmentation and batches', async () => {
    const image = image16(150, 122, 2);
    const predictor = modelPredictor(sameModel, same);
    const options = { inputSize: 64, tta: 3, batchSize: 2, normalization: { kind: 'zscore' } } as const;
    const { all } = await streamed(predictor, rowsOf(image), { ...options, bandRows: 7 });
    expect(Array.from(all)).toEqual(Array.from(await inMemory(predictor, image, options)));
    predictor.dispose();
  });

  it("uses the model's normalisation and leaks no tensors across predictions", async () => {
    const owned = modelPredictor(sameModel, same);
    const predictor: TilePredictor = { ...owned, info: { normalization: { kind: 'zscore' } } };
    const image = image16(70, 90, 3);
    const first = (await streamed(predictor, rowsOf(image), { inputSize: 64 })).all;
    expect(Array.from(first)).toEqual(Array.from(await inMemory(predictor, image, { inputSize: 64 })));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await streamed(predictor, rowsOf(image), { inputSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    owned.dispose();
  });

  it('predicts a block of rows on its own with the values the whole image gives them', async () => {
    const image = image16(140, 170, 5);
    for (const [model, spec, inputSize] of [[validModel, valid, 92], [sameModel, same, 64]] as const) {
      const predictor = modelPredictor(model, spec);
      const options = { inputSize, normalization: { kind: 'zscore' } } as const;
      const whole = (await streamed(predictor, rowsOf(image), options)).all;
      const rowValues = image.width * 2;
      // Blocks that cut tile rows anywhere, together covering the image.
      for (const [from, to] of [[0, 37], [37, 101], [101, 170], [55, 56]] as const) {
        const bands: ProbabilityRows[] = [];
        await predictRows(predictor, rowsOf(image), (rows) => void bands.push(rows), { ...options, rows: { from, to } });
        expect(bands[0]!.y0).toBe(from);
        expect(bands.at(-1)!.y1).toBe(to);
        const block = new Float32Array((to - from) * rowValues);
        for (const b of bands) block.set(b.probabilities, (b.y0 - from) * rowValues);
        expect(Array.from(block)).toEqual(Array.from(whole.subarray(from * rowValues, to * rowValues)));
      }
      predictor.dispose();
    }
  });

  it('refuses what it cannot do in bands, naming it', async () => {
    const predictor = modelPredictor(validModel, valid);
    const source = rowsOf(image16(40, 40, 4));
    await expect(predictRows({ ...predictor, info: { scale: 0.5 } }, source, () => undefined)).rejects.toThrow('`predictor.info.scale` must be 1 to predict in bands');
    await expect(predictRows({ ...predictor, prepare: (x) => x }, source, () => undefined)).rejects.toThrow('`predictor` must not declare its own pre- or postprocessing');
    await expect(predictRows(predictor, { ...source, channels: 3 }, () => undefined)).rejects.toThrow('`source` must have 1 channel(s) for this model');
    const short: ImageRows = { ...source, read: (y0, y1) => ({ data: new Uint16Array(40 * (y1 - y0 - 1)), width: 40, height: y1 - y0 - 1 }) };
    await expect(predictRows(predictor, short, () => undefined)).rejects.toThrow('`source.read` must return rows');
    predictor.dispose();
  });

  it('reports progress as predictTiled does and stops between batches when its signal aborts', async () => {
    const image = image16(131, 157, 5);
    const predictor = modelPredictor(validModel, valid);
    const tiled: [number, number][] = [];
    await inMemory(predictor, image, { inputSize: 92, onProgress: (done: number, total: number) => void tiled.push([done, total]) });
    const rows: [number, number][] = [];
    await streamed(predictor, rowsOf(image), { inputSize: 92, onProgress: (done, total) => void rows.push([done, total]) });
    expect(rows).toEqual(tiled);
    expect(rows.at(-1)![0]).toBe(rows.at(-1)![1]);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const emitted: number[] = [];
    const stopped = predictRows(predictor, rowsOf(image), (band) => void emitted.push(band.y1), {
      inputSize: 92,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 2) controller.abort(new Error('stopped by the user'));
      },
    });
    await expect(stopped).rejects.toThrow('stopped by the user');
    // Stopped after the second tile: not every row was emitted, and no tensor was left behind.
    expect(emitted.at(-1) ?? 0).toBeLessThan(157);
    expect(tf.memory().numTensors).toBe(before);
    predictor.dispose();
  });
});
