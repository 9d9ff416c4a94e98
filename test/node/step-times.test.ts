import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureSpec, BATCHES, FINE_TUNE_RATE_SHARE, candidateKey, isValidInputSize, planCandidates, planTraining, startCandidates, stepTimeKey, syntheticCells, fingerprint } from '../../src/index.js';
import { fileStepTimes, LIBRARY_VERSION, machineSignature, stepTimesFile } from '../../src/node/step-times.js';
import { PLANNED_AUGMENTATION_RAMP } from '../../src/plan/rules.js';
import type { OnnxRuntimeLike } from '../../src/train/engine.js';

describe('step-time cache', () => {
  it('lives in $TFJS_UNET_CACHE, else $XDG_CACHE_HOME/tfjs-unet, else ~/.cache/tfjs-unet', () => {
    expect(stepTimesFile({ TFJS_UNET_CACHE: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c/step-times.json');
    expect(stepTimesFile({ XDG_CACHE_HOME: '/x' })).toBe('/x/tfjs-unet/step-times.json');
    expect(stepTimesFile({})).toMatch(/\.cache\/tfjs-unet\/step-times\.json$/);
    expect(machineSignature('onnxruntime-node 1.30.0')).toMatch(new RegExp(`^tfjs-unet ${LIBRARY_VERSION} \\| .+ x\\d+ \\| \\d+ GiB \\| \\w+-\\w+ \\| node [\\d.]+ \\| tfjs [\\d.]+ \\| onnxruntime-node 1\\.30\\.0$`));
  });

  it('keeps step times of one machine and library version; another signature or a torn file reads as empty', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'tfjs-unet-cache-')), 'sub', 'step-times.json');
    const cache = fileStepTimes(path, 'machine A');
    expect(cache.get('onnx/unet/k')).toBeUndefined();
    cache.set('onnx/unet/k', 0.25);
    await cache.save();
    expect(fileStepTimes(path, 'machine A').get('onnx/unet/k')).toBe(0.25);
    // A new library version or machine: its signature differs, the old times are not used...
    const other = fileStepTimes(path, 'machine B');
    expect(other.get('onnx/unet/k')).toBeUndefined();
    other.set('tfjs-wasm/unet/k', 0.5);
    await other.save();
    // ... and are dropped when it writes.
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ machine: 'machine B', entries: { 'tfjs-wasm/unet/k': 0.5 } });
    await writeFile(path, '{"machine": "machine B", "entr');
    expect(fileStepTimes(path, 'machine B').get('tfjs-wasm/unet/k')).toBeUndefined();
  });

  it('spares the planner its timings: cached candidates are not measured, costlier ones than a too-slow one are skipped', async () => {
    const cells = Array.from({ length: 3 }, (_, i) => syntheticCells(64, 7 + i));
    const images = cells.map((c) => c.image);
    const labels = cells.map((c) => c.mask);
    const fp = fingerprint(images, labels);
    const candidates = planCandidates(fp);
    const setup = { engine: 'tfjs' as const, backend: 'cpu', architecture: 'unet' as const, channels: 1, classes: 2, deepSupervision: true, loss: 'diceCrossEntropy' };
    const stored = new Map(candidates.map((c) => [stepTimeKey(c, setup), c.baseFilters === 16 && c.batch === 1 ? 0.05 : 0.5]));
    const asked: string[] = [];
    const cache = { get: (key: string) => (asked.push(key), stored.get(key)), set: () => undefined };
    // 60 min: the cheapest candidate gets 63360 steps, the others 6336 (>= 6000): all four are looked up, none measured.
    const long = await planTraining(images, labels, 60, { cache, backend: 'cpu' });
    expect([long.cached, long.measured, long.skipped]).toEqual([4, 0, 0]);
    expect(long.plan.candidates.find((c) => candidateKey(c) === candidateKey(candidates[3]!))!.secondsPerStep).toBe(0.5);
    // 10 min: even the cheapest candidate gets 10560 steps but base 32 (or batch 2) 1056: nothing costlier than them is timed.
    const short = await planTraining(images, labels, 10, { cache, backend: 'cpu' });
    expect([short.cached, short.measured, short.skipped]).toEqual([3, 0, 1]);
    expect(asked.every((key) => key.startsWith('tfjs-cpu/unet/same/depth 3/'))).toBe(true);
  });

  it('times the first candidate on both engines and plans the rest on the faster one, or on the one asked for', async () => {
    const cells = Array.from({ length: 3 }, (_, i) => syntheticCells(64, 7 + i));
    const images = cells.map((c) => c.image);
    const labels = cells.map((c) => c.mask);
    const candidates = planCandidates(fingerprint(images, labels));
    const setup = { backend: 'cpu', architecture: 'unet' as const, channels: 1, classes: 2, deepSupervision: true, loss: 'diceCrossEntropy' };
    const first = candidateKey(candidates[0]!);
    // The first candidate: 0.2 s on tfjs, 0.1 s on onnx; every other one 0.5 s on either.
    const seconds = (c: (typeof candidates)[number], engine: 'tfjs' | 'onnx') => (candidateKey(c) === first ? (engine === 'onnx' ? 0.1 : 0.2) : 0.5);
    const stored = new Map(candidates.flatMap((c) => (['tfjs', 'onnx'] as const).map((engine) => [stepTimeKey(c, { ...setup, engine }), seconds(c, engine)] as const)));
    const asked: string[] = [];
    const cache = { get: (key: string) => (asked.push(key), stored.get(key)), set: () => undefined };
    // ONNX Runtime is only called to measure; with every time cached it is never touched.
    const onnx = {} as OnnxRuntimeLike;
    const auto = await planTraining(images, labels, 60, { cache, backend: 'cpu', onnx });
    expect(auto.plan.engine).toBe('onnx');
    expect(auto.plan.reasons).toContain('engine onnx: 0.100 s/step against 0.200 s/step on tfjs (timed on the first candidate)');
    // Both engines for the first candidate, then onnx alone for the other three.
    expect([auto.cached, auto.measured]).toEqual([5, 0]);
    expect(asked.filter((key) => key.startsWith('tfjs-cpu/'))).toEqual([stepTimeKey(candidates[0]!, { ...setup, engine: 'tfjs' })]);
    asked.length = 0;
    const asTold = await planTraining(images, labels, 60, { cache, backend: 'cpu', onnx, engine: 'tfjs' });
    expect(asTold.plan.engine).toBe('tfjs');
    expect(asTold.plan.reasons).toContain('engine tfjs: as asked');
    expect(asked.every((key) => key.startsWith('tfjs-cpu/'))).toBe(true);
    await expect(planTraining(images, labels, 60, { cache, engine: 'onnx' })).rejects.toThrow(/onnx.*must be ONNX Runtime/);
  });

  it('plans a fine-tuning run on the starting network: its batches are the candidates, its normalisation and scale are kept', async () => {
    const cells = Array.from({ length: 3 }, (_, i) => syntheticCells(64, 7 + i));
    const images = cells.map((c) => c.image);
    const labels = cells.map((c) => c.mask);
    const fp = fingerprint(images, labels);
    const start = { architecture: 'unet' as const, depth: 2 as const, baseFilters: 8, padding: 'valid' as const, batchNorm: false, normalization: { kind: 'scale' as const }, scale: 1, source: 'runs/old' };
    const candidates = startCandidates(fp, start);
    expect(candidates.map((c) => [c.depth, c.baseFilters, c.padding, c.batch])).toEqual(BATCHES.map((b) => [2, 8, 'valid', b]));
    // The tile is one the valid-padding network takes (the planned tile of a same-padding network would not be).
    const spec = architectureSpec('unet', { depth: 2, baseFilters: 8, padding: 'valid' });
    expect(isValidInputSize(spec, candidates[0]!.tile)).toBe(true);
    const cache = { get: () => 0.01, set: () => undefined };
    const { plan, measured } = await planTraining(images, labels, 10, { cache, backend: 'cpu', start });
    expect(measured).toBe(0);
    expect([plan.depth, plan.baseFilters, plan.padding, plan.architecture]).toEqual([2, 8, 'valid', 'unet']);
    expect(plan.normalization).toEqual({ kind: 'scale' });
    expect(plan.reasons.some((r) => r.startsWith('start: the network of runs/old'))).toBe(true);
    // Fine-tuning adjusts the network at a share of the planned rate.
    // Without a start the same data is planned its own network and the z-score.
    const fresh = await planTraining(images, labels, 10, { cache, backend: 'cpu' });
    expect(fresh.plan.normalization).toEqual({ kind: 'zscore' });
    expect(fresh.plan.padding).toBe('same');
    expect(plan.learningRate).toBeCloseTo(fresh.plan.learningRate * FINE_TUNE_RATE_SHARE, 12);
    expect(FINE_TUNE_RATE_SHARE).toBeLessThan(1);
    // A fresh run ramps its augmentation up; fine-tuning starts at full strength.
    expect(fresh.plan.augmentation.ramp).toBe(PLANNED_AUGMENTATION_RAMP);
    expect(plan.augmentation).toEqual({ ...fresh.plan.augmentation, ramp: 0 });
  });
});
