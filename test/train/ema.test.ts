// The weights' moving average (`train`'s `ema`) against the average computed by hand from the trained
// weights every checkpoint records, on both engines; resume; what validation and the finished model see.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, train, unet, type Checkpoint, type TrainOptions } from '../../src/index.js';
import { unpack } from '../../src/train/checkpoint.js';
import { emaMomentumAt } from '../../src/train/train.js';
import { dataset } from './fixtures/data.js';

const spec = unet({ depth: 2, baseFilters: 4, padding: 'same', dropout: 0 });

async function run(options: Partial<TrainOptions> & { steps: number }) {
  const model = buildModel(spec, { inputSize: 32, seed: 1 });
  const saved: Checkpoint[] = [];
  const result = await train(model, dataset(3), {
    batchSize: 2,
    seed: 4,
    optimizer: 'nesterov',
    momentum: 0.9,
    learningRate: 1e-2,
    augmentation: [{ kind: 'flip' }],
    checkpoint: { every: 1, save: async (c) => void saved.push(c) },
    ...options,
  });
  return { model, result, saved };
}

/** A checkpoint's group of named tensors as arrays. */
const values = (c: Checkpoint, group: 'weights' | 'averageWeights') => (c[group] ?? []).map((e) => ({ name: e.name, values: Float32Array.from(unpack(e, c.data)) }));

/** The average by hand: starts at the weights after step 1, then m_t * a + (1 - m_t) * w_t, in float64. */
function averageByHand(trajectory: readonly Float32Array[][], momentum: number): Float64Array[] {
  let average = trajectory[0]!.map((w) => Float64Array.from(w));
  trajectory.slice(1).forEach((weights, k) => {
    const m = emaMomentumAt(momentum, k + 2);
    average = average.map((a, i) => a.map((v, j) => m * v + (1 - m) * weights[i]![j]!));
  });
  return average;
}

const maxRelative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    norm = Math.max(norm, Math.abs(b[i]!));
  }
  return diff / Math.max(norm, 1e-12);
};

describe('train with ema', () => {
  it('ramps the momentum as (1 + t) / (10 + t) up to the given one', () => {
    expect(emaMomentumAt(0.999, 1)).toBeCloseTo(2 / 11, 12);
    expect(emaMomentumAt(0.999, 90)).toBeCloseTo(91 / 100, 12);
    expect(emaMomentumAt(0.9, 90)).toBe(0.9);
    expect(emaMomentumAt(0.999, 1e6)).toBe(0.999);
  });

  it.each([
    ['tfjs', 'tfjs' as const],
    ['onnx', { onnx: ort } as const],
  ])('averages the trained weights of every step as the closed form does (%s engine)', async (_, engine) => {
    const momentum = 0.8;
    const { model, saved } = await run({ steps: 12, engine, ema: { momentum } });
    expect(saved.map((c) => c.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // The checkpoints' weights are the trained ones; their average is the closed form's at every step.
    const trainable = new Set(model.trainableWeights.map((w) => w.originalName));
    const trajectory = saved.map((c) => values(c, 'weights').filter((w) => trainable.has(w.name)).map((w) => w.values));
    for (const at of [1, 5, 12]) {
      const expected = averageByHand(trajectory.slice(0, at), momentum);
      const actual = values(saved[at - 1]!, 'averageWeights');
      expect(actual.map((a) => a.name)).toEqual(model.trainableWeights.map((w) => w.originalName));
      actual.forEach((a, i) => expect(maxRelative(a.values, expected[i]!), `step ${at}: ${a.name}`).toBeLessThan(1e-5));
    }
    // The trained weights moved away from their average (the test can fail), and the model the run leaves holds the average.
    const last = averageByHand(trajectory, momentum);
    expect(Math.max(...trajectory.at(-1)!.map((w, i) => maxRelative(w, last[i]!)))).toBeGreaterThan(1e-3);
    model.trainableWeights.forEach((w, i) => expect(maxRelative(w.read().dataSync(), last[i]!), w.originalName).toBeLessThan(1e-5));
    model.dispose();
  });

  it('leaves the trained trajectory as it is (the steps do not see the average)', async () => {
    const plain = await run({ steps: 6 });
    const averaged = await run({ steps: 6, ema: true });
    expect(averaged.result.history).toEqual(plain.result.history);
    expect(plain.saved.at(-1)!.averageWeights).toBeUndefined();
    values(averaged.saved.at(-1)!, 'weights').forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(values(plain.saved.at(-1)!, 'weights')[i]!.values)));
    plain.model.dispose();
    averaged.model.dispose();
  });

  it.each([
    ['tfjs', 'tfjs' as const],
    ['onnx', { onnx: ort } as const],
  ])('continues the average on resume (%s engine)', async (_, engine) => {
    const whole = await run({ steps: 10, engine, ema: { momentum: 0.9 } });
    const first = await run({ steps: 5, engine, ema: { momentum: 0.9 } });
    const resumed = await run({ steps: 10, engine, ema: { momentum: 0.9 }, resume: first.saved.at(-1)! });
    const [a, b] = [values(whole.saved.at(-1)!, 'averageWeights'), values(resumed.saved.at(-1)!, 'averageWeights')];
    a.forEach((w, i) => expect(maxRelative(b[i]!.values, w.values), w.name).toBeLessThan(1e-5));
    for (const r of [whole, first, resumed]) r.model.dispose();
  });

  it('validates and keeps the average: the best model is the average at the best step', async () => {
    const validation = { ...dataset(1, 7), every: 1 };
    const { model, result, saved } = await run({ steps: 6, ema: { momentum: 0.7 }, validation, selectAfter: 0 });
    expect(result.best).not.toBeNull();
    const best = values(saved.find((c) => c.step === result.best!.step)!, 'averageWeights');
    model.trainableWeights.forEach((w, i) => expect(maxRelative(w.read().dataSync(), best[i]!.values), w.originalName).toBeLessThan(1e-6));
    model.dispose();
  });

  it('keeps the tensor count flat on the tfjs engine, validations included', async () => {
    const model = buildModel(spec, { inputSize: 32, seed: 1 });
    const counts: number[] = [];
    await train(model, dataset(2), { steps: 12, batchSize: 1, seed: 1, ema: true, validation: { ...dataset(1, 9), every: 2 }, augmentation: [], onStep: () => void counts.push(tf.memory().numTensors) });
    // After the first validation (its one-off allocations), every step ends with the same count.
    expect(new Set(counts.slice(2))).toEqual(new Set([counts[2]]));
    model.dispose();
  });

  it('refuses a momentum outside (0, 1), naming it', async () => {
    const model = buildModel(spec, { inputSize: 32, seed: 1 });
    await expect(train(model, dataset(1), { steps: 1, ema: { momentum: 1 } })).rejects.toThrow(/ema\.momentum.*\(0, 1\).*1/);
    await expect(train(model, dataset(1), { steps: 1, ema: { momentum: 0 } })).rejects.toThrow(/ema\.momentum/);
    model.dispose();
  });
});
