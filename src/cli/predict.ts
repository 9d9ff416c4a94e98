/** `tfjs-unet predict` and `tfjs-unet evaluate`. */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BACKENDS } from '../backend/use.js';
import { ArgumentError } from '../core/errors.js';
import { evaluateSegmentation, type ImageScores, type ScoredImage } from '../metrics/report.js';
import { IMAGE_EXTENSIONS, listImages } from '../node/images.js';
import { DEFAULT_QUEUE_NAME, predictOnQueue } from '../node/queue.js';
import { modelPath } from '../node/ready-made.js';
import { decisionThreshold } from '../infer/predictor.js';
import { openPredictor, PREDICT_ENGINES, predictImage, predictImageFile, type PredictFileOptions, type PredictorOptions } from '../node/predict-files.js';
import { choice, integer, parse, required, UsageError } from './args.js';
import { describeMasks, loadData, MASK_FLAGS, MASK_HELP, maskOptions } from './data.js';
import { table } from './render.js';

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
                         [--stream|--no-stream] [--queue redis://HOST:PORT [--queue-name NAME] [--block-rows N]]

Overlap-tile prediction of every image, normalised as in training: writes NAME-mask.png (classes
spread over 0..255, decided at the model's calibrated threshold or --threshold),
NAME-probability.png (foreground probability, or the winning class's for more classes) and
NAME-overlay.png (the mask's contour in red over the image). With --instances also
NAME-instances.png: a 16-bit label image of the objects (borders thinned, touching objects split and
small objects removed as calibrated on the validation data; --min-size overrides the smallest size).

Large images: a TIFF of more than 2^25 pixels (about 5800 x 5800; --stream: any image, --no-stream:
never) and an OME-Zarr folder (NAME.zarr, NAME.ome.zarr; NGFF 0.4/0.5, full resolution) are read and predicted a band of rows at a time, in memory bounded by its width, and written
as tiled BigTIFFs NAME-mask.tif, NAME-probability.tif (and NAME-instances.tif), without an overlay.
Objects cut by a band border keep one label (see docs/scale.md).

On a job queue: --queue redis://HOST:PORT puts one job per image on a Redis queue (BullMQ) and waits
while 'tfjs-unet worker --queue redis://HOST:PORT' processes (any number, on machines that see the
same paths) run them; a job is retried when its worker dies, a file that does not decode fails at
once. A large image (as above) is shared out in blocks of --block-rows rows (default 2048), which
any workers predict, and one more job writes its outputs, the same files one worker would write.
Exits when every image has finished, 1 naming the images that failed. --queue-name NAME: the queue
(default tfjs-unet). --threads is the workers' to choose ('tfjs-unet worker --threads').

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

/** --model, --engine, --backend, --threads as {@link PredictorOptions}. */
export function predictorOptions(values: Record<string, unknown>): PredictorOptions {
  return {
    model: required(values, 'model'),
    engine: choice(values, 'engine', PREDICT_ENGINES, 'auto'),
    ...(values.backend === undefined ? {} : { backend: choice(values, 'backend', BACKENDS, 'wasm') }),
    ...(values.threads === undefined ? {} : { threads: integer(values, 'threads', 1) }),
  };
}

/** --tta/--no-tta, --tile, --batch, --threshold, --instances, --min-size as {@link PredictFileOptions}. */
export function predictFileOptions(values: Record<string, unknown>): PredictFileOptions {
  if (values.tta === true && values['no-tta'] === true) throw new UsageError('--tta and --no-tta contradict each other: give one');
  if (values.stream === true && values['no-stream'] === true) throw new UsageError('--stream and --no-stream contradict each other: give one');
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (!(threshold >= 0 && threshold < 1)) throw new UsageError(`--threshold must be a number in [0, 1), got ${String(values.threshold)}`);
  }
  return {
    ...(values.tta === true ? { tta: true } : values['no-tta'] === true ? { tta: false } : {}),
    batch: integer(values, 'batch', 1),
    ...(values.tile === undefined ? {} : { tile: integer(values, 'tile', 0) }),
    ...(threshold === undefined ? {} : { threshold }),
    ...(values.instances === true ? { instances: true } : {}),
    ...(values['min-size'] === undefined ? {} : { minSize: integer(values, 'min-size', 0, 0) }),
    ...(values.stream === true ? { stream: true } : values['no-stream'] === true ? { stream: false } : {}),
  };
}

/** The predictor the options ask for; a bad combination of engine and model is a usage error. */
async function openPredictorFor(values: Record<string, unknown>) {
  try {
    return await openPredictor(predictorOptions(values));
  } catch (error) {
    if (error instanceof ArgumentError && error.argument === 'engine') throw new UsageError(`--engine ${error.rule}, got ${String(error.received)}`);
    throw error;
  }
}

export async function predictCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, out: { type: 'string' }, instances: { type: 'boolean' }, 'min-size': { type: 'string' }, stream: { type: 'boolean' }, 'no-stream': { type: 'boolean' }, queue: { type: 'string' }, 'queue-name': { type: 'string' }, 'block-rows': { type: 'string' } });
  if (values.help === true) return print(PREDICT_HELP), 0;
  const files = await listImages(required(values, 'images'), 'images', { zarr: true });
  if (files.length === 0) throw new ArgumentError('images', `must hold PNG, JPEG or TIFF images (${IMAGE_EXTENSIONS.join(' ')}) or OME-Zarr folders (.zarr), and this folder has none`, values.images);
  const out = required(values, 'out');
  const options = predictFileOptions(values);
  if (typeof values.queue === 'string') return predictQueued(values.queue, files, out, values, options, print);
  const predictor = await openPredictorFor(values);
  await mkdir(out, { recursive: true });
  try {
    for (const file of files) {
      const done = await predictImageFile(predictor, file, out, options);
      const name = join(out, basename(file, extname(file)));
      const objects = done.objects === undefined ? '' : `, ${done.objects} objects`;
      const kinds = done.files.map((f) => f.slice(name.length + 1, f.lastIndexOf('.')));
      print(`${basename(file)}: ${done.width}x${done.height} in ${done.seconds.toFixed(2)} s${objects} -> ${name}-{${kinds.join(',')}}${extname(done.files[0]!)}`);
    }
  } finally {
    await predictor.dispose();
  }
  return 0;
}

const images = (n: number) => `${n} image${n === 1 ? '' : 's'}`;

/** predict --queue: one job per image on the Redis queue, progress as they finish; exit 1 naming the images that failed. */
async function predictQueued(queue: string, files: readonly string[], out: string, values: Record<string, unknown>, options: PredictFileOptions, print: (line: string) => void): Promise<number> {
  const predictor = predictorOptions(values);
  await modelPath(predictor.model, 'model');
  const name = typeof values['queue-name'] === 'string' ? values['queue-name'] : undefined;
  const started = performance.now();
  const blockRows = integer(values, 'block-rows', undefined);
  const run = await predictOnQueue(files, out, {
    queue,
    ...(name === undefined ? {} : { name }),
    ...(blockRows === undefined ? {} : { blockRows }),
    predictor,
    files: options,
    onEvent: (event) => {
      if (event.kind === 'queued') print(`${images(event.total)}${event.blocks > 0 ? ` (large ones in ${event.blocks} blocks of rows)` : ''} on ${queue} (queue ${name ?? DEFAULT_QUEUE_NAME}): waiting for workers ('tfjs-unet worker --queue ${queue}')`);
      else if (event.kind === 'block') print(`${basename(event.image)}: block ${event.done}/${event.blocks} done`);
      else if (event.kind === 'done') print(`[${event.finished}/${event.total}] ${basename(event.image)}: ${event.result.width}x${event.result.height} in ${event.result.seconds.toFixed(2)} s${event.result.objects === undefined ? '' : `, ${event.result.objects} objects`}`);
      else print(`[${event.finished}/${event.total}] ${basename(event.image)}: failed: ${event.error}`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.failed.length === 0) {
    print(`${images(run.done.length)} in ${seconds} s -> ${out}`);
    return 0;
  }
  print(`${images(run.done.length)} done, ${run.failed.length} failed in ${seconds} s: ${run.failed.map((f) => f.image).join(', ')}`);
  return 1;
}

export async function evaluateCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...PREDICTOR_OPTIONS, images: { type: 'string' }, masks: { type: 'string' }, json: { type: 'boolean' }, ...MASK_FLAGS });
  if (values.help === true) return print(EVALUATE_HELP), 0;
  const data = await loadData(values, maskOptions(values));
  const options = predictFileOptions(values);
  const predictor = await openPredictorFor(values);
  const scored: ScoredImage[] = [];
  let threshold = 0.5;
  try {
    threshold = decisionThreshold(predictor, options.threshold);
    for (let i = 0; i < data.images.length; i++) {
      const { all } = await predictImage(predictor, data.images[i]!, options);
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
