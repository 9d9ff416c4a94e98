/** `tfjs-unet predict` and `tfjs-unet evaluate`. */
import * as tf from '@tensorflow/tfjs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { loadModel } from '../compile/persist.js';
import { predictTiled } from '../infer/predict.js';
import { modelPredictor, type OwnedTilePredictor, type TilePredictor } from '../infer/predictor.js';
import { importOnnxRuntime, loadOnnxPredictor } from '../node/onnx-files.js';
import { isBioimageioPackage, loadBioimageioModel } from '../node/zoo-files.js';
import { modelPath } from '../node/ready-made.js';
import { toOnnx } from '../onnx/export.js';
import { onnxPredictor } from '../onnx/predictor.js';
import { modelInfoOf } from '../compile/metadata.js';
import { availableParallelism } from 'node:os';
import type { ImageArray } from '../core/image.js';
import { decideClasses, evaluateSegmentation, type ImageScores, type ScoredImage } from '../metrics/report.js';
import { labelInstances } from '../regions/instances.js';
import { ArgumentError } from '../core/errors.js';
import { IMAGE_EXTENSIONS, listImages, readImage, writeImage } from '../node/images.js';
import { describeMasks, loadData, MASK_FLAGS, MASK_HELP, maskOptions } from './data.js';
import { modelDirectory } from '../node/model-files.js';
import { choice, integer, parse, required, UsageError } from './args.js';
import { selectBackend } from './backend.js';
import { maskImage, overlay, table } from './render.js';

const ENGINE_HELP = `Engines: --model is a model directory, a .onnx file from 'tfjs-unet export', a bioimage.io
package (a folder, a .zip, or its rdf.yaml: its ONNX weights run with its declared pre- and
postprocessing, every file's SHA-256 checked), or a ready-made model's name ('tfjs-unet models'
lists them; they need the tfjs-unet-models package). --engine auto
(default): a .onnx file runs in onnxruntime-node; a model directory too when onnxruntime-node is
installed and no --backend is given (exported on the fly: a few times faster on a CPU, equal to
tfjs up to float rounding), else in tfjs on --backend. --engine tfjs|onnx chooses.
--threads N: ONNX Runtime's intra-op threads, or the wasm backend's threads (default: all cores).
Test-time augmentation: as the model was calibrated ('tfjs-unet train' stores it in the model);
--tta averages the 8 flips/rotations of every tile, --no-tta predicts each tile once.`;

export const PREDICT_HELP = `Usage: tfjs-unet predict --model DIR|FILE.onnx|PACKAGE|NAME --images DIR|FILE --out DIR [--tta|--no-tta] [--tile N] [--batch 1]
                         [--threshold T] [--instances] [--min-size N] [--engine auto|tfjs|onnx] [--backend B] [--threads N]

Overlap-tile prediction of every image, normalised as in training: writes NAME-mask.png (classes
spread over 0..255, decided at the model's calibrated threshold or --threshold),
NAME-probability.png (foreground probability, or the winning class's for more classes) and
NAME-overlay.png (the mask's contour in red over the image). With --instances also
NAME-instances.png: a 16-bit label image of the objects (borders thinned, touching objects split and
small objects removed as calibrated on the validation data; --min-size overrides the smallest size).

${ENGINE_HELP}`;

export const EVALUATE_HELP = `Usage: tfjs-unet evaluate --model DIR|FILE.onnx|PACKAGE|NAME --images DIR --masks DIR [--tta|--no-tta] [--tile N] [--json]
                          [--mask-type T] [--mask-colors C] [--engine auto|tfjs|onnx] [--backend B] [--threads N]

Predicts every image and prints, per image and their mean, at the model's calibrated threshold (or
--threshold): the ISBI 2012 challenge's Rand and information errors (1 - V_rand, 1 - V_info after
border thinning), pixel error, average precision of the objects at IoU 0.5 and 0.75, panoptic
quality, object counts, IoU and Dice (mean over classes; fgDice: the foreground's), and skimage's
adapted Rand error (no thinning); then the best Rand, information and pixel errors over the
thresholds 0.1..0.9 (as the challenge reports them). Instance label masks are scored object by
object: the predicted objects are matched to their ids (one-to-one at IoU 0.5 and 0.75).

${MASK_HELP}

${ENGINE_HELP}`;

const ENGINES = ['auto', 'tfjs', 'onnx'] as const;

/** onnxruntime-node for a model directory: required with --engine onnx; with auto, when installed and no --backend is asked for. */
async function runtimeFor(engine: (typeof ENGINES)[number], values: Record<string, unknown>) {
  if (engine === 'tfjs' || (engine === 'auto' && values.backend !== undefined)) return undefined;
  if (engine === 'onnx') return importOnnxRuntime('--engine onnx');
  try {
    return await importOnnxRuntime();
  } catch {
    return undefined;
  }
}

/** The predictor the options ask for; the caller disposes it. */
async function openPredictor(values: Record<string, unknown>): Promise<OwnedTilePredictor> {
  const path = await modelPath(required(values, 'model'), 'model');
  const engine = choice(values, 'engine', ENGINES, 'auto');
  const threads = values.threads === undefined ? undefined : integer(values, 'threads', 1);
  const isFile = await stat(path).then((st) => st.isFile(), () => false);
  if (!path.endsWith('.onnx') && (await isBioimageioPackage(path))) {
    if (engine === 'tfjs') throw new UsageError('--engine tfjs needs a model directory (from tfjs-unet train); a bioimage.io package runs its ONNX weights with --engine onnx');
    return (await loadBioimageioModel(path, threads === undefined ? {} : { threads })).predictor;
  }
  if (path.endsWith('.onnx') || (engine === 'onnx' && isFile)) {
    if (engine === 'tfjs') throw new UsageError('--engine tfjs needs a model directory (from tfjs-unet train); a .onnx file runs with --engine onnx');
    return loadOnnxPredictor(path, threads === undefined ? {} : { threads });
  }
  const ort = await runtimeFor(engine, values);
  await selectBackend(values);
  const { model, spec } = await loadModel(modelDirectory(path));
  if (ort !== undefined) {
    // The model directory exported on the fly and run by ONNX Runtime.
    const info = modelInfoOf(model);
    const bytes = toOnnx(model, spec);
    model.dispose();
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: threads ?? availableParallelism() });
    return onnxPredictor(session, ort.Tensor, { spec, layout: 'NHWC', info });
  }
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
  'no-tta': { type: 'boolean' },
  tile: { type: 'string' },
  batch: { type: 'string' },
  threshold: { type: 'string' },
} as const;

/** Test-time augmentation: --tta (all 8), --no-tta (none), else the model's. */
function ttaOf(values: Record<string, unknown>): { tta?: boolean } {
  if (values.tta === true && values['no-tta'] === true) throw new UsageError('--tta and --no-tta contradict each other: give one');
  return values.tta === true ? { tta: true } : values['no-tta'] === true ? { tta: false } : {};
}

/** The decision threshold: --threshold, else the model's calibrated one, else 0.5. */
function thresholdOf(predictor: TilePredictor, values: Record<string, unknown>): number {
  if (values.threshold === undefined) return predictor.info?.threshold ?? 0.5;
  const t = Number(values.threshold);
  if (!(t >= 0 && t < 1)) throw new UsageError(`--threshold must be a number in [0, 1), got ${String(values.threshold)}`);
  return t;
}

async function predictOne(predictor: TilePredictor, image: ImageArray, values: Record<string, unknown>) {
  const { probabilities, labels } = await predictTiled(predictor, image as ImageArray<Uint8Array>, {
    ...ttaOf(values),
    batchSize: integer(values, 'batch', 1),
    ...(values.tile === undefined ? {} : { inputSize: integer(values, 'tile', 0) }),
  });
  const classes = probabilities.shape[2]!;
  const all = (await probabilities.data()) as Float32Array;
  tf.dispose([probabilities, labels]);
  const { foreground, predicted } = decideClasses(all, classes, thresholdOf(predictor, values));
  // Binary models: the foreground probability; more classes: the winning class's.
  const probability = classes === 2 ? foreground : Float32Array.from({ length: foreground.length }, (_, i) => Math.max(...all.subarray(i * classes, (i + 1) * classes)));
  return { predicted, probability, foreground, all, classes };
}

export async function predictCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, out: { type: 'string' }, instances: { type: 'boolean' }, 'min-size': { type: 'string' } });
  if (values.help === true) return print(PREDICT_HELP), 0;
  const files = await listImages(required(values, 'images'), 'images');
  if (files.length === 0) throw new ArgumentError('images', `must hold PNG, JPEG or TIFF images (${IMAGE_EXTENSIONS.join(' ')}), and this folder has none`, values.images);
  const out = required(values, 'out');
  const predictor = await openPredictor(values);
  await mkdir(out, { recursive: true });
  try {
    for (const file of files) {
      const image = await readImage(file, { argument: 'images' });
      const started = performance.now();
      const { predicted, probability, foreground, classes } = await predictOne(predictor, image, values);
      const name = basename(file, extname(file));
      await writeImage(join(out, `${name}-mask.png`), maskImage(predicted, image.width, image.height, classes));
      await writeImage(join(out, `${name}-probability.png`), { data: probability, width: image.width, height: image.height });
      await writeImage(join(out, `${name}-overlay.png`), overlay(image, predicted));
      let objects = '';
      if (values.instances === true) {
        const settings = { ...predictor.info?.instances, ...(values['min-size'] === undefined ? {} : { minSize: integer(values, 'min-size', 0, 0) }) };
        const { labels, count } = labelInstances(foreground, image.width, image.height, { ...settings, threshold: thresholdOf(predictor, values) });
        if (count > 65535) throw new ArgumentError('instances', 'must fit a 16-bit label image (at most 65535 objects)', `${count} objects in ${file}`);
        await writeImage(join(out, `${name}-instances.png`), { data: Uint16Array.from(labels), width: image.width, height: image.height });
        objects = `, ${count} objects`;
      }
      print(`${basename(file)}: ${image.width}x${image.height} in ${((performance.now() - started) / 1000).toFixed(2)} s${objects} -> ${join(out, name)}-{mask,probability,overlay${values.instances === true ? ',instances' : ''}}.png`);
    }
  } finally {
    await predictor.dispose();
  }
  return 0;
}

export async function evaluateCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, masks: { type: 'string' }, json: { type: 'boolean' }, ...MASK_FLAGS });
  if (values.help === true) return print(EVALUATE_HELP), 0;
  const data = await loadData(values, maskOptions(values));
  const predictor = await openPredictor(values);
  const scored: ScoredImage[] = [];
  let threshold = 0.5;
  try {
    threshold = thresholdOf(predictor, values);
    for (let i = 0; i < data.images.length; i++) {
      const { all } = await predictOne(predictor, data.images[i]!, values);
      const instances = data.instances?.[i];
      scored.push({ probabilities: all, truth: data.masks[i]!, ...(instances === undefined ? {} : { instances }) });
    }
  } finally {
    await predictor.dispose();
  }
  // Objects as calibrated; a model without calibration: objects on a background for instance masks, tessellations otherwise.
  const instances = predictor.info?.instances ?? { thin: data.maskType !== 'instances' };
  const report = evaluateSegmentation(scored, { threshold, instances });
  if (values.json === true) {
    print(JSON.stringify({ threshold, masks: { type: data.maskType, reason: data.maskReason }, images: report.images.map((r, i) => ({ image: data.names[i]!, ...r })), mean: report.mean, best: report.best, sweep: report.sweep }, null, 2));
    return 0;
  }
  const row = (image: string, r: ImageScores) => ({
    image,
    randError: r.randError,
    infoError: r.infoError,
    pixelError: r.pixelError,
    ap50: r.ap50,
    ap75: r.ap75,
    pq: r.panopticQuality,
    objects: `${r.predictedObjects}/${r.trueObjects}`,
    iou: r.iou,
    dice: r.dice,
    fgDice: r.foregroundDice,
    skimageRand: r.skimageRandError,
  });
  print(`${data.images.length} images, ${describeMasks(data)}`);
  print(`at threshold ${threshold} (Rand and information errors: ISBI 2012 challenge protocol, borders thinned):`);
  print(table([...report.images.map((r, i) => row(data.names[i]!, r)), row('mean', { ...report.mean, predictedObjects: Math.round(report.mean.predictedObjects), trueObjects: Math.round(report.mean.trueObjects) })]));
  const b = report.best;
  print(`best over thresholds 0.1..0.9: Rand error ${b.randError.value.toFixed(4)} (t = ${b.randError.threshold}), information error ${b.infoError.value.toFixed(4)} (t = ${b.infoError.threshold}), pixel error ${b.pixelError.value.toFixed(4)} (t = ${b.pixelError.threshold})`);
  return 0;
}
