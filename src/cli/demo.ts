/** `tfjs-unet demo`: synthetic touching cells, train, predict, report. No data or download needed. */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unet } from '../spec/unet.js';
import { syntheticCells } from '../augment/synthetic.js';
import { predictTiled } from '../infer/predict.js';
import { loadModel } from '../compile/persist.js';
import { modelDirectory } from '../node/model-files.js';
import { writeImage } from '../node/images.js';
import { integer, parse } from './args.js';
import { selectBackend } from './backend.js';
import { segmentationScores } from '../metrics/scores.js';
import { maskImage, overlay, table } from './render.js';
import { runTraining } from './train.js';
import type { TrainingPlan } from '../plan/rules.js';

export const DEMO_HELP = `Usage: tfjs-unet demo [--out tfjs-unet-demo] [--steps 300] [--size 128] [--backend B]

Generates synthetic touching cells (ellipses, blur, noise, gray-value variation), trains a
small U-Net (depth 3, 16 filters) with the border weight map and elastic deformation, predicts
held-out images, prints pixel error, IoU, Dice and Rand error, and writes the data, the model,
masks and overlays to --out. A few minutes on a laptop CPU with the wasm backend.`;

export async function demoCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { out: { type: 'string' }, steps: { type: 'string' }, size: { type: 'string' }, backend: { type: 'string' } });
  if (values.help === true) return print(DEMO_HELP), 0;
  const out = typeof values.out === 'string' ? values.out : 'tfjs-unet-demo';
  const size = integer(values, 'size', 128, 64, 1024);
  const backend = await selectBackend(values);
  const trainSet = Array.from({ length: 6 }, (_, i) => syntheticCells(size, i + 1));
  const testSet = Array.from({ length: 2 }, (_, i) => syntheticCells(size, 1000 + i));
  for (const [dir, set] of [['train', trainSet], ['test', testSet]] as const) {
    await mkdir(join(out, 'data', dir, 'images'), { recursive: true });
    await mkdir(join(out, 'data', dir, 'masks'), { recursive: true });
    for (const [i, sample] of set.entries()) {
      await writeImage(join(out, 'data', dir, 'images', `${i}.png`), sample.image);
      await writeImage(join(out, 'data', dir, 'masks', `${i}.png`), maskImage(sample.mask.data, size, size, 2));
    }
  }
  print(`synthetic data: ${trainSet.length} training and ${testSet.length} test images of ${size}x${size} in ${join(out, 'data')}; backend ${backend}`);
  const spec = unet({ depth: 3, baseFilters: 16, dropout: 0 });
  const plan: TrainingPlan = {
    minutes: 0,
    depth: 3,
    baseFilters: 16,
    padding: 'valid',
    batchNorm: false,
    dropout: 0,
    tile: 124,
    batch: 2,
    normalization: { kind: 'scale' },
    optimizer: 'adam',
    learningRate: 2e-3,
    schedule: { kind: 'constant' },
    loss: 'crossEntropy',
    weights: 'border',
    augmentation: { strength: 1, elastic: true },
    engine: 'tfjs',
    validationShare: 0.2,
    estimate: { secondsPerStep: 0, steps: 0 },
    candidates: [],
    reasons: ['the demo trains a fixed small network'],
  };
  await runTraining({
    images: trainSet.map((s) => s.image),
    labels: trainSet.map((s) => s.mask),
    validation: { images: testSet.map((s) => s.image), labels: testSet.map((s) => s.mask) },
    spec,
    plan,
    length: { steps: integer(values, 'steps', 300) },
    every: 50,
    seed: 1,
    out,
    resume: false,
    print,
  });
  const { model } = await loadModel(modelDirectory(join(out, 'model')));
  const rows = [];
  await mkdir(join(out, 'predictions'), { recursive: true });
  for (const [i, sample] of testSet.entries()) {
    const { probabilities, labels } = await predictTiled(model, sample.image, { spec });
    const predicted = (await labels.data()) as Int32Array;
    tf.dispose([probabilities, labels]);
    await writeImage(join(out, 'predictions', `${i}-overlay.png`), overlay(sample.image, predicted));
    await writeImage(join(out, 'predictions', `${i}-mask.png`), maskImage(predicted, size, size, 2));
    rows.push({ image: `test ${i}`, ...segmentationScores(predicted, sample.mask, 2) });
  }
  model.dispose();
  print(table(rows));
  print(`overlays: ${join(out, 'predictions')}`);
  return 0;
}
