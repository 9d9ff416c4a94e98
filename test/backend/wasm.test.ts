// Training on the wasm backend: with this library's kernels, every gradient of
// a U-Net training step matches the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, unet, useBackend, validInputSizes, weightedSoftmaxCrossEntropy, type UNetOptions } from '../../src/index.js';
import { rng } from '../helpers/random.js';

// tfjs's IS_TEST leak check counts the wasm backend's own temporary buffers in fused kernels as leaks.
tf.env().set('IS_TEST', false);

function gradients(options: UNetOptions, backend: 'cpu' | 'wasm'): Promise<Map<string, Float32Array>> {
  return (async () => {
    await useBackend(backend);
    const spec = unet({ ...options, outputActivation: 'linear', dropout: 0 });
    const size = validInputSizes(spec, { max: 200 })[1]!;
    const model = buildModel(spec, { inputSize: size, seed: 11 });
    const random = rng(2);
    const out = model.outputs[0]!.shape[1]!;
    const x = tf.tensor4d(Float32Array.from({ length: 2 * size * size }, () => random()), [2, size, size, 1]);
    const labels = tf.tensor3d(Int32Array.from({ length: 2 * out * out }, () => (random() < 0.4 ? 1 : 0)), [2, out, out], 'int32');
    const weights = tf.tensor3d(Float32Array.from({ length: 2 * out * out }, () => 1 + 9 * random()), [2, out, out]);
    const { grads, value } = tf.variableGrads(
      () => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar,
      model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    );
    const result = new Map<string, Float32Array>();
    for (const w of model.trainableWeights) result.set(w.originalName, grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync() as Float32Array);
    tf.dispose([x, labels, weights, value, ...Object.values(grads)]);
    model.dispose();
    return result;
  })();
}

const variants: UNetOptions[] = [
  { depth: 2, baseFilters: 3 },
  { depth: 1, baseFilters: 2, padding: 'same', upsampling: 'bilinear', batchNorm: true },
  { depth: 2, baseFilters: 2, upsampling: 'nearest' },
];

describe('wasm backend training', () => {
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('gradients match the cpu backend: %s', async (_, options) => {
    const cpu = await gradients(options, 'cpu');
    const wasm = await gradients(options, 'wasm');
    expect([...wasm.keys()]).toEqual([...cpu.keys()]);
    for (const [name, g] of cpu) {
      const h = wasm.get(name)!;
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < g.length; i++) {
        diff += (g[i]! - h[i]!) ** 2;
        norm += g[i]! ** 2;
      }
      expect(Math.sqrt(diff / Math.max(norm, 1e-30)), name).toBeLessThan(1e-4);
    }
  });
});

const convCases = [
  { name: 'stride 1, valid, odd sizes', x: [2, 9, 7, 3], k: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: 'stride 1, same', x: [1, 8, 11, 2], k: [3, 3, 2, 5], strides: 1, pad: 'same' },
  { name: 'stride 2, valid, 2x2 (up-conv shape)', x: [2, 10, 8, 4], k: [2, 2, 4, 3], strides: 2, pad: 'valid' },
  { name: 'stride 2, same, odd (stock fallback for the input gradient)', x: [1, 9, 9, 3], k: [3, 3, 3, 2], strides: 2, pad: 'same' },
] as const;

async function convGradients(backend: 'cpu' | 'wasm', c: (typeof convCases)[number]) {
  await useBackend(backend);
  const random = rng(7);
  const values = (shape: readonly number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
  const x = tf.tensor4d(values(c.x), [...c.x] as [number, number, number, number]);
  const w = tf.tensor4d(values(c.k), [...c.k] as [number, number, number, number]);
  const y = tf.conv2d(x, w, c.strides, c.pad);
  const dy = tf.tensor(values(y.shape), y.shape);
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(dy)))([x, w]);
  // conv2dTranspose runs Conv2DBackpropInput forward.
  const t = tf.conv2dTranspose(dy as tf.Tensor4D, w, x.shape, c.strides, c.pad);
  const result = { gx: gx!.dataSync().slice(), gw: gw!.dataSync().slice(), t: t.dataSync().slice() };
  tf.dispose([x, w, y, dy, gx!, gw!, t]);
  return result;
}

describe('wasm convolution gradient kernels', () => {
  it.each(convCases)('match the cpu backend: $name', async (c) => {
    const cpu = await convGradients('cpu', c);
    const wasm = await convGradients('wasm', c);
    for (const key of ['gx', 'gw', 't'] as const) {
      let diff = 0;
      let norm = 0;
      cpu[key].forEach((v, i) => {
        diff += (v - wasm[key][i]!) ** 2;
        norm += v * v;
      });
      expect(Math.sqrt(diff / norm), key).toBeLessThan(1e-5);
    }
  });
});

describe('wasm MaxPoolGrad', () => {
  const poolCases = [
    { name: '2x2 stride 2, valid, odd sizes, ties (one-pass kernel)', x: [2, 7, 9, 3], size: 2, strides: 2, pad: 'valid', ties: true },
    { name: '3x3 stride 3, valid, ties', x: [1, 9, 10, 2], size: 3, strides: 3, pad: 'valid', ties: true },
    // The stock wasm kernel breaks ties differently from cpu: distinct values here.
    { name: '3x3 stride 2, same (stock kernel)', x: [1, 8, 7, 2], size: 3, strides: 2, pad: 'same', ties: false },
  ] as const;

  async function poolGradient(backend: 'cpu' | 'wasm', c: (typeof poolCases)[number]) {
    await useBackend(backend);
    const random = rng(4);
    const n = c.x.reduce<number>((a, b) => a * b, 1);
    // Small integers: many windows hold their maximum twice (the gradient goes to the first, as on cpu).
    const x = tf.tensor4d(Float32Array.from({ length: n }, () => (c.ties ? Math.floor(random() * 4) : random())), [...c.x] as [number, number, number, number]);
    const y = tf.maxPool(x, c.size, c.strides, c.pad);
    const r = tf.tensor(Float32Array.from({ length: y.size }, () => random() * 2 - 1), y.shape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad).mul(r)))(x);
    const result = g.dataSync().slice();
    tf.dispose([x, y, r, g]);
    return result;
  }

  it.each(poolCases)('matches the cpu backend exactly: $name', async (c) => {
    const cpu = await poolGradient('cpu', c);
    const wasm = await poolGradient('wasm', c);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
  });
});

describe('wasm Identity (tensors saved for gradients)', () => {
  it('shares the buffer instead of copying it, and the copy outlives its source', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as unknown as { refCount(id: tf.DataId): number; wasm: { HEAPU8: Uint8Array } };
    const source = tf.tensor1d([1, 2, 3, 4]);
    const copy = tf.engine().runKernel('Identity', { x: source }) as tf.Tensor;
    expect(copy.dataId).toBe(source.dataId);
    expect(backend.refCount(source.dataId)).toBe(2);
    source.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    // Kernels write new buffers: an op on the copy leaves it unchanged.
    const doubled = tf.mul(copy, 2);
    expect(Array.from(doubled.dataSync())).toEqual([2, 4, 6, 8]);
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([copy, doubled]);
    const strings = tf.engine().runKernel('Identity', { x: tf.tensor1d(['a', 'b'], 'string') }) as tf.Tensor;
    expect(await strings.array()).toEqual(['a', 'b']);
    strings.dispose();
  });
});

describe('useBackend(wasm)', () => {
  it('leaves uncaught errors to Node (the wasm module would print its minified source)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'throw-after-wasm.ts')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Error: boom from user code');
    expect(result.stderr).not.toContain('WasmBackendModule');
  });
});

describe('useBackend(wasm) from tfjs-unet/node: threaded wasm', () => {
  const run = async (...args: string[]) => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    return spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'threaded-wasm.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });
  };

  it('runs 2 threads, matches the cpu backend, and lets the process exit', async () => {
    const result = await run();
    expect(result.status, result.stderr).toBe(0); // a timeout (workers keeping Node alive) gives null
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { threads: number; lossDifference: number; relativeGradientError: number };
    expect(report.threads).toBe(2);
    expect(report.lossDifference).toBeLessThan(1e-5);
    expect(report.relativeGradientError).toBeLessThan(1e-4);
  });

  it('leaves uncaught errors to Node', async () => {
    const result = await run('throw');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Error: boom after threaded wasm');
    expect(result.stderr).not.toContain('WasmBackendModule');
  });

  it('falls back to one thread by default when the threaded build cannot start; an explicit count fails', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    // A file as the temp directory: the worker script cannot be written (tsx's own cache is turned off).
    const env = { ...process.env, TSX_DISABLE_CACHE: '1', TMPDIR: join(import.meta.dirname, 'wasm.test.ts') };
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'threaded-wasm-fallback.ts')], { encoding: 'utf8', env, timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { backend: string; threads: number; value: number; explicit: string };
    expect(report).toMatchObject({ backend: 'wasm', threads: 1, value: 9 });
    expect(report.explicit).toMatch(/^tfjs-unet: the threaded wasm backend could not start \(ENOTDIR.*\); use \{ threads: 1 \}$/);
  });

  it('rejects a bad thread count', async () => {
    const { useBackend } = await import('../../src/node/index.js');
    await expect(useBackend('wasm', { threads: 0 })).rejects.toThrow('`threads` must be an integer from 1 to 8. Received: threads=0.');
  });
});
