import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, fileCheckpoints, iou, predictTiled, train, TrainingError, unet, weightedSoftmaxCrossEntropy, type Checkpoint } from '../../src/node/index.js';
import { dataset, discs } from './fixtures/data.js';

const tiny = () => unet({ depth: 1, baseFilters: 2, dropout: 0 }); // valid, 28 -> 4... sizes 2k + 24
const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('train', () => {
  it('learns bright discs on noise: the loss falls and the prediction overlaps the truth', async () => {
    const spec = unet({ depth: 2, baseFilters: 8, dropout: 0 });
    const model = buildModel(spec, { inputSize: 60, seed: 1 });
    const result = await train(model, dataset(6), {
      steps: 50,
      batchSize: 2,
      optimizer: 'adam',
      learningRate: 1e-2,
      seed: 1,
      augmentation: [{ kind: 'flip' }, { kind: 'rotate' }],
    });
    const mean = (xs: { loss: number }[]) => xs.reduce((a, h) => a + h.loss, 0) / xs.length;
    expect(mean(result.history.slice(-10))).toBeLessThan(0.6 * mean(result.history.slice(0, 5)));
    // Predicting all background scores a foreground IoU of 0, and the discs are 40% brighter than the
    // noise band is wide, so a net that learned anything beats 0.75 comfortably.
    const held = discs(100);
    const { probabilities, labels } = await predictTiled(model, held.image);
    expect(iou(labels.dataSync(), held.label.data, 2).perClass[1]).toBeGreaterThan(0.75);
    tf.dispose([probabilities, labels]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across 60 steps', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const counts: number[] = [];
    await train(model, dataset(2), { steps: 60, optimizer: 'sgd', seed: 2, onStep: () => void counts.push(tf.memory().numTensors) });
    // The optimizer creates its slots on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it('stops on a non-finite loss, naming the step, with the weights from before it', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const saved: Checkpoint[] = [];
    let before: number[][] = [];
    let calls = 0;
    const failing = train(model, dataset(2), {
      steps: 10,
      optimizer: 'adam',
      seed: 1,
      checkpoint: { every: 1, save: async (c) => void saved.push(c) },
      onStep: ({ step }) => {
        if (step === 2) before = weightsOf(model);
      },
      loss: (y, logits, w) => (++calls === 3 ? logits.sum().mul(Number.NaN) : weightedSoftmaxCrossEntropy(y, logits, w)),
    });
    await expect(failing).rejects.toThrow(TrainingError);
    await expect(failing).rejects.toThrow('Training diverged at step 3: the loss is NaN.');
    expect(weightsOf(model)).toEqual(before);
    expect(saved.at(-1)!.step).toBe(2);
    model.dispose();
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const options = { optimizer: 'adam' as const, seed: 5, batchSize: 1 };
    const straight = buildModel(tiny(), { inputSize: 28, seed: 1 });
    await train(straight, dataset(2), { ...options, steps: 10 });
    const first = buildModel(tiny(), { inputSize: 28, seed: 1 });
    let checkpoint: Checkpoint | undefined;
    await train(first, dataset(2), { ...options, steps: 5, checkpoint: { every: 5, save: async (c) => void (checkpoint = c) } });
    const resumed = buildModel(tiny(), { inputSize: 28, seed: 99 }); // different init: everything must come from the checkpoint
    const result = await train(resumed, dataset(2), { ...options, steps: 10, resume: checkpoint! });
    expect(result.steps).toBe(10);
    expect(result.history.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Same weights up to float rounding (Adam recomputes beta^t with pow on resume); a resume that lost
    // the optimizer state, the step or the sampling position would be off by orders of magnitude more.
    const a = weightsOf(resumed).flat();
    const b = weightsOf(straight).flat();
    const fresh = weightsOf(first).flat();
    const distance = (u: number[], v: number[]) => Math.sqrt(u.reduce((sum, x, i) => sum + (x - v[i]!) ** 2, 0));
    expect(distance(a, b)).toBeLessThan(1e-5 * Math.sqrt(b.reduce((sum, x) => sum + x * x, 0)));
    expect(distance(fresh, b)).toBeGreaterThan(1e-3); // steps 6-10 really moved the weights
    [straight, first, resumed].forEach((m) => m.dispose());
  });

  it('validates, keeps the best weights, and stops early', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const val = dataset(1, 50);
    const bestSnapshots = new Map<number, number[][]>();
    const result = await train(model, dataset(2), {
      steps: 40,
      optimizer: 'adam',
      // Learn for 10 steps, then a destructive learning rate makes validation worse.
      learningRate: (step) => (step <= 10 ? 1e-2 : 5),
      seed: 1,
      augmentation: [],
      validation: { ...val, every: 5, metric: 'pixelError' },
      earlyStopping: { patience: 2 },
      onValidation: (record, isBest) => {
        if (isBest) bestSnapshots.set(record.step, weightsOf(model));
      },
    });
    expect(result.stopped).toBe('earlyStopping');
    expect(result.steps).toBeLessThan(40);
    expect(result.validations.length).toBeGreaterThanOrEqual(3);
    for (const v of result.validations) {
      expect(v.pixelError).toBeGreaterThanOrEqual(0);
      expect(v.iou).toBeLessThanOrEqual(1);
    }
    const best = result.best!;
    expect(best.value).toBe(Math.min(...result.validations.map((v) => v.pixelError)));
    expect(weightsOf(model)).toEqual(bestSnapshots.get(best.step));
    model.dispose();
  });

  it('survives SIGKILL: a killed run resumes from its last checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-train-'));
    const files = fileCheckpoints(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'train-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it once a checkpoint at step >= 10 exists.
    for (let tries = 0; tries < 600; tries++) {
      const checkpoint = await files.load().catch(() => undefined);
      if (checkpoint !== undefined && checkpoint.step >= 10) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    await exited;
    const checkpoint = (await files.load())!;
    expect(checkpoint.step).toBeGreaterThanOrEqual(10);
    expect(checkpoint.step % 5).toBe(0);
    expect(checkpoint.history).toHaveLength(checkpoint.step);
    const model = buildModel(tiny(), { inputSize: 28, seed: 7 });
    const target = checkpoint.step + 5;
    const result = await train(model, dataset(2), { steps: target, optimizer: 'adam', augmentation: [], resume: checkpoint });
    expect(result.steps).toBe(target);
    expect(result.history.map((h) => h.step)).toEqual(Array.from({ length: target }, (_, i) => i + 1));
    model.dispose();
  });
});

describe('train stopping', () => {
  it('honours an AbortSignal timeout between steps (the event loop keeps turning)', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const saved: Checkpoint[] = [];
    const result = await train(model, dataset(1), {
      steps: 1_000_000,
      optimizer: 'adam',
      seed: 1,
      augmentation: [],
      signal: AbortSignal.timeout(300),
      checkpoint: { every: 1_000_000, save: async (c) => void saved.push(c) },
    });
    expect(result.stopped).toBe('aborted');
    expect(result.steps).toBeGreaterThan(0);
    expect(saved.at(-1)!.step).toBe(result.steps); // a final checkpoint is written on abort
    model.dispose();
  });
});
