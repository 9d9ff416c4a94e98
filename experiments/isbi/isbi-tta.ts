/**
 * `npm run bench:isbi-tta`: test-time augmentation on the models bench:isbi trained. Every planned
 * run's saved model in experiments/isbi/isbi-runs (`plan*`) predicts slices 16-19 averaged over 1 (none), 2, 4
 * and 8 flips/rotations, on the wasm backend as bench:isbi scores, and is scored under the ISBI 2012
 * challenge protocol (best over thresholds, as the challenge reports it). Results accumulate in
 * experiments/isbi/isbi-tta-results.json (models already scored are skipped); `npm run bench:isbi -- --report`
 * puts them in docs/results-isbi.md. A script, not a test, not run in CI.
 *
 *   npm run bench:isbi-tta -- [--data DIR] [--runs experiments/isbi/isbi-runs] [--match REGEX]
 *
 * `--match` scores only the runs whose folder name matches, e.g. `--match '^plan-(10|30|60)min'`.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSegmentation, loadModel, useBackend } from '../../src/node/index.js';
import { predictSlices, readSlices, testSlicesOf } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, runs: { type: 'string', default: join('experiments', 'isbi', 'isbi-runs') }, match: { type: 'string' } } });
const match = new RegExp(values.match ?? '');
const data = values.data ?? isbiDirectory();
if (data === undefined) {
  console.log('ISBI data not found (../shared/data/isbi2012-em/train): pass --data DIR');
  process.exit(0);
}

/** One model scored at one test-time augmentation. */
export interface TtaRow {
  readonly run: string;
  readonly tta: number;
  readonly randError: number;
  readonly infoError: number;
  readonly pixelError: number;
  /** Seconds to predict the 4 slices. */
  readonly seconds: number;
}

const resultsFile = join('experiments', 'isbi', 'isbi-tta-results.json');
const rows: TtaRow[] = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { rows: TtaRow[] }).rows : [];
await useBackend('wasm');
tf.env().set('IS_TEST', false);
const runs = existsSync(values.runs) ? readdirSync(values.runs).filter((name) => name.startsWith('plan') && existsSync(join(values.runs, name, 'run', 'model')) && match.test(name)) : [];
for (const run of runs.sort()) {
  if (rows.some((r) => r.run === run)) continue;
  const { model, spec } = await loadModel(join(values.runs, run, 'run', 'model'));
  const slices = await readSlices(data, testSlicesOf(run));
  for (const tta of [1, 2, 4, 8]) {
    const began = performance.now();
    const scored = await predictSlices(model, spec, slices, tta);
    const seconds = (performance.now() - began) / 1000;
    const { best } = evaluateSegmentation(scored);
    const row = { run, tta, randError: +best.randError.value.toFixed(4), infoError: +best.infoError.value.toFixed(4), pixelError: +best.pixelError.value.toFixed(4), seconds: +seconds.toFixed(1) };
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  model.dispose();
  writeFileSync(`${resultsFile}.tmp`, `${JSON.stringify({ rows }, null, 1)}\n`);
  renameSync(`${resultsFile}.tmp`, resultsFile);
}
console.log(`${rows.length} rows in ${resultsFile}`);
