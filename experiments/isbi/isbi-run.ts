/**
 * One run of `npm run bench:isbi` (its own process: wasm memory never shrinks): trains on ISBI
 * 2012 slices 00-15 and scores slices 16-19 under the challenge protocol; prints one JSON line.
 * `--fold K` (1-5) scores slices 4(K-1)..4K-1 and trains on the other 16 instead (5: the standard split).
 *
 *   npx tsx experiments/isbi/isbi-run.ts --config plan|paper|... --minutes N --seed S --out DIR [--fold 5] [--data DIR]
 *
 * `plan` runs the CLI exactly as a user would (`tfjs-unet train --images --masks --out --minutes N
 * --seed S`, every other choice the plan's, deep supervision included); `plan-nods` adds
 * `--no-deep-supervision` (the default before 2026-11-28); without deep supervision too, `plan-tfjs`
 * adds `--engine tfjs` (the default without onnxruntime-node), `plan-base32` `--base-filters 32`
 * (what the plan chose with the onnx engine while its step bound was 1500), `plan-resenc`
 * `--architecture resenc-unet`, `plan-ema` `--ema 0.999`; `plan-attention` adds `--architecture
 * attention-unet` to the default, `plan-wide` `--base-filters 32`: what the default chose at 60 minutes
 * while MIN_STEPS was 3000) on a folder holding links to slices 00-15, then
 * predicts 16-19 with the saved model (its normalisation and calibrated threshold). The fixed
 * configurations are the earlier ablation's: valid depth 4, 16 base filters, 316 px tiles, batch 1,
 * Adam 1e-3, +- the border weight map, +- elastic deformation, trained for N minutes with the last
 * weights kept.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../../src/cli/main.js';
import {
  buildModel,
  evaluateSegmentation,
  loadModel,
  PAPER_AUGMENTATION,
  saveModel,
  train,
  unet,
  useBackend,
  type AugmentOp,
  type EvaluationReport,
  type ScoredImage,
} from '../../src/node/index.js';
import { FIXED_CONFIGS } from './isbi-configs.js';
import { foldSplit, predictSlices, readSlices, STANDARD_FOLD, twoClass } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    minutes: { type: 'string' },
    seed: { type: 'string', default: '1' },
    fold: { type: 'string', default: String(STANDARD_FOLD) },
    out: { type: 'string' },
    data: { type: 'string' },
  },
});
const data = values.data ?? isbiDirectory();
if (data === undefined || values.config === undefined || values.minutes === undefined || values.out === undefined) {
  console.error('usage: --config plan|plan-nods|plan-tfjs|plan-base32|plan-resenc|plan-attention|plan-wide|plan-ema|paper|no-weights|no-elastic|neither|torch --minutes N --seed S --out DIR [--data DIR]');
  process.exit(2);
}
const minutes = Number(values.minutes);
const seed = Number(values.seed);
const fold = Number(values.fold);
const { train: trainIds, test: testIds } = foldSplit(fold);
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const started = performance.now();

if (values.config === 'torch') {
  // The PyTorch reference (experiments/isbi/torch-isbi.py), scored by the same code below.
  const { execFileSync } = await import('node:child_process');
  const printed = execFileSync(
    '/usr/bin/python3',
    [join(import.meta.dirname, 'torch-isbi.py'), '--data', data, '--out', join(out, 'torch'), '--minutes', String(minutes), '--seed', String(seed), '--fold', String(fold)],
    { encoding: 'utf8' },
  );
  const run = JSON.parse(printed.trim().split('\n').at(-1)!) as { steps: number };
  const scored: ScoredImage[] = [];
  for (const [i, { truth }] of (await readSlices(data, testIds)).entries()) {
    const bytes = readFileSync(join(out, 'torch', `${Number(testIds[i])}.f32`));
    scored.push({ probabilities: twoClass(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)), truth });
  }
  printResult(run.steps, {}, 'pytorch', evaluateSegmentation(scored));
  process.exit(0);
}

/**
 * The CLI flags of each planned configuration beside the plan's own choices. The variants measured
 * before deep supervision became the plan's default keep it off, so their seeds stay comparable with
 * each other and with `plan-nods`.
 */
const PLAN_FLAGS: Record<string, readonly string[]> = {
  plan: [],
  'plan-nods': ['--no-deep-supervision'],
  'plan-tfjs': ['--no-deep-supervision', '--engine', 'tfjs'],
  'plan-base32': ['--no-deep-supervision', '--base-filters', '32'],
  'plan-resenc': ['--no-deep-supervision', '--architecture', 'resenc-unet'],
  'plan-attention': ['--architecture', 'attention-unet'],
  'plan-wide': ['--base-filters', '32'],
  'plan-ema': ['--no-deep-supervision', '--ema', '0.999'],
};

if (PLAN_FLAGS[values.config] !== undefined) {
  // The user's view: a folder of images and masks, one command.
  const folder = join(out, 'train-data');
  for (const kind of ['images', 'labels']) {
    mkdirSync(join(folder, kind), { recursive: true });
    for (const id of trainIds) {
      try {
        symlinkSync(resolve(data, kind, `${id}.png`), join(folder, kind, `${id}.png`));
      } catch {
        // already linked by an earlier attempt
      }
    }
  }
  const lines: string[] = [];
  const code = await main(['train', '--images', join(folder, 'images'), '--masks', join(folder, 'labels'), '--out', join(out, 'run'), '--minutes', String(minutes), '--seed', String(seed), ...PLAN_FLAGS[values.config]!], (l) => lines.push(l), (l) => lines.push(l));
  writeFileSync(join(out, 'train.log'), `${lines.join('\n')}\n`);
  if (code !== 0) throw new Error(`tfjs-unet train exited ${code}: ${lines.slice(-3).join(' | ')}`);
} else {
  const config = FIXED_CONFIGS[values.config as keyof typeof FIXED_CONFIGS];
  if (config === undefined) throw new Error(`unknown --config ${values.config}`);
  await useBackend('wasm');
  tf.env().set('IS_TEST', false);
  const trainSlices = await readSlices(data, trainIds);
  const images = trainSlices.map((s) => s.image);
  const labels = trainSlices.map((s) => s.truth);
  const spec = unet({ depth: 4, baseFilters: 16, dropout: 0.5 });
  const model = buildModel(spec, { inputSize: 316, seed });
  const augmentation: readonly AugmentOp[] = config.elastic ? PAPER_AUGMENTATION : PAPER_AUGMENTATION.filter((op) => op.kind !== 'elastic');
  const result = await train(model, { images, labels, weights: config.weights }, { budget: { minutes }, optimizer: 'adam', learningRate: 1e-3, seed, augmentation });
  await saveModel(model, spec, join(out, 'run', 'model'));
  writeFileSync(join(out, 'run', 'metrics.json'), JSON.stringify({ steps: result.steps, seconds: result.seconds }));
  model.dispose();
}

// Score the fold's test slices (16-19 in the standard fold) with the saved model, as `tfjs-unet evaluate` would.
const { model, spec, info } = await loadModel(join(out, 'run', 'model'));
const { steps, engine } = JSON.parse(readFileSync(join(out, 'run', 'metrics.json'), 'utf8')) as { steps: number; engine?: string };
const scored = await predictSlices(model, spec, await readSlices(data, testIds));
model.dispose();
printResult(steps, info, engine ?? 'tfjs', evaluateSegmentation(scored, { threshold: info.threshold ?? 0.5, ...(info.instances === undefined ? {} : { instances: info.instances }) }));

/** Prints the run's one JSON line. */
function printResult(steps: number, info: unknown, engine: string, report: EvaluationReport): void {
  const round = (x: number) => +x.toFixed(4);
  const line = {
    config: values.config,
    minutes,
    seed,
    ...(fold === STANDARD_FOLD ? {} : { fold }),
    steps,
    engine,
    wallMinutes: round((performance.now() - started) / 60_000),
    info,
    randError: round(report.best.randError.value),
    randThreshold: report.best.randError.threshold,
    infoError: round(report.best.infoError.value),
    pixelError: round(report.best.pixelError.value),
    pixelThreshold: report.best.pixelError.threshold,
    atThreshold: Object.fromEntries(Object.entries(report.mean).map(([k, v]) => [k, round(v)])),
  };
  console.log(JSON.stringify(line));
}
