/** `tfjs-unet train`: train on a folder of images and masks. */
import * as tf from '@tensorflow/tfjs';
import { SingleBar } from 'cli-progress';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unet } from '../spec/unet.js';
import type { Spec } from '../spec/graph.js';
import { margin, nearestValidInputSize } from '../geometry/tiles.js';
import { buildModel } from '../compile/build.js';
import { saveModel } from '../compile/persist.js';
import { train, type TrainResult } from '../train/train.js';
import type { ImageArray, TypedArray } from '../loss/image.js';
import { fileCheckpoints } from '../io/checkpoint-files.js';
import { loadDataset } from '../io/images.js';
import { modelDirectory } from '../io/model-files.js';
import { writeFileAtomic } from '../io/atomic.js';
import { choice, integer, number, parse, required } from './args.js';
import { selectBackend } from './backend.js';
import { trainingCurveSvg } from './render.js';

export const TRAIN_HELP = `Usage: tfjs-unet train --images DIR --masks DIR --out DIR
                      [--val-images DIR --val-masks DIR] [--depth 3] [--base-filters 16]
                      [--tile N] [--steps 1000] [--batch 1] [--optimizer adam|sgd] [--lr 0.001]
                      [--every 50] [--seed 1] [--backend cpu|wasm|tensorflow] [--resume]

Trains a U-Net with the paper's recipe (valid convolutions, border weight map, elastic
deformation) on images paired with masks by file name (masks: 0/255, 0/1 or class indices).
The default tile is the smallest valid one whose output is at least 96 px.
Writes DIR/model (load it with predict/evaluate), DIR/checkpoint (every --every steps; --resume
continues from it), DIR/metrics.json and DIR/training-curve.svg. Ctrl-C saves a checkpoint and exits.`;

export interface RunTraining {
  readonly images: readonly ImageArray<TypedArray>[];
  readonly labels: readonly ImageArray<TypedArray>[];
  readonly validation?: { readonly images: readonly ImageArray<TypedArray>[]; readonly labels: readonly ImageArray<TypedArray>[] };
  readonly spec: Spec;
  readonly tile: number;
  readonly steps: number;
  readonly batch: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  readonly every: number;
  readonly seed: number;
  readonly out: string;
  readonly resume: boolean;
  readonly print: (line: string) => void;
}

/** Trains with a progress bar, checkpoints, Ctrl-C handling; writes the model, metrics and curve. */
export async function runTraining(run: RunTraining): Promise<TrainResult> {
  await mkdir(run.out, { recursive: true });
  const checkpoints = fileCheckpoints(join(run.out, 'checkpoint'));
  const resume = run.resume ? await checkpoints.load() : undefined;
  const model = buildModel(run.spec, { inputSize: run.tile, seed: run.seed });
  const bar = new SingleBar({
    format: 'training [{bar}] {value}/{total} | loss {loss} | val pixel error {val} | {speed} steps/s | ETA {eta_formatted}',
    noTTYOutput: true,
    notTTYSchedule: 10_000,
    hideCursor: true,
  });
  bar.start(run.steps, resume?.step ?? 0, { loss: '-', val: '-', speed: '-' });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let result: TrainResult;
  try {
    result = await train(model, { images: run.images, labels: run.labels }, {
      steps: run.steps,
      inputSize: run.tile,
      batchSize: run.batch,
      optimizer: run.optimizer,
      learningRate: run.learningRate,
      seed: run.seed,
      ...(run.validation === undefined ? {} : { validation: { ...run.validation, every: run.every, metric: 'pixelError' as const } }),
      checkpoint: { every: run.every, save: checkpoints.save },
      ...(resume === undefined ? {} : { resume }),
      signal: controller.signal,
      onStep: ({ step, loss, stepsPerSecond }) => bar.update(step, { loss: loss.toFixed(4), speed: stepsPerSecond.toFixed(2) }),
      onValidation: (record) => bar.update({ val: record.pixelError.toFixed(4) }),
    });
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSignal);
  }
  await saveModel(model, run.spec, modelDirectory(join(run.out, 'model')));
  model.dispose();
  await writeFileAtomic(
    join(run.out, 'metrics.json'),
    JSON.stringify({ steps: result.steps, stopped: result.stopped, best: result.best, validations: result.validations, history: result.history, backend: tf.getBackend() }, null, 2),
  );
  await writeFile(join(run.out, 'training-curve.svg'), trainingCurveSvg(result.history, result.validations));
  const last = result.history.slice(-10);
  run.print(`${result.stopped === 'aborted' ? 'stopped (checkpoint saved)' : 'done'}: ${result.steps} steps on ${tf.getBackend()}, mean loss of the last ${last.length} steps ${(last.reduce((a, h) => a + h.loss, 0) / Math.max(1, last.length)).toFixed(4)}`);
  if (result.best !== null) run.print(`best validation pixel error ${result.best.value.toFixed(4)} at step ${result.best.step}`);
  run.print(`model: ${join(run.out, 'model')}; metrics: ${join(run.out, 'metrics.json')}; curve: ${join(run.out, 'training-curve.svg')}`);
  return result;
}

export async function trainCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, {
    images: { type: 'string' },
    masks: { type: 'string' },
    'val-images': { type: 'string' },
    'val-masks': { type: 'string' },
    out: { type: 'string' },
    depth: { type: 'string' },
    'base-filters': { type: 'string' },
    tile: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    optimizer: { type: 'string' },
    lr: { type: 'string' },
    every: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'boolean' },
  });
  if (values.help === true) return print(TRAIN_HELP), 0;
  const out = required(values, 'out');
  const data = await loadDataset({ images: required(values, 'images'), masks: required(values, 'masks') });
  const validation =
    values['val-images'] === undefined
      ? undefined
      : await loadDataset({ images: required(values, 'val-images'), masks: required(values, 'val-masks') });
  const channels = data.images[0]!.channels ?? 1;
  const spec = unet({
    depth: integer(values, 'depth', 3, 1, 6) as 1 | 2 | 3 | 4 | 5 | 6,
    baseFilters: integer(values, 'base-filters', 16, 1, 1024),
    inChannels: channels,
    classes: Math.max(data.classes, validation?.classes ?? 2),
    dropout: 0.2,
  });
  // Default tile: the smallest valid one with an output of about 96 px or more.
  const tile = integer(values, 'tile', nearestValidInputSize(spec, 2 * margin(spec) + 96, 'up')!);
  const backend = await selectBackend(values);
  print(`${data.images.length} training images (${[...new Set(data.encodings)].join(', ')} masks, ${spec.options.classes} classes), backend ${backend}`);
  const result = await runTraining({
    images: data.images,
    labels: data.masks,
    ...(validation === undefined ? {} : { validation: { images: validation.images, labels: validation.masks } }),
    spec,
    tile,
    steps: integer(values, 'steps', 1000),
    batch: integer(values, 'batch', 1),
    optimizer: choice(values, 'optimizer', ['adam', 'sgd'] as const, 'adam'),
    learningRate: number(values, 'lr', 1e-3),
    every: integer(values, 'every', 50),
    seed: integer(values, 'seed', 1, 0),
    out,
    resume: values.resume === true,
    print,
  });
  return result.stopped === 'aborted' ? 130 : 0;
}
