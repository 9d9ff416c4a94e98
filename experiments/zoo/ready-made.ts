/**
 * The ready-made models of `tfjs-unet-models` (the `models/` folder): each trained by the CLI's
 * default plan on a benchmark dataset's training images, scored on its test images (which it never
 * saw), and exported as a bioimage.io package `models/NAME.zip` whose README gives the command and
 * the scores; `models/index.json` lists them for `tfjs-unet models` and `--model NAME`.
 *
 *   npm run build && npx tsx experiments/zoo/ready-made.ts --dataset em-membranes --minutes 20 [--seed 1] [--reuse]
 *
 * `--reuse` packages the run trained before (in experiments/benchmark/work/ready-made/NAME) again,
 * e.g. after its description changed, without training.
 * Runs must run alone on the machine (the budget decides how many steps train).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportBioimageio, loadModel, readImage, type ReadyMadeModel } from '../../src/node/index.js';
import { DATASETS, prepared, WORK } from '../benchmark/datasets.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MODELS = join(ROOT, 'models');

/** What each ready-made model is, beyond what training decides. */
const CARDS: Record<string, { title: string; description: string; data: string; license: string; tags: string[]; scores: (e: Evaluation) => Record<string, number> }> = {
  'em-membranes': {
    title: 'EM neuronal membranes U-Net (ISBI 2012)',
    description: 'Neuronal membranes in serial-section TEM (8-bit grey): the foreground is the cells, the background their membranes, as in the ISBI 2012 labels.',
    data:
      'ISBI 2012 EM segmentation challenge training stack (Cardona et al. 2010, PLoS Biol 8(10): e1000502; Arganda-Carreras et al. 2015, doi:10.3389/fnana.2015.00142). Its terms allow use for non-commercial image segmentation software, citing those papers: these weights are CC-BY-NC-4.0.',
    license: 'CC-BY-NC-4.0',
    tags: ['unet', 'segmentation', 'electron-microscopy', 'membranes', 'neurons', 'tfjs-unet'],
    scores: (e) => ({ 'rand error': e.best.randError.value, 'information error': e.best.infoError.value, 'pixel error': e.best.pixelError.value }),
  },
  'he-nuclei': {
    title: 'H&E nuclei U-Net (MICCAI 2015)',
    description: 'Nuclei in H&E-stained tissue (RGB, 20x and 40x), with instances split at touching borders.',
    data:
      'MICCAI 2015 digital pathology segmentation challenge training set (15 tiles cut from TCGA whole-slide images, every nucleus hand-segmented). The annotations carry no stated licence; these weights are CC-BY-NC-4.0 (research use), citing the challenge and TCGA.',
    license: 'CC-BY-NC-4.0',
    tags: ['unet', 'segmentation', 'nuclei', 'histology', 'h-and-e', 'instance-segmentation', 'tfjs-unet'],
    scores: (e) => ({ 'AP@0.5': e.mean.ap50, 'AP@0.75': e.mean.ap75, PQ: e.mean.panopticQuality, Dice: e.mean.foregroundDice }),
  },
};

interface Evaluation {
  readonly mean: { ap50: number; ap75: number; panopticQuality: number; foregroundDice: number };
  readonly best: { randError: { value: number }; infoError: { value: number }; pixelError: { value: number } };
}

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    minutes: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    cli: { type: 'string', default: join(ROOT, 'dist', 'cli.js') },
    commit: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
const name = values.dataset ?? '';
const card = CARDS[name];
const definition = DATASETS.find((d) => d.name === name);
if (card === undefined || definition === undefined) throw new Error(`--dataset must be one of ${Object.keys(CARDS).join(', ')}; received ${name}`);
const data = await prepared(definition);
if (data === undefined) throw new Error(`${definition.source} is not in the shared data`);
// The build that trained it: --commit, else the one a reused run recorded, else HEAD.
const recorded = join(WORK, 'ready-made', name, 'commit.txt');
const commit = values.commit ?? (values.reuse && existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : undefined) ?? execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const out = join(WORK, 'ready-made', name);
if (!values.reuse) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}

function cli(args: string[], log: string): string {
  const run = spawnSync(process.execPath, [values.cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TFJS_UNET_CACHE: join(out, 'step-time-cache') } });
  writeFileSync(log, `${run.stdout}\n${run.stderr}`);
  if (run.status !== 0) throw new Error(`tfjs-unet ${args[0]} failed (${run.status}); see ${log}`);
  return run.stdout;
}

// The command as a user types it on the dataset's folders.
const train = ['train', '--images', 'train/images', '--masks', 'train/masks', '--out', 'run', '--minutes', values.minutes, '--seed', values.seed];
if (!values.reuse) cli(['train', '--images', join(data, 'train', 'images'), '--masks', join(data, 'train', 'masks'), '--out', out, '--minutes', values.minutes, '--seed', values.seed], join(out, 'train.log'));
writeFileSync(join(out, 'commit.txt'), commit);
const evaluation = JSON.parse(cli(['evaluate', '--model', join(out, 'model'), '--images', join(data, 'test', 'images'), '--masks', join(data, 'test', 'masks'), '--json'], join(out, 'evaluate.log'))) as Evaluation;
const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { steps: number };
const scores = card.scores(evaluation);
const tests = readdirSync(join(data, 'test', 'images')).sort();
const trains = readdirSync(join(data, 'train', 'images')).sort();

const readme = [
  '## How it was trained',
  '',
  `Data: ${card.data}`,
  '',
  `Trained on ${trains.length} images (${trains.join(', ')}) with tfjs-unet's default plan for a ${values.minutes}-minute budget on a 2-core CPU (${metrics.steps} steps; tfjs-unet commit ${commit}):`,
  '',
  '```sh',
  `tfjs-unet ${train.join(' ')}`,
  '```',
  '',
  `Scores on ${tests.length} held-out images of the same data (${tests.join(', ')}), from \`tfjs-unet evaluate --model run/model --images test/images --masks test/masks\`:`,
  '',
  '| metric | value |',
  '|---|---|',
  ...Object.entries(scores).map(([k, v]) => `| ${k} | ${v.toFixed(4)} |`),
  '',
  'Reproduce: `npx tsx experiments/zoo/ready-made.ts --dataset ' + name + ' --minutes ' + values.minutes + '` in the tfjs-unet repository.',
].join('\n');

const { model } = await loadModel(join(out, 'model'));
const sample = await readImage(join(data, 'test', 'images', tests[0]!));
const file = `${name}.zip`;
await exportBioimageio(model, undefined, {
  path: join(MODELS, file),
  name: card.title,
  description: card.description,
  authors: [{ name: 'tfjs-unet contributors' }],
  sample,
  license: card.license,
  tags: card.tags,
  readme,
});
model.dispose();

// The index `tfjs-unet models` and `--model NAME` read.
const indexPath = join(MODELS, 'index.json');
const index = existsSync(indexPath) ? (JSON.parse(readFileSync(indexPath, 'utf8')) as { models: ReadyMadeModel[] }) : { models: [] };
const entry: ReadyMadeModel = { name, file, description: card.description, data: card.data, license: card.license, command: `tfjs-unet ${train.join(' ')}`, scores };
const models = [...index.models.filter((m) => m.name !== name), entry].sort((a, b) => a.name.localeCompare(b.name));
writeFileSync(`${indexPath}.tmp`, `${JSON.stringify({ models }, null, 2)}\n`);
renameSync(`${indexPath}.tmp`, indexPath);
console.log(JSON.stringify({ name, steps: metrics.steps, scores }));
