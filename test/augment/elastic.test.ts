import { describe, expect, it } from 'vitest';
import { boundaryIndex, displacementField, elasticDeform, keys, Random, randomGrid, resample } from '../../src/index.js';
import { rng } from '../helpers/random.js';

const W = 40;
const H = 30;
const floatImage = () => ({ data: Float32Array.from({ length: W * H }, (_, i) => Math.sin(i * 0.37) * 100), width: W, height: H });
const labelImage = () => ({ data: Uint8Array.from({ length: W * H }, (_, i) => [0, 3, 7][(i * 7919) % 3]!), width: W, height: H });

/** Keys kernel written out from the paper's piecewise definition (independent of the library). */
function keysReference(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

describe('displacementField', () => {
  it('matches a direct evaluation of the Keys formula at random pixels', () => {
    const points = 4;
    const grid = randomGrid(new Random(3), points, 10);
    const field = displacementField(grid, H, W);
    const random = rng(5);
    for (let trial = 0; trial < 50; trial++) {
      const y = Math.floor(random() * H);
      const x = Math.floor(random() * W);
      const u = (y * (points - 1)) / (H - 1);
      const v = (x * (points - 1)) / (W - 1);
      for (const [component, values] of [[0, field.dy], [1, field.dx]] as const) {
        let expected = 0;
        for (let m = Math.floor(u) - 1; m <= Math.floor(u) + 2; m++)
          for (let n = Math.floor(v) - 1; n <= Math.floor(v) + 2; n++) {
            const gm = Math.min(points - 1, Math.max(0, m));
            const gn = Math.min(points - 1, Math.max(0, n));
            expected += keysReference(u - m) * keysReference(v - n) * grid[component * points * points + gm * points + gn]!;
          }
        expect(values[y * W + x]).toBeCloseTo(expected, 10);
      }
    }
  });

  it('passes through the grid values at the grid nodes', () => {
    const grid = randomGrid(new Random(9), 3, 10);
    const field = displacementField(grid, 21, 11);
    expect(field.dy[0]).toBeCloseTo(grid[0]!, 6);
    expect(field.dy[10 * 11 + 5]).toBeCloseTo(grid[4]!, 6);
    expect(field.dx[20 * 11 + 10]).toBeCloseTo(grid[9 + 8]!, 6);
  });

  it('rejects a malformed grid', () => {
    expect(() => displacementField(new Float32Array(7), 10, 10)).toThrow('`grid` must hold 2 x points x points values');
  });
});

describe('elasticDeform', () => {
  it('is exactly the identity for zero displacement, for every order', () => {
    const image = floatImage();
    const label = labelImage();
    const zero = new Float32Array(18);
    for (const order of ['nearest', 'linear', 'cubic'] as const) {
      const [a, b] = elasticDeform([image, label], { displacement: zero, order });
      expect(Array.from(a.data)).toEqual(Array.from(image.data));
      expect(Array.from(b.data)).toEqual(Array.from(label.data));
    }
  });

  it('shifts exactly in the interior for an integer constant displacement', () => {
    const image = floatImage();
    const grid = new Float32Array(18);
    grid.fill(3, 0, 9); // dy = 3
    grid.fill(-2, 9, 18); // dx = -2
    const [out] = elasticDeform([image], { displacement: grid, order: 'cubic' });
    for (let y = 2; y < H - 6; y++)
      for (let x = 4; x < W - 2; x++) expect(out.data[y * W + x]).toBe(image.data[(y + 3) * W + (x - 2)]);
  });

  it('keeps labels within their label set (nearest), with one field for every input', () => {
    const label = labelImage();
    const image = { data: Float32Array.from(label.data), width: W, height: H };
    const [l, i] = elasticDeform([label, image], { seed: 11, sigma: 10, order: ['nearest', 'nearest'] });
    expect(new Set(l.data)).toEqual(new Set([0, 3, 7]));
    expect(Array.from(i.data)).toEqual(Array.from(l.data)); // same field for both inputs
    expect(Array.from(l.data)).not.toEqual(Array.from(label.data)); // something moved
  });

  it('is reproducible with a seed', () => {
    const image = floatImage();
    const [a] = elasticDeform([image], { seed: 4 });
    const [b] = elasticDeform([image], { seed: 4 });
    const [c] = elasticDeform([image], { seed: 5 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('validates its inputs', () => {
    expect(() => elasticDeform([floatImage(), { data: new Uint8Array(4), width: 2, height: 2 }])).toThrow('`inputs[1]` must be 40x30 like inputs[0]');
    expect(() => elasticDeform([floatImage()], { order: ['cubic', 'nearest'] })).toThrow('`order` must give one order per input (1)');
  });
});

describe('resample', () => {
  it('applies the boundary rules (scipy conventions)', () => {
    // 1-D: n = 4, values a b c d = 10 20 30 40.
    const n = 4;
    expect([-3, -2, -1, 4, 5, 6].map((i) => boundaryIndex(i, n, 'mirror'))).toEqual([3, 2, 1, 2, 1, 0]);
    expect([-3, -2, -1, 4, 5, 6].map((i) => boundaryIndex(i, n, 'reflect'))).toEqual([2, 1, 0, 3, 2, 1]);
    expect([-3, -1, 4, 9].map((i) => boundaryIndex(i, n, 'nearest'))).toEqual([0, 0, 3, 3]);
    expect([-1, 4].map((i) => boundaryIndex(i, n, 'constant'))).toEqual([-1, -1]);
    const row = { data: Float32Array.from([10, 20, 30, 40]), width: 4, height: 1 };
    const xs = [-2, -1, 4, 5];
    const at = (boundary: 'mirror' | 'constant') => Array.from(resample(row, xs.map(() => 0), xs, 4, { order: 'nearest', boundary, cval: -1 }).data);
    expect(at('mirror')).toEqual([30, 20, 30, 20]);
    expect(at('constant')).toEqual([-1, -1, -1, -1]);
  });

  it('cubic (Keys a = -0.5) reproduces quadratics exactly in the interior', () => {
    const f = (y: number, x: number) => 0.5 * y * y - 2 * x * y + 3 * x * x - y + 7;
    const image = { data: Float64Array.from({ length: W * H }, (_, i) => f(Math.floor(i / W), i % W)), width: W, height: H };
    const random = rng(8);
    const ys = Array.from({ length: 100 }, () => 2 + random() * (H - 5));
    const xs = Array.from({ length: 100 }, () => 2 + random() * (W - 5));
    const out = resample(image, ys, xs, 10, { order: 'cubic' });
    out.data.forEach((v, k) => expect(v).toBeCloseTo(f(ys[k]!, xs[k]!), 8));
    expect(keys(0)).toBe(1);
    expect(keys(1)).toBe(0);
    expect(keys(0.5)).toBeCloseTo(keysReference(0.5), 14);
  });

  it('rounds and clamps integer outputs', () => {
    const image = { data: Uint8Array.from([0, 255, 255, 0]), width: 4, height: 1 };
    const out = resample(image, [0], [1.5], 1, { order: 'cubic' });
    expect(out.data[0]).toBe(255); // overshoot (287) clamped
    expect(out.data).toBeInstanceOf(Uint8Array);
  });
});
