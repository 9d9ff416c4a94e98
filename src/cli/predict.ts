/** `tfjs-unet predict` and `tfjs-unet evaluate`. */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { loadModel } from '../compile/persist.js';
import { predictTiled } from '../infer/predict.js';
import { modelPredictor, type OwnedTilePredictor, type TilePredictor } from '../infer/predictor.js';
import { loadOnnxPredictor } from '../io/onnx-files.js';
import type { ImageArray } from '../loss/image.js';
import { segmentationScores, type SegmentationScores } from '../metrics/scores.js';
import { listImages, loadDataset, readImage, writeImage } from '../io/images.js';
import { modelDirectory } from '../io/model-files.js';
import { choice, integer, parse, required } from './args.js';
import { selectBackend } from './backend.js';
import { maskImage, overlay, table } from './render.js';

const ENGINE_HELP = `Engines: --engine tfjs (default; --model is a model directory, run on --backend) or
--engine onnx (--model is a .onnx file from 'tfjs-unet export', run by onnxruntime-node).
--threads N: ONNX Runtime's intra-op threads, or the wasm backend's threads (default: all cores).`;

export const PREDICT_HELP = `Usage: tfjs-unet predict --model DIR|FILE.onnx --images DIR|FILE --out DIR [--tta] [--tile N] [--batch 1]
                         [--engine tfjs|onnx] [--backend B] [--threads N]

Overlap-tile prediction of every image: writes NAME-mask.png (classes spread over 0..255),
NAME-probability.png (foreground probability, or the winning class's for more classes) and
NAME-overlay.png (the mask's contour in red over the image).

${ENGINE_HELP}`;

export const EVALUATE_HELP = `Usage: tfjs-unet evaluate --model DIR|FILE.onnx --images DIR --masks DIR [--tta] [--tile N] [--json]
                          [--engine tfjs|onnx] [--backend B] [--threads N]

Predicts every image and prints pixel error, IoU, Dice (means over classes) and the
foreground-restricted Rand error per image and their mean.

${ENGINE_HELP}`;

const ENGINES = ['tfjs', 'onnx'] as const;

/** The predictor the options ask for; the caller disposes it. */
async function openPredictor(values: Record<string, unknown>): Promise<OwnedTilePredictor> {
  const engine = choice(values, 'engine', ENGINES, String(values.model ?? '').endsWith('.onnx') ? 'onnx' : 'tfjs');
  if (engine === 'onnx') {
    return loadOnnxPredictor(required(values, 'model'), values.threads === undefined ? {} : { threads: integer(values, 'threads', 1) });
  }
  await selectBackend(values);
  const { model, spec } = await loadModel(modelDirectory(required(values, 'model')));
  const predictor = modelPredictor(model, spec);
  return {
    ...predictor,
    async dispose() {
      await predictor.dispose();
      model.dispose();
    },
  };
}

const PREDICTOR_OPTIONS = {
  model: { type: 'string' },
  engine: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  tta: { type: 'boolean' },
  tile: { type: 'string' },
  batch: { type: 'string' },
} as const;

async function predictOne(predictor: TilePredictor, image: ImageArray, values: Record<string, unknown>) {
  const { probabilities, labels } = await predictTiled(predictor, image as ImageArray<Uint8Array>, {
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
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, out: { type: 'string' } });
  if (values.help === true) return print(PREDICT_HELP), 0;
  const files = await listImages(required(values, 'images'));
  const out = required(values, 'out');
  const predictor = await openPredictor(values);
  await mkdir(out, { recursive: true });
  try {
    for (const file of files) {
      const image = await readImage(file);
      const started = performance.now();
      const { predicted, probability, classes } = await predictOne(predictor, image, values);
      const name = basename(file, extname(file));
      await writeImage(join(out, `${name}-mask.png`), maskImage(predicted, image.width, image.height, classes));
      await writeImage(join(out, `${name}-probability.png`), { data: probability, width: image.width, height: image.height });
      await writeImage(join(out, `${name}-overlay.png`), overlay(image, predicted));
      print(`${basename(file)}: ${image.width}x${image.height} in ${((performance.now() - started) / 1000).toFixed(2)} s -> ${join(out, name)}-{mask,probability,overlay}.png`);
    }
  } finally {
    await predictor.dispose();
  }
  return 0;
}

export async function evaluateCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, masks: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help === true) return print(EVALUATE_HELP), 0;
  const data = await loadDataset({ images: required(values, 'images'), masks: required(values, 'masks') });
  const predictor = await openPredictor(values);
  const rows: ({ image: string } & SegmentationScores)[] = [];
  try {
    for (let i = 0; i < data.images.length; i++) {
      const { predicted, classes } = await predictOne(predictor, data.images[i]!, values);
      rows.push({ image: data.names[i]!, ...segmentationScores(predicted, data.masks[i]!, classes) });
    }
  } finally {
    await predictor.dispose();
  }
  const mean = (key: 'pixelError' | 'iou' | 'dice' | 'randError') => rows.reduce((a, r) => a + r[key], 0) / rows.length;
  const summary = { image: 'mean', pixelError: mean('pixelError'), iou: mean('iou'), dice: mean('dice'), randError: mean('randError') };
  if (values.json === true) print(JSON.stringify({ images: rows, mean: summary }, null, 2));
  else print(table([...rows, summary]));
  return 0;
}
