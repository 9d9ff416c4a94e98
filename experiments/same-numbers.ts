/**
 * Does a refactoring train the same network with the same numbers? Trains a
 * saved plan (e.g. the ISBI default for 30 minutes, a run's plan.json) for a
 * few steps with a fixed seed, with a given build of the library, and prints
 * the network's parameter count, the loss of every step and a hash of the
 * final weights. Run it with the build from before and after a change and
 * compare the two lines:
 *
 *   npx tsx experiments/same-numbers.ts --dist experiments/benchmark/work/dist-OLD --plan RUN/plan.json --data DIR [--steps 50]
 *   npx tsx experiments/same-numbers.ts --dist dist --plan RUN/plan.json --data DIR [--steps 50]
 *
 * DIR holds images/ and masks/ (e.g. experiments/benchmark/work/data/em-membranes/train).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type * as Library from '../src/node/index.js';

const { values } = parseArgs({ options: { dist: { type: 'string' }, plan: { type: 'string' }, data: { type: 'string' }, steps: { type: 'string', default: '50' } } });
if (values.dist === undefined || values.plan === undefined || values.data === undefined) throw new Error('usage: same-numbers.ts --dist DIR --plan FILE --data DIR [--steps 50]');
const lib = (await import(pathToFileURL(resolve(values.dist, 'node.js')).href)) as typeof Library;
const { plan } = JSON.parse(readFileSync(values.plan, 'utf8')) as { plan: Library.TrainingPlan };
await lib.useBackend('wasm');
const data = await lib.loadDataset({ images: join(values.data, 'images'), masks: join(values.data, 'masks') });
const spec = lib.architectureSpec(plan.architecture ?? 'unet', {
  depth: plan.depth,
  baseFilters: plan.baseFilters,
  padding: plan.padding,
  batchNorm: plan.batchNorm,
  dropout: plan.dropout,
  inChannels: data.images[0]!.channels ?? 1,
  classes: Math.max(data.classes, 2),
});
const model = lib.buildModel(spec, { inputSize: plan.tile, seed: 1 });
const { weights, options } = lib.trainOptionsFor(plan, { seed: 1, ...(plan.engine === 'onnx' ? { onnx: ort } : {}) });
const result = await lib.train(model, { images: data.images, labels: data.masks, ...(data.instances === undefined ? {} : { instances: data.instances }), weights }, {
  ...options,
  steps: Number(values.steps),
  validation: { holdOut: plan.validationShare },
  calibrate: false,
});
const hash = createHash('sha256');
for (const w of model.getWeights()) hash.update(new Uint8Array((await w.data()).buffer));
console.log(JSON.stringify({ parameters: lib.countParams(spec), losses: result.history.map((h) => h.loss), weights: hash.digest('hex').slice(0, 16) }));
model.dispose();
