/**
 * Scores a CLI run's saved model (the selected weights) and its checkpoint (the run's last weights,
 * and with `--ema` their moving average at the last step) on ISBI 2012 slices 16-19 (a
 * cross-validation fold's run: its fold's test slices) under the challenge protocol, to see what model selection and the averaging did on one trajectory.
 *
 *   npx tsx experiments/isbi/score-checkpoint.ts RUN_DIR [--data DIR]      (RUN_DIR holds model/ and checkpoint/)
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileCheckpoints, loadModel, useBackend } from '../../src/node/index.js';
import { readSlices, scoreSlices, testSlicesOf, useCheckpointWeights } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';

const { values, positionals } = parseArgs({ options: { data: { type: 'string' } }, allowPositionals: true });
const data = values.data ?? isbiDirectory();
const run = positionals[0];
if (data === undefined || run === undefined) {
  console.log('usage: npx tsx experiments/isbi/score-checkpoint.ts RUN_DIR [--data DIR] (and the ISBI data)');
  process.exit(run === undefined ? 2 : 0);
}
await useBackend('wasm');
tf.env().set('IS_TEST', false);
const { model, spec, info } = await loadModel(join(run, 'model'));
const slices = await readSlices(data, testSlicesOf(run));
const score = async (label: string) => {
  const best = await scoreSlices(model, spec, slices, info.threshold ?? 0.5);
  console.log(`${label}: Rand error ${best.randError.value.toFixed(4)} (t = ${best.randError.threshold}), information error ${best.infoError.value.toFixed(4)}, pixel error ${best.pixelError.value.toFixed(4)}`);
};
await score('saved model (selected weights)');
const checkpoint = await fileCheckpoints(join(run, 'checkpoint')).load();
if (checkpoint === undefined) throw new Error(`no checkpoint in ${join(run, 'checkpoint')}`);
useCheckpointWeights(model, checkpoint, 'trained');
await score(`checkpoint (last weights, step ${checkpoint.step})`);
if (checkpoint.averageWeights !== undefined) {
  useCheckpointWeights(model, checkpoint, 'average');
  await score(`checkpoint (moving average of the weights, step ${checkpoint.step})`);
}
model.dispose();
