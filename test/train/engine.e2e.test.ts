// The onnx engine against the tfjs engine (cpu backend): same data, same start, same results.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildModel, resUnet, train, unet, type Checkpoint, type Spec, type TrainOptions } from '../../src/index.js';
import { dataset } from './fixtures/data.js';

const onnx = { onnx: ort } as const;

async function run(engine: TrainOptions['engine'], options: Partial<TrainOptions> & { steps: number }, spec: Spec = unet({ depth: 2, baseFilters: 4, padding: 'same', batchNorm: true, dropout: 0 })) {
  const model = buildModel(spec, { inputSize: options.inputSize ?? 32, seed: 1 });
  const result = await train(model, dataset(3), { batchSize: 2, seed: 4, optimizer: 'adam', learningRate: 3e-3, augmentation: [{ kind: 'flip' }], ...options, engine });
  return { model, result, losses: result.history.map((h) => h.loss) };
}

const maxDifference = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

describe('train with the onnx engine', () => {
  it.each(['adam', 'nesterov'] as const)('gives the loss curve of the tfjs engine over 50 steps (%s, batch norm, batch 2)', async (optimizer) => {
    const tfjs = await run('tfjs', { steps: 50, optimizer, ...(optimizer === 'nesterov' ? { momentum: 0.9, learningRate: 1e-2 } : {}) });
    const ortRun = await run(onnx, { steps: 50, optimizer, ...(optimizer === 'nesterov' ? { momentum: 0.9, learningRate: 1e-2 } : {}) });
    expect(ortRun.losses.length).toBe(50);
    // The first steps agree to float32 rounding. The Nesterov run then meets a bifurcation: a 1e-7 relative
    // perturbation of the weights moves the tfjs engine's own losses by 3e-5 at step 6 and 1.4e-3 by step 13,
    // so from there the engines agree only as two float32 runs of it can.
    expect(maxDifference(ortRun.losses.slice(0, 5), tfjs.losses.slice(0, 5))).toBeLessThan(1e-5);
    expect(maxDifference(ortRun.losses, tfjs.losses)).toBeLessThan(optimizer === 'adam' ? 1e-3 : 3e-3);
    // It learned: the last losses are below the first.
    expect(ortRun.losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(ortRun.losses.slice(0, 5).reduce((a, b) => a + b) / 5);
    // The trained weights reach the tfjs model (moving statistics included). Past the bifurcation small
    // batch-norm offsets differ by percents: up to 0.086 (relative L2) between two tfjs runs whose starts differ by 1e-7.
    const tolerance = optimizer === 'adam' ? 1e-2 : 0.1;
    const a = tfjs.model.getWeights();
    const b = ortRun.model.getWeights();
    const names = tfjs.model.weights.map((w) => w.name);
    a.forEach((w, i) => {
      const x = w.dataSync();
      const y = b[i]!.dataSync();
      let norm = 0;
      let diff = 0;
      x.forEach((v, j) => {
        norm += v * v;
        diff += (v - y[j]!) ** 2;
      });
      norm = Math.sqrt(norm);
      diff = Math.sqrt(diff);
      expect(diff / Math.max(norm, 1e-12), names[i]).toBeLessThan(tolerance);
    });
    tfjs.model.dispose();
    ortRun.model.dispose();
  });

  it('resumes a tfjs checkpoint and continues as the tfjs engine would, and the other way round', async () => {
    const saved: Checkpoint[] = [];
    const spec = unet({ depth: 1, baseFilters: 4, dropout: 0 });
    const whole = await run('tfjs', { steps: 20 }, spec);
    const first = await run('tfjs', { steps: 10, checkpoint: { every: 10, save: async (c) => void saved.push(c) } }, spec);
    const resumed = await run(onnx, { steps: 20, resume: saved.at(-1)! }, spec);
    expect(resumed.losses.length).toBe(20);
    expect(maxDifference(resumed.losses, whole.losses)).toBeLessThan(1e-3);
    // And back: an onnx checkpoint resumed by tfjs.
    const onnxSaved: Checkpoint[] = [];
    await run(onnx, { steps: 10, checkpoint: { every: 10, save: async (c) => void onnxSaved.push(c) } }, spec);
    const back = await run('tfjs', { steps: 20, resume: onnxSaved.at(-1)! }, spec);
    expect(maxDifference(back.losses, whole.losses)).toBeLessThan(1e-3);
    for (const r of [whole, first, resumed, back]) r.model.dispose();
  });

  it('trains a residual U-Net with batch norm as tfjs does, and resumes across engines (weights and Adam slots bound by name)', async () => {
    // tfjs orders a residual unit's weights differently from the spec (the shortcut after conv2's batch norm).
    const spec = resUnet({ depth: 1, baseFilters: 4, padding: 'same', batchNorm: true, dropout: 0, residualDecoder: false, inChannels: 1 });
    const whole = await run('tfjs', { steps: 16 }, spec);
    const ortRun = await run(onnx, { steps: 16 }, spec);
    expect(maxDifference(ortRun.losses, whole.losses)).toBeLessThan(1e-3);
    const saved: Checkpoint[] = [];
    await run(onnx, { steps: 8, checkpoint: { every: 8, save: async (c) => void saved.push(c) } }, spec);
    const back = await run('tfjs', { steps: 16, resume: saved.at(-1)! }, spec);
    expect(maxDifference(back.losses, whole.losses)).toBeLessThan(1e-3);
    for (const r of [whole, ortRun, back]) r.model.dispose();
  });

  it.each([
    // SGD with Nesterov momentum: Adam's first steps are sign steps, which turn rounding noise in tiny gradients into full-size differences.
    ['same padding, batch norm, Dice + CE, 2 heads', unet({ depth: 3, baseFilters: 4, padding: 'same', batchNorm: true, dropout: 0 }), 32, 2, { loss: 'diceCrossEntropy' as const }],
    ['valid padding (a trimmed head)', unet({ depth: 2, baseFilters: 4, dropout: 0 }), 44, 1, {}],
  ] as const)('trains with deep supervision as tfjs does, and resumes its heads across engines: %s', async (_, spec, inputSize, heads, extra) => {
    const options = { deepSupervision: heads, inputSize, optimizer: 'nesterov', momentum: 0.9, learningRate: 1e-2, ...extra } as const;
    const whole = await run('tfjs', { steps: 16, ...options }, spec);
    const ortRun = await run(onnx, { steps: 16, ...options }, spec);
    expect(maxDifference(ortRun.losses, whole.losses)).toBeLessThan(1e-3);
    // Without the heads the curve is another one (the heads' losses are in it, and their gradients reach the decoder).
    const plain = await run('tfjs', { ...options, steps: 16, deepSupervision: false }, spec);
    expect(maxDifference(plain.losses, whole.losses)).toBeGreaterThan(1e-2);
    const saved: Checkpoint[] = [];
    await run(onnx, { steps: 8, ...options, checkpoint: { every: 8, save: async (c) => void saved.push(c) } }, spec);
    expect(saved.at(-1)!.headWeights!.map((w) => w.name)).toEqual(Array.from({ length: heads }, (_, k) => [`supervision_${k + 1}/kernel`, `supervision_${k + 1}/bias`]).flat());
    const back = await run('tfjs', { steps: 16, ...options, resume: saved.at(-1)! }, spec);
    expect(maxDifference(back.losses, whole.losses)).toBeLessThan(1e-3);
    // The trained model keeps its one output; a checkpoint with heads needs the same deep supervision.
    expect(back.model.outputs.length).toBe(1);
    await expect(run('tfjs', { ...options, steps: 16, deepSupervision: false, resume: saved.at(-1)! }, spec)).rejects.toThrow(new RegExp(`resume.*same deep supervision: it has ${heads} head\\(s\\), the options ask for 0`));
    for (const r of [whole, ortRun, plain, back]) r.model.dispose();
  });

  it('keeps tf.memory().numTensors flat across steps with validations', async () => {
    const counts: number[] = [];
    const { model } = await run(onnx, { steps: 40, validation: { holdOut: 0.34, every: 10 }, calibrate: false, onStep: () => void counts.push(tf.memory().numTensors) }, unet({ depth: 1, baseFilters: 2, dropout: 0.5 }));
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it("tfjs-unet/node registers onnxruntime-node: train takes engine: 'onnx' and { onnx: 'onnxruntime-node', threads }", async () => {
    const { train: trainNode } = await import('../../src/node/index.js');
    // One train in both entries: the node entry provides the runtime, it does not wrap train.
    expect(trainNode).toBe(train);
    const spec = unet({ depth: 1, baseFilters: 2, dropout: 0 });
    for (const engine of ['onnx', { onnx: 'onnxruntime-node', threads: 1 }] as const) {
      const model = buildModel(spec, { inputSize: 28, seed: 1 });
      const reference = buildModel(spec, { inputSize: 28, seed: 1 });
      const a = await trainNode(model, dataset(2), { steps: 3, seed: 2, optimizer: 'adam', engine });
      const b = await train(reference, dataset(2), { steps: 3, seed: 2, optimizer: 'adam', engine: onnx });
      expect(a.history.map((h) => h.loss)).toEqual(b.history.map((h) => h.loss));
      model.dispose();
      reference.dispose();
    }
  });

  it('trains Dice + CE as the tfjs engine does', async () => {
    const tfjs = await run('tfjs', { steps: 20, loss: 'diceCrossEntropy' });
    const ortRun = await run(onnx, { steps: 20, loss: 'diceCrossEntropy' });
    expect(maxDifference(ortRun.losses, tfjs.losses)).toBeLessThan(1e-3);
    tfjs.model.dispose();
    ortRun.model.dispose();
  });

  it('refuses what the graph cannot compute, naming it, before any step', async () => {
    let steps = 0;
    const onStep = () => void steps++;
    await expect(run(onnx, { steps: 2, loss: 'focal', onStep })).rejects.toThrow(
      '`loss` must suit the engine: the onnx engine computes crossEntropy and dice terms; focal runs on tfjs. Received: loss="focal".',
    );
    await expect(run(onnx, { steps: 2, loss: () => tf.scalar(0), onStep })).rejects.toThrow('`loss` must suit the engine: the onnx engine takes loss presets and terms, not a loss function (tfjs does)');
    await expect(run(onnx, { steps: 2, optimizer: tf.train.sgd(0.1), onStep })).rejects.toThrow(
      '`optimizer` must suit the engine: the onnx engine applies the optimizers sgd, nesterov, adam by name, not a tf.Optimizer (tfjs does)',
    );
    expect(steps).toBe(0);
  });
});
