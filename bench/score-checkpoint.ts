/**
 * Scores a CLI run's saved model (the selected weights) and its checkpoint (the run's last weights,
 * and with `--ema` their moving average at the last step) on ISBI 2012 slices 16-19 under the
 * challenge protocol, to see what model selection and the averaging did on one trajectory.
 *
 *   npx tsx bench/score-checkpoint.ts RUN_DIR [--data DIR]      (RUN_DIR holds model/ and checkpoint/)
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSegmentation, fileCheckpoints, loadModel, useBackend } from '../src/node/index.js';
import { setWeightValues, unpack } from '../src/train/checkpoint.js';
import { predictSlices, readSlices } from './isbi-slices-io.js';
import { isbiDirectory } from './util.js';

const { values, positionals } = parseArgs({ options: { data: { type: 'string' } }, allowPositionals: true });
const data = values.data ?? isbiDirectory();
const run = positionals[0];
if (data === undefined || run === undefined) {
  console.log('usage: npx tsx bench/score-checkpoint.ts RUN_DIR [--data DIR] (and the ISBI data)');
  process.exit(run === undefined ? 2 : 0);
}
await useBackend('wasm');
tf.env().set('IS_TEST', false);
const { model, spec, info } = await loadModel(join(run, 'model'));
const slices = await readSlices(data);
const score = async (label: string) => {
  const { best } = evaluateSegmentation(await predictSlices(model, spec, slices), { threshold: info.threshold ?? 0.5 });
  console.log(`${label}: Rand error ${best.randError.value.toFixed(4)} (t = ${best.randError.threshold}), information error ${best.infoError.value.toFixed(4)}, pixel error ${best.pixelError.value.toFixed(4)}`);
};
await score('saved model (selected weights)');
const checkpoint = await fileCheckpoints(join(run, 'checkpoint')).load();
if (checkpoint === undefined) throw new Error(`no checkpoint in ${join(run, 'checkpoint')}`);
setWeightValues(model, checkpoint.weights, checkpoint.data);
await score(`checkpoint (last weights, step ${checkpoint.step})`);
if (checkpoint.averageWeights !== undefined) {
  const average = new Map(checkpoint.averageWeights.map((e) => [e.name, e]));
  for (const w of model.trainableWeights) {
    const entry = average.get(w.originalName);
    if (entry === undefined) throw new Error(`the checkpoint's average has no '${w.originalName}'`);
    w.write(tf.tensor(unpack(entry, checkpoint.data), entry.shape));
  }
  await score(`checkpoint (moving average of the weights, step ${checkpoint.step})`);
}
model.dispose();
