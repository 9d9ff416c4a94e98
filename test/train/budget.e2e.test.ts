import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArgumentError, buildModel, calibrate, holdOut, loadModel, modelInfoOf, saveModel, train, unet, validationReport, type Checkpoint } from '../../src/index.js';
import { dataset } from './fixtures/data.js';

const tiny = () => unet({ depth: 1, baseFilters: 2, dropout: 0 });

describe('train with a time budget', () => {
  it('ends within its budget with the best validated model, calibrated, and lays the schedule over the time', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const rates: { progress: number; rate: number }[] = [];
    const started = performance.now();
    const result = await train(model, dataset(6), {
      budget: { minutes: 3 / 60 },
      optimizer: 'adam',
      learningRate: 1e-2,
      schedule: { kind: 'cosine', warmup: 0.1 },
      seed: 1,
      augmentation: [],
      validation: { holdOut: 0.2, everyMinutes: 0.5 / 60 },
      onStep: ({ progress, learningRate }) => void rates.push({ progress, rate: learningRate }),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.stopped).toBe('completed');
    expect(seconds).toBeLessThanOrEqual(3 + 0.5);
    expect(result.seconds).toBeLessThanOrEqual(3);
    expect(result.steps).toBeGreaterThan(5);
    // The first validation runs before any step, the last after the last step.
    expect(result.validations[0]!.step).toBe(0);
    expect(result.validations.at(-1)!.step).toBe(result.steps);
    // Warm-up from base / 100, then a cosine decay to near 0 by the end of the budget.
    expect(rates[0]!.rate).toBeLessThan(2e-3);
    const peak = Math.max(...rates.map((r) => r.rate));
    expect(peak).toBeGreaterThan(0.9e-2);
    expect(rates.at(-1)!.rate).toBeLessThan(0.25 * peak);
    for (const r of rates) expect(r.progress).toBeLessThanOrEqual(1);
    // Calibrated threshold and object settings travel with the model.
    expect(result.calibration).toBeDefined();
    expect(result.info.threshold).toBe(result.calibration!.info.threshold);
    expect(modelInfoOf(model).threshold).toBe(result.info.threshold);
    expect(modelInfoOf(model).normalization).toEqual({ kind: 'scale' });
    model.dispose();
  });

  it('refuses a budget too small for one validation before any step, suggesting one', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const saved: Checkpoint[] = [];
    let steps = 0;
    const run = train(model, dataset(6), {
      budget: { minutes: 0.001 },
      seed: 1,
      validation: { holdOut: 0.2 },
      checkpoint: { every: 1, save: async (c) => void saved.push(c) },
      onStep: () => void steps++,
    });
    await expect(run).rejects.toThrow(ArgumentError);
    await expect(run).rejects.toThrow(/`budget.minutes` is too small: one validation of these 1 image\(s\) takes [\d.]+ s .*; give at least [\d.]+ minutes/);
    expect(steps).toBe(0);
    expect(saved).toHaveLength(0);
    model.dispose();
  });

  it('needs steps or a budget', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    await expect(train(model, dataset(1), {})).rejects.toThrow('`steps` or `budget` must be given');
    await expect(train(model, dataset(1), { budget: { minutes: -1 } })).rejects.toThrow('`budget.minutes` must be a positive number of minutes. Received: budget.minutes=-1.');
    model.dispose();
  });

  it('with tta, calibrates on the averaged predictions and stores the count; without, drops a stale one', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const data = dataset(6);
    const result = await train(model, data, { steps: 6, seed: 1, augmentation: [], validation: { holdOut: 0.34, every: 3 }, tta: 4 });
    expect(result.info.tta).toBe(4);
    // The calibration equals one made from the held-out images predicted with the same augmentation.
    const { validation } = holdOut(data, 0.34);
    const { scored } = await validationReport(model, tiny(), validation, { inputSize: 28, tta: 4 });
    expect(result.calibration!.info).toEqual(calibrate(scored).info);
    expect(result.calibration!.randError).toBeCloseTo(calibrate(scored).randError, 10);
    // 'calibrate': both predictions of the held-out images are scored, and the augmentation is kept only when it is not worse.
    const choosing = await train(model, data, { steps: 6, seed: 2, augmentation: [], validation: { holdOut: 0.34, every: 3, metric: 'randError' }, tta: 'calibrate' });
    const c = choosing.calibration!.tta!;
    const randOf = async (tta: number) => (await validationReport(model, tiny(), validation, { inputSize: 28, tta })).report.best.randError.value;
    expect(c.count).toBe(8);
    expect(c.with).toBeCloseTo(await randOf(8), 10);
    expect(c.without).toBeCloseTo(await randOf(1), 10);
    expect(c.kept).toBe(c.with <= c.without);
    expect(choosing.info.tta).toBe(c.kept ? 8 : undefined);
    const again = await train(model, data, { steps: 3, seed: 1, augmentation: [], validation: { holdOut: 0.34, every: 3 } });
    expect(again.info.tta).toBeUndefined();
    await expect(train(model, data, { steps: 1, tta: 9 })).rejects.toThrow(/tta.*integer from 1 to 8 or 'calibrate'/);
    model.dispose();
  });

  it('stores the normalisation it trained with; saving and loading keep it with the threshold', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    await train(model, dataset(6), { steps: 3, seed: 1, augmentation: [], normalization: { kind: 'zscore' }, validation: { holdOut: 0.2, every: 3 } });
    const info = modelInfoOf(model);
    expect(info.normalization).toEqual({ kind: 'zscore' });
    expect(info.threshold).toBeGreaterThan(0);
    const saved: { json?: tf.io.ModelArtifacts } = {};
    await saveModel(model, tiny(), { save: async (artifacts) => ((saved.json = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) });
    const loaded = await loadModel(tf.io.fromMemory(saved.json!));
    expect(loaded.info).toEqual(info);
    loaded.model.dispose();
    model.dispose();
  });
});

describe('model selection', () => {
  it('lets only the validations after `selectAfter` of the run compete for the best model', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const run = (selectAfter: number) =>
      train(model, dataset(6), { steps: 40, seed: 1, augmentation: [], optimizer: 'adam', learningRate: 3e-2, schedule: { kind: 'cosine' }, selectAfter, validation: { holdOut: 0.2, every: 5, metric: 'pixelError' } });
    const half = await run(0.5);
    const late = half.validations.filter((v) => v.step >= 20);
    expect(half.best!.value).toBe(Math.min(...late.map((v) => v.pixelError)));
    expect(half.best!.step).toBeGreaterThanOrEqual(20);
    const last = await run(1);
    expect(last.best!.step).toBe(40); // only the last weights compete
    expect(last.validations.length).toBeGreaterThan(4);
    model.dispose();
  });

  it('defaults to the last weights with a decaying schedule (the last quarter with early stopping), to every validation with a constant one', async () => {
    const model = buildModel(tiny(), { inputSize: 28, seed: 1 });
    const cosine = await train(model, dataset(6), { steps: 20, seed: 1, augmentation: [], optimizer: 'adam', schedule: { kind: 'cosine' }, validation: { holdOut: 0.2, every: 2, metric: 'pixelError' } });
    expect(cosine.best).toEqual({ step: 20, value: cosine.validations.at(-1)!.pixelError });
    expect(cosine.validations.map((v) => v.step)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]); // the last weights are validated once
    const stopping = await train(model, dataset(6), {
      steps: 20,
      seed: 1,
      augmentation: [],
      optimizer: 'adam',
      schedule: { kind: 'poly' },
      earlyStopping: { patience: 100 },
      validation: { holdOut: 0.2, every: 2, metric: 'pixelError' },
    });
    const lastQuarter = stopping.validations.filter((v) => v.step >= 15);
    expect(stopping.best!.value).toBe(Math.min(...lastQuarter.map((v) => v.pixelError)));
    expect(stopping.best!.step).toBe(lastQuarter.find((v) => v.pixelError === stopping.best!.value)!.step);
    const constant = await train(model, dataset(6), { steps: 20, seed: 1, augmentation: [], optimizer: 'adam', validation: { holdOut: 0.2, every: 2, metric: 'pixelError' } });
    expect(constant.best!.value).toBe(Math.min(...constant.validations.map((v) => v.pixelError)));
    model.dispose();
  });
});

describe('holdOut', () => {
  it('holds out a share of the images spread over the list, deterministically', () => {
    const images = Array.from({ length: 10 }, (_, i) => ({ data: new Uint8Array(4).fill(i), width: 2, height: 2 }));
    const { train: fit, validation } = holdOut({ images, labels: images }, 0.2);
    expect(validation.images.map((i) => i.data[0])).toEqual([2, 7]);
    expect(fit.images).toHaveLength(8);
  });

  it('holds out the bottom rows of each image when there are few', () => {
    const image = { data: Uint8Array.from({ length: 20 }, (_, i) => i), width: 2, height: 10 };
    const { train: fit, validation } = holdOut({ images: [image], labels: [image] }, 0.2);
    expect(validation.images[0]).toEqual({ data: Uint8Array.from([16, 17, 18, 19]), width: 2, height: 2, channels: 1 });
    expect(fit.images[0]!.height).toBe(8);
    expect(() => holdOut({ images: [image], labels: [image] }, 0.7)).toThrow('`share` must be in (0, 0.5]. Received: share=0.7.');
  });
});

describe('calibrate', () => {
  it('chooses the threshold that keeps a weak boundary closed and cells whole', () => {
    // 1 x 9 strip: cells at 0-2 and 6-8, membrane 3-5; the membrane's middle pixel is weak (cell probability 0.55).
    const truth = { data: [1, 1, 1, 0, 0, 0, 1, 1, 1], width: 9, height: 1 };
    const cell = [0.7, 0.7, 0.7, 0.3, 0.55, 0.3, 0.7, 0.7, 0.7];
    const probabilities = Float32Array.from(cell.flatMap((p) => [1 - p, p]));
    const { info, randError } = calibrate([{ probabilities, truth }]);
    // At 0.5 the weak pixel joins the cells (a merge); from 0.55 to 0.65 all is right; at 0.7 the cells vanish.
    expect(info.threshold).toBeGreaterThanOrEqual(0.55);
    expect(info.threshold).toBeLessThan(0.7);
    expect(randError).toBe(0);
    expect(info.instances?.thin).toBe(true); // the background is a thin boundary
  });
});
