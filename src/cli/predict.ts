/** `tfjs-unet predict` and `tfjs-unet evaluate`. */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Spec } from '../spec/graph.js';
import { loadModel } from '../compile/persist.js';
import { predictTiled } from '../infer/predict.js';
import type { ImageArray } from '../loss/image.js';
import { segmentationScores, type SegmentationScores } from '../loss/scores.js';
import { listImages, loadDataset, readImage, writeImage } from '../io/images.js';
import { modelDirectory } from '../io/model-files.js';
import { integer, parse, required } from './args.js';
import { selectBackend } from './backend.js';
import { maskImage, overlay, table } from './render.js';

export const PREDICT_HELP = `Usage: tfjs-unet predict --model DIR --images DIR|FILE --out DIR [--tta] [--tile N] [--batch 1] [--backend B]

Overlap-tile prediction of every image: writes NAME-mask.png (classes spread over 0..255),
NAME-probability.png (foreground probability, or the winning class's for more classes) and
NAME-overlay.png (the mask's contour in red over the image).`;

export const EVALUATE_HELP = `Usage: tfjs-unet evaluate --model DIR --images DIR --masks DIR [--tta] [--tile N] [--json] [--backend B]

Predicts every image and prints pixel error, IoU, Dice (means over classes) and the
foreground-restricted Rand error per image and their mean.`;

async function predictOne(model: tf.LayersModel, spec: Spec, image: ImageArray, values: Record<string, unknown>) {
  const { probabilities, labels } = await predictTiled(model, image as ImageArray<Uint8Array>, {
    spec,
    tta: values.tta === true,
    batchSize: integer(values, 'batch', 1),
    ...(values.tile === undefined ? {} : { inputSize: integer(values, 'tile', 0) }),
  });
  const classes = probabilities.shape[2]!;
  const best = tf.tidy(() => (classes === 2 ? probabilities.slice([0, 0, 1], [-1, -1, 1]) : probabilities.max(-1)));
  const predicted = (await labels.data()) as Int32Array;
  const probability = (await best.data()) as Float32Array;
  tf.dispose([probabilities, labels, best]);
  return { predicted, probability, classes };
}

export async function predictCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { model: { type: 'string' }, images: { type: 'string' }, out: { type: 'string' }, tta: { type: 'boolean' }, tile: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' } });
  if (values.help === true) return print(PREDICT_HELP), 0;
  const files = await listImages(required(values, 'images'));
  const out = required(values, 'out');
  await selectBackend(values);
  const { model, spec } = await loadModel(modelDirectory(required(values, 'model')));
  await mkdir(out, { recursive: true });
  for (const file of files) {
    const image = await readImage(file);
    const started = performance.now();
    const { predicted, probability, classes } = await predictOne(model, spec, image, values);
    const name = basename(file, extname(file));
    await writeImage(join(out, `${name}-mask.png`), maskImage(predicted, image.width, image.height, classes));
    await writeImage(join(out, `${name}-probability.png`), { data: probability, width: image.width, height: image.height });
    await writeImage(join(out, `${name}-overlay.png`), overlay(image, predicted));
    print(`${basename(file)}: ${image.width}x${image.height} in ${((performance.now() - started) / 1000).toFixed(2)} s -> ${join(out, name)}-{mask,probability,overlay}.png`);
  }
  model.dispose();
  return 0;
}

export async function evaluateCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { model: { type: 'string' }, images: { type: 'string' }, masks: { type: 'string' }, tta: { type: 'boolean' }, tile: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' } });
  if (values.help === true) return print(EVALUATE_HELP), 0;
  const data = await loadDataset({ images: required(values, 'images'), masks: required(values, 'masks') });
  await selectBackend(values);
  const { model, spec } = await loadModel(modelDirectory(required(values, 'model')));
  const rows: ({ image: string } & SegmentationScores)[] = [];
  for (let i = 0; i < data.images.length; i++) {
    const { predicted, classes } = await predictOne(model, spec, data.images[i]!, values);
    rows.push({ image: data.names[i]!, ...segmentationScores(predicted, data.masks[i]!, classes) });
  }
  model.dispose();
  const mean = (key: 'pixelError' | 'iou' | 'dice' | 'randError') => rows.reduce((a, r) => a + r[key], 0) / rows.length;
  const summary = { image: 'mean', pixelError: mean('pixelError'), iou: mean('iou'), dice: mean('dice'), randError: mean('randError') };
  if (values.json === true) print(JSON.stringify({ images: rows, mean: summary }, null, 2));
  else print(table([...rows, summary]));
  return 0;
}
