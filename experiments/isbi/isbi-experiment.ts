/**
 * One ISBI 2012 training experiment with every choice a flag: trains on slices 00-15 with the
 * library's `train` (a time budget or a step count, final weights, no validation) and scores slices
 * 16-19 under the challenge protocol, without and with 8-fold test-time augmentation. Prints one
 * JSON line per scoring. The evidence behind the planner's rules comes from runs of this script
 * (commands in the session notes and docs/results-isbi.md).
 *
 *   npx tsx experiments/isbi/isbi-experiment.ts [--minutes 10 | --steps N] [--depth 4] [--base 16] [--padding same]
 *     [--batch-norm] [--tile 256] [--batch 1] [--dropout 0.2] [--weights border|borderUnbalanced|none]
 *     [--optimizer adam] [--lr 0.001] [--schedule constant|poly|cosine] [--normalization scale|zscore]
 *     [--loss crossEntropy|diceCrossEntropy|focal] [--augment 0..1 | --paper-augmentation] [--elastic]
 *     [--seed 1] [--data DIR]
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  augmentationFor,
  buildModel,
  evaluateSegmentation,
  PAPER_AUGMENTATION,
  predictTiled,
  readImage,
  readMask,
  train,
  unet,
  useBackend,
  type Depth,
  type LossPreset,
  type ScoredImage,
} from '../../src/node/index.js';
import { isbiDirectory } from '../../bench/util.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    steps: { type: 'string' },
    depth: { type: 'string', default: '4' },
    base: { type: 'string', default: '16' },
    padding: { type: 'string', default: 'same' },
    'batch-norm': { type: 'boolean', default: false },
    tile: { type: 'string', default: '256' },
    batch: { type: 'string', default: '1' },
    dropout: { type: 'string', default: '0.2' },
    weights: { type: 'string', default: 'border' },
    optimizer: { type: 'string', default: 'adam' },
    lr: { type: 'string', default: '0.001' },
    schedule: { type: 'string', default: 'constant' },
    normalization: { type: 'string', default: 'scale' },
    loss: { type: 'string', default: 'crossEntropy' },
    augment: { type: 'string', default: '1' },
    'paper-augmentation': { type: 'boolean', default: false },
    elastic: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    data: { type: 'string' },
  },
});
const data = values.data ?? isbiDirectory();
if (data === undefined) {
  console.log('ISBI data not found (../shared/data/isbi2012-em/train): pass --data DIR');
  process.exit(0);
}
await useBackend('wasm');
tf.env().set('IS_TEST', false);
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i).padStart(2, '0'));
const load = async (slice: string[]) => ({
  images: await Promise.all(slice.map((id) => readImage(join(data, 'images', `${id}.png`)))),
  labels: await Promise.all(slice.map(async (id) => (await readMask(join(data, 'labels', `${id}.png`))).mask)),
});
const trainSet = await load(ids(0, 16));
const testSet = await load(ids(16, 20));
const spec = unet({
  depth: Number(values.depth) as Depth,
  baseFilters: Number(values.base),
  padding: values.padding as 'valid' | 'same',
  batchNorm: values['batch-norm'],
  dropout: Number(values.dropout),
});
const tile = Number(values.tile);
const model = buildModel(spec, { inputSize: tile, seed: Number(values.seed) });
const result = await train(model, { ...trainSet, weights: values.weights as 'border' | 'borderUnbalanced' | 'none' }, {
  ...(values.steps === undefined ? { budget: { minutes: Number(values.minutes) } } : { steps: Number(values.steps) }),
  batchSize: Number(values.batch),
  optimizer: values.optimizer as 'adam' | 'nesterov' | 'sgd',
  learningRate: Number(values.lr),
  schedule: { kind: values.schedule as 'constant' | 'poly' | 'cosine', warmup: values.schedule === 'constant' ? 0 : 0.02 },
  normalization: { kind: values.normalization as 'scale' | 'zscore' },
  loss: values.loss as LossPreset,
  augmentation: values['paper-augmentation'] ? PAPER_AUGMENTATION : augmentationFor(Number(values.augment), { elastic: values.elastic }),
  seed: Number(values.seed),
});
const round = (x: number) => +x.toFixed(4);
for (const tta of [false, true]) {
  const scored: ScoredImage[] = [];
  for (let i = 0; i < testSet.images.length; i++) {
    const { probabilities, labels } = await predictTiled(model, testSet.images[i]!, { spec, tta });
    scored.push({ probabilities: await probabilities.data(), truth: testSet.labels[i]! });
    tf.dispose([probabilities, labels]);
  }
  const report = evaluateSegmentation(scored);
  console.log(
    JSON.stringify({
      options: values,
      tta,
      steps: result.steps,
      seconds: round(result.seconds),
      randError: [round(report.best.randError.value), report.best.randError.threshold],
      infoError: [round(report.best.infoError.value), report.best.infoError.threshold],
      pixelError: [round(report.best.pixelError.value), report.best.pixelError.threshold],
      sweep: report.sweep.map((row) => [row.threshold, round(row.randError), round(row.pixelError)]),
    }),
  );
}
model.dispose();
