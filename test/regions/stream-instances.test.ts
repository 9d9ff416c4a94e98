import { describe, expect, it } from 'vitest';
import { instanceRows, labelInstances } from '../../src/index.js';
import { rng } from '../helpers/random.js';

/** A foreground probability of discs (some touching pairs), 0.9 inside and 0.1 outside. */
function discs(width: number, height: number, seed: number, count: number, radius: [number, number]): Float32Array {
  const random = rng(seed);
  const p = new Float32Array(width * height).fill(0.1);
  for (let k = 0; k < count; k++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = radius[0] + random() * (radius[1] - radius[0]);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) p[y * width + x] = 0.9;
  }
  return p;
}

/** The labels of `instanceRows` fed `step` rows at a time. */
async function streamed(p: Float32Array, width: number, height: number, step: number, options: Parameters<typeof instanceRows>[2]) {
  const labels = new Int32Array(width * height);
  let next = 0;
  const labeller = instanceRows(width, height, options, (y0, y1, rows) => {
    expect(y0).toBe(next); // in order, each row once
    expect(rows.length).toBe((y1 - y0) * width);
    labels.set(rows, y0 * width);
    next = y1;
  });
  for (let y = 0; y < height; y += step) await labeller.push(y, p.slice(y * width, Math.min(height, y + step) * width));
  expect(next).toBe(height);
  return { labels, count: labeller.count };
}

describe('instanceRows', () => {
  it('labels objects cut by band borders whole, numbered as labelInstances numbers them on the whole image', async () => {
    const [width, height] = [90, 200];
    const p = discs(width, height, 5, 40, [2, 7]);
    // Bands of 16 rows cut many discs; 24 rows of halo hold every disc and group of touching discs (at most 22 rows tall) below its band.
    for (const options of [{}, { minSize: 30 }] as const) {
      const whole = labelInstances(p, width, height, options);
      const { labels, count } = await streamed(p, width, height, 13, { ...options, bandRows: 16, halo: 24 });
      expect(count).toBe(whole.count);
      expect(Array.from(labels)).toEqual(Array.from(whole.labels));
    }
    // Touching discs split by the watershed: the same objects; a pixel on the line between two may go to either (ties of the flood).
    const whole = labelInstances(p, width, height, { split: true });
    const { labels, count } = await streamed(p, width, height, 13, { split: true, bandRows: 16, halo: 24 });
    expect(count).toBe(whole.count);
    const differ = labels.reduce((n, v, i) => n + (v !== whole.labels[i] ? 1 : 0), 0);
    expect(differ).toBeLessThan(width * height * 0.001);
    labels.forEach((v, i) => {
      if (v === whole.labels[i]) return;
      expect(v * whole.labels[i]!, 'foreground in both, none left out').toBeGreaterThan(0);
    });
    // The test cuts objects: some object of the whole image spans a band border.
    const plain = labelInstances(p, width, height);
    const spans = new Set<number>();
    for (let y = 16; y < height; y += 16) for (let x = 0; x < width; x++) if (plain.labels[(y - 1) * width + x] !== 0 && plain.labels[(y - 1) * width + x] === plain.labels[y * width + x]) spans.add(plain.labels[y * width + x]!);
    expect(spans.size).toBeGreaterThan(5);
  });

  it('carries an object taller than the halo on through the overlap of the windows, under one label', async () => {
    const [width, height] = [20, 100];
    const p = new Float32Array(width * height).fill(0.1);
    for (let y = 10; y < 90; y++) for (let x = 8; x < 12; x++) p[y * width + x] = 0.9; // a bar 80 rows tall, 4 bands
    const { labels, count } = await streamed(p, width, height, 7, { bandRows: 16, halo: 20 });
    expect(count).toBe(1);
    expect(Array.from(labels)).toEqual(Array.from(p, (v) => (v > 0.5 ? 1 : 0)));
  });

  it('refuses rows out of order and partial rows', async () => {
    const labeller = instanceRows(10, 10, {}, () => undefined);
    await expect(labeller.push(3, new Float32Array(10))).rejects.toThrow('`y0` must continue where the last rows ended (row 0)');
    await expect(labeller.push(0, new Float32Array(15))).rejects.toThrow('`foreground` must hold whole rows of 10 values');
    expect(() => instanceRows(10, 10, { halo: -1 }, () => undefined)).toThrow('`halo` must be a non-negative integer');
  });
});
