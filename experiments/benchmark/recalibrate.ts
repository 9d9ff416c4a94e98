/**
 * What a change of the calibration alone does, on models already trained: for each saved run,
 * predicts the images its training held out (the same split `train` made), calibrates with the
 * current code, and scores the test images with the new settings beside the recorded ones.
 * No training, so every run's network stays as it was; appends nothing to results.json.
 *
 *   npx tsx experiments/benchmark/recalibrate.ts --runs he-nuclei/planned-3a6ef71-10min-seed1,fluo-nuclei/planned-3a6ef71-10min-seed1 [--splits]
 *
 * `--splits` also prints, for each way of forming objects (no split, distance watershed, probability
 * seeds above each of SEED_THRESHOLDS), the best validation PQ over the thresholds and the test
 * scores at that threshold: how far the calibration's choice of a split is from the simplest one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  calibrate,
  evaluateSegmentation,
  SEED_THRESHOLDS,
  holdOut,
  loadDataset,
  loadModel,
  modelInfoOf,
  onnxPredictor,
  toOnnx,
  validationReport,
  type DataKind,
  type ScoredImage,
} from '../../src/node/index.js';
import { DATASETS, WORK } from './datasets.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, splits: { type: 'boolean' } } });
if (values.runs === undefined) throw new Error('--runs DATASET/RUN[,DATASET/RUN...] is required');

for (const run of values.runs.split(',')) {
  const [dataset, name] = run.split('/') as [string, string];
  const definition = DATASETS.find((d) => d.name === dataset)!;
  const kind: DataKind = definition.kind;
  const dir = join(WORK, 'data', dataset);
  const out = join(WORK, 'runs', dataset, name);
  const { plan } = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as { plan: { validationShare: number; tile: number } };
  const train = await loadDataset({ images: join(dir, 'train', 'images'), masks: join(dir, 'train', 'masks') });
  const test = await loadDataset({ images: join(dir, 'test', 'images'), masks: join(dir, 'test', 'masks') });
  const { validation } = holdOut({ images: train.images, labels: train.masks, ...(train.instances === undefined ? {} : { instances: train.instances }) }, plan.validationShare);
  const { model, spec } = await loadModel(join(out, 'model'));
  const recorded = modelInfoOf(model);
  const session = await ort.InferenceSession.create(toOnnx(model, spec), { graphOptimizationLevel: 'all' });
  const predictor = onnxPredictor(session, ort.Tensor, { spec, layout: 'NHWC', info: recorded });
  const objects = { thin: kind === 'tissue' };
  const { scored } = await validationReport(predictor, spec, validation, { inputSize: plan.tile, instances: objects });
  const calibration = calibrate(scored, { kind });
  const { scored: tested } = await validationReport(predictor, spec, { images: test.images, labels: test.masks, ...(test.instances === undefined ? {} : { instances: test.instances }) }, { inputSize: plan.tile, instances: objects });
  await predictor.dispose();
  model.dispose();
  const score = (info: { threshold?: number; instances?: object }, images: ScoredImage[]) =>
    evaluateSegmentation(images, { threshold: info.threshold ?? 0.5, thresholds: [info.threshold ?? 0.5], instances: (info.instances ?? objects) as never }).mean;
  const before = score(recorded, tested);
  const after = score(calibration.info, tested);
  const row = (label: string, info: object, m: typeof before) =>
    `${label}: ${JSON.stringify(info)} AP50 ${m.ap50.toFixed(3)} AP75 ${m.ap75.toFixed(3)} PQ ${m.panopticQuality.toFixed(3)} Dice ${m.foregroundDice.toFixed(3)} objects ${m.predictedObjects.toFixed(0)}/${m.trueObjects.toFixed(0)}`;
  console.log(run);
  console.log(`  ${row('recorded  ', { threshold: recorded.threshold, instances: recorded.instances }, before)}`);
  console.log(`  ${row('recalibrated', calibration.info, after)}`);
  if (values.splits !== true || kind === 'tissue') continue;
  const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  for (const split of [false, true, ...SEED_THRESHOLDS.map((seedThreshold) => ({ seedThreshold }))]) {
    const pqAt = (t: number) => evaluateSegmentation(scored, { threshold: t, thresholds: [t], instances: { thin: false, split, minSize: 0 } }).mean.panopticQuality;
    const usable = thresholds.filter((t) => typeof split !== 'object' || split.seedThreshold! > t);
    const best = usable.map((t) => ({ t, pq: pqAt(t) })).reduce((a, b) => (b.pq > a.pq + 1e-12 ? b : a));
    const m = score({ threshold: best.t, instances: { thin: false, split, minSize: 0 } }, tested);
    console.log(`  split ${JSON.stringify(split)}: validation PQ ${best.pq.toFixed(3)} at ${best.t}; test AP50 ${m.ap50.toFixed(3)} PQ ${m.panopticQuality.toFixed(3)} objects ${m.predictedObjects.toFixed(0)}/${m.trueObjects.toFixed(0)}`);
  }
}
