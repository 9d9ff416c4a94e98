import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { boundaryIndex, margin, outputSize, sampleTiles, tileBatches, unet } from '../../src/index.js';

const spec = unet({ depth: 2, baseFilters: 2 }); // 92 -> 52, margin 20
const W = 70;
const H = 60;
// Every pixel holds its own index, so a tile shows where it came from.
const indexImage = { data: Float32Array.from({ length: W * H }, (_, i) => i), width: W, height: H };
const indexLabels = { data: Int32Array.from({ length: W * H }, (_, i) => i), width: W, height: H };

describe('sampleTiles', () => {
  it('cuts valid tiles with mirror extrapolation and aligned output windows', () => {
    const m = margin(spec);
    const out = outputSize(spec, 92);
    const tiles = sampleTiles([indexImage], [indexLabels], [indexImage], { spec, inputSize: 92, pipeline: [], seed: 3, normalize: false });
    for (let t = 0; t < 5; t++) {
      const tile = tiles.next().value;
      expect([tile.image.width, tile.image.height, tile.label.width, tile.weights.width]).toEqual([92, 92, out, out]);
      const first = tile.label.data[0]!;
      const top = Math.floor(first / W);
      const left = first % W;
      expect(top + out).toBeLessThanOrEqual(H); // the output window lies inside the image
      for (let y = 0; y < 92; y += 7)
        for (let x = 0; x < 92; x += 5) {
          const sy = boundaryIndex(top - m + y, H, 'mirror');
          const sx = boundaryIndex(left - m + x, W, 'mirror');
          expect(tile.image.data[y * 92 + x]).toBe(sy * W + sx);
        }
      // Labels and weights are the center window of the input tile.
      for (let k = 0; k < out * out; k += 13) {
        const y = Math.floor(k / out);
        const x = k % out;
        expect(tile.label.data[k]).toBe(tile.image.data[(y + m) * 92 + x + m]);
        expect(tile.weights.data[k]).toBe(tile.image.data[(y + m) * 92 + x + m]);
      }
    }
  });

  it('centres the asked share of tiles on foreground pixels', () => {
    // One 8x8 object in a 256 px image: a uniform 24 px output window has it at its centre pixel with probability (8/233)^2.
    const small = unet({ depth: 1, baseFilters: 2, padding: 'same' });
    const size = 256;
    const label = { data: Uint8Array.from({ length: size * size }, (_, i) => (Math.floor(i / size) >= 100 && Math.floor(i / size) < 108 && i % size >= 40 && i % size < 48 ? 1 : 0)), width: size, height: size };
    const image = { data: new Float32Array(size * size), width: size, height: size };
    const out = outputSize(small, 24);
    const centredShare = (foreground: number) => {
      const tiles = sampleTiles([image], [label], undefined, { spec: small, inputSize: 24, pipeline: [], seed: 5, normalize: false, foreground });
      let centred = 0;
      const n = 3000;
      for (let t = 0; t < n; t++) if (tiles.next().value.label.data[(out >> 1) * out + (out >> 1)] !== 0) centred++;
      return centred / n;
    };
    // 1/3 + (2/3)(8/233)^2 = 0.3341; the binomial standard deviation over 3000 tiles is 0.0086.
    const share = centredShare(1 / 3);
    expect(share).toBeGreaterThan(0.3341 - 4 * 0.0086);
    expect(share).toBeLessThan(0.3341 + 4 * 0.0086);
    expect(centredShare(0)).toBeLessThan(0.01);
    expect(centredShare(1)).toBe(1);
    expect(() => sampleTiles([image], [label], undefined, { spec: small, inputSize: 24, foreground: 1.5 }).next()).toThrow('`foreground` must be a share of the tiles in [0, 1]');
  });

  it('varies gray values within the range an image spans, whatever its bit depth', () => {
    // A dim 16-bit image of 100s and 300s: it spans [100, 300] / 65535; a brightness step of 0.05 is 5% of that.
    const small = unet({ depth: 1, baseFilters: 2, padding: 'same' });
    const image = { data: Uint16Array.from({ length: 32 * 32 }, (_, i) => (i % 2 === 0 ? 100 : 300)), width: 32, height: 32 };
    const label = { data: new Uint8Array(32 * 32), width: 32, height: 32 };
    const tile = sampleTiles([image], [label], undefined, { spec: small, inputSize: 16, pipeline: [{ kind: 'brightness', range: [0.05, 0.05] }], seed: 1 }).next().value;
    const values = [...new Set(Array.from(tile.image.data, (v) => Math.round(v * 65535 * 1000) / 1000))].sort((a, b) => a - b);
    expect(values).toEqual([110, 310]);
  });

  it('keeps labels and the image co-registered under augmentation', () => {
    const blocks = Uint8Array.from({ length: W * H }, (_, i) => ((Math.floor(i / W) >> 3) + ((i % W) >> 3)) % 2);
    const image = { data: Float32Array.from(blocks), width: W, height: H };
    const tiles = sampleTiles([image], [{ data: blocks, width: W, height: H }], undefined, {
      spec,
      inputSize: 92,
      pipeline: [{ kind: 'rotate', range: [90, 90] }, { kind: 'flip' }, { kind: 'shift', range: [-4, 4] }],
      seed: 1,
      normalize: false,
    });
    const m = margin(spec);
    for (let t = 0; t < 4; t++) {
      const tile = tiles.next().value;
      let agree = 0;
      tile.label.data.forEach((v, k) => {
        const y = Math.floor(k / 52);
        const x = k % 52;
        if (Math.round(tile.image.data[(y + m) * 92 + x + m]!) === v) agree++;
      });
      expect(agree / tile.label.data.length).toBeGreaterThan(0.97); // only sub-pixel shift edges may differ
      expect(Array.from(tile.weights.data).every((w) => w === 1)).toBe(true);
    }
  });

  it('reads the strength once per tile: at 0 the tiles are those of no augmentation, in the same places', () => {
    const pipeline = [{ kind: 'shift', range: [-6, 6] }, { kind: 'elastic', sigma: 10 }, { kind: 'brightness', range: [-0.1, 0.1] }, { kind: 'noise', std: 0.05 }] as const;
    let reads = 0;
    const ramped = sampleTiles([indexImage], [indexLabels], undefined, { spec, inputSize: 92, pipeline, strength: () => (reads++, 0), seed: 5, normalize: false });
    const plain = sampleTiles([indexImage], [indexLabels], undefined, { spec, inputSize: 92, pipeline: [], seed: 5, normalize: false });
    const full = sampleTiles([indexImage], [indexLabels], undefined, { spec, inputSize: 92, pipeline, seed: 5, normalize: false });
    for (let t = 0; t < 3; t++) {
      const a = ramped.next().value;
      const b = plain.next().value;
      expect(Array.from(a.label.data)).toEqual(Array.from(b.label.data));
      // Equal up to float32 rounding of the gray-value range's round trip.
      Array.from(a.image.data).forEach((v, k) => expect(Math.abs(v - b.image.data[k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.image.data[k]!))));
      expect(Array.from(full.next().value.image.data).some((v, k) => Math.abs(v - b.image.data[k]!) > 0.5)).toBe(true);
    }
    expect(reads).toBe(3);
  });

  it('rejects a bad tile size and mismatched labels', () => {
    expect(() => sampleTiles([indexImage], [indexLabels], undefined, { spec, inputSize: 90 }).next()).toThrow('Nearest valid input tile sizes: 88 (below) and 92 (above).');
    expect(() => sampleTiles([indexImage], [], undefined, { spec, inputSize: 92 }).next()).toThrow('`labels` must hold one label image per image (1)');
  });
});

describe('tileBatches', () => {
  it('yields one-hot tensors of the right shapes without leaking tensors', async () => {
    const labels = { data: Uint8Array.from({ length: W * H }, (_, i) => (i % 7 === 0 ? 1 : 0)), width: W, height: H };
    const image = { data: Uint8Array.from({ length: W * H }, (_, i) => i % 256), width: W, height: H };
    const before = tf.memory().numTensors;
    let step = 0;
    for await (const { x, y, weights } of tileBatches([image], [labels], undefined, { spec, inputSize: 92, batchSize: 2, seed: 2 })) {
      expect(x.shape).toEqual([2, 92, 92, 1]);
      expect(y.shape).toEqual([2, 52, 52, 2]);
      expect(weights.shape).toEqual([2, 52, 52]);
      tf.tidy(() => {
        const sums = y.sum(-1);
        expect(sums.min().dataSync()[0]).toBe(1);
        expect(sums.max().dataSync()[0]).toBe(1);
        expect(x.max().dataSync()[0]).toBeLessThanOrEqual(1.5); // normalised by 255 (plus gray-value variation)
      });
      tf.dispose([x, y, weights]);
      if (++step === 20) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names labels outside the class range', async () => {
    const labels = { data: new Uint8Array(W * H).fill(255), width: W, height: H };
    const batches = tileBatches([indexImage], [labels], undefined, { spec, inputSize: 92, seed: 1 });
    await expect(batches.next()).rejects.toThrow('`labels[0]` must hold class indices in [0, 2) (set `classes`, or map 255 to 1). Received: labels[0]=255.');
  });
});
