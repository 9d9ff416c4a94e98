/**
 * Model selection against the last weights: for every saved bench:isbi run whose kept model is not
 * its last weights (validation chose an earlier step), scores both on ISBI 2012 slices 16-19 (a
 * cross-validation fold's run: its fold's test slices) under
 * the challenge protocol: the saved model (the selected weights) and the run's final checkpoint (the
 * last weights). Writes `experiments/isbi/isbi-selection-results.json`, which `npm run bench:isbi -- --report`
 * turns into a section of docs/results-isbi.md.
 *
 *   npm run bench:isbi-selection [-- --match REGEX] [--data DIR]
 *
 * Runs whose kept model is the last one are listed without scoring (nothing to compare); runs with
 * no validation (the fixed configurations, the PyTorch script) are skipped.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileCheckpoints, loadModel, useBackend } from '../../src/node/index.js';
import { readSlices, scoreSlices, testSlicesOf, useCheckpointWeights } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';

/** Challenge scores of one set of weights on slices 16-19. */
export interface SelectionScores {
  readonly randError: number;
  readonly infoError: number;
  readonly pixelError: number;
}

/** One run: the step its validation kept, and (when that is not the last) both models' scores. */
export interface SelectionRow {
  readonly run: string;
  readonly steps: number;
  readonly keptStep: number;
  readonly selected?: SelectionScores;
  readonly last?: SelectionScores;
}

export const SELECTION_FILE = join('experiments', 'isbi', 'isbi-selection-results.json');

const { values } = parseArgs({ options: { match: { type: 'string' }, data: { type: 'string' } } });
const data = values.data ?? isbiDirectory();
if (data === undefined) {
  console.log('ISBI 2012 slices not found (../shared/data/isbi2012-em/train): nothing to score');
  process.exit(0);
}
const match = new RegExp(values.match ?? '.');
const root = join('experiments', 'isbi', 'isbi-runs');
const runs = readdirSync(root)
  .filter((name) => match.test(name))
  .filter((name) => existsSync(join(root, name, 'run', 'metrics.json')))
  .sort();

await useBackend('wasm');
tf.env().set('IS_TEST', false);
const rows: SelectionRow[] = [];
for (const name of runs) {
  const dir = join(root, name, 'run');
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { steps: number; best?: { step: number } | null };
  if (metrics.best == null) continue;
  if (metrics.best.step === metrics.steps) {
    rows.push({ run: name, steps: metrics.steps, keptStep: metrics.best.step });
    console.log(`${name}: kept the last weights (step ${metrics.steps})`);
    continue;
  }
  const { model, spec, info } = await loadModel(join(dir, 'model'));
  const slices = await readSlices(data, testSlicesOf(name));
  const score = async (): Promise<SelectionScores> => {
    const best = await scoreSlices(model, spec, slices, info.threshold ?? 0.5);
    return { randError: best.randError.value, infoError: best.infoError.value, pixelError: best.pixelError.value };
  };
  const selected = await score();
  const checkpoint = await fileCheckpoints(join(dir, 'checkpoint')).load();
  if (checkpoint === undefined || checkpoint.step !== metrics.steps) {
    throw new Error(`${join(dir, 'checkpoint')} must hold the run's last weights (step ${metrics.steps}), found ${checkpoint?.step ?? 'none'}`);
  }
  // An `ema` run validates and keeps the weights' moving average: its last model is the last average.
  useCheckpointWeights(model, checkpoint, checkpoint.averageWeights === undefined ? 'trained' : 'average');
  const last = await score();
  model.dispose();
  rows.push({ run: name, steps: metrics.steps, keptStep: metrics.best.step, selected, last });
  console.log(`${name}: kept step ${metrics.best.step} of ${metrics.steps}: Rand error ${selected.randError.toFixed(4)} selected, ${last.randError.toFixed(4)} last`);
}
// Rows of runs not matched this time are kept.
const earlier = existsSync(SELECTION_FILE) ? (JSON.parse(readFileSync(SELECTION_FILE, 'utf8')) as { rows: SelectionRow[] }).rows : [];
const merged = [...earlier.filter((r) => !rows.some((n) => n.run === r.run)), ...rows].sort((a, b) => a.run.localeCompare(b.run));
writeFileSync(`${SELECTION_FILE}.tmp`, `${JSON.stringify({ rows: merged }, null, 2)}\n`);
renameSync(`${SELECTION_FILE}.tmp`, SELECTION_FILE);
console.log(`wrote ${SELECTION_FILE} (${merged.length} runs)`);
