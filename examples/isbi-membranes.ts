/**
 * ISBI 2012 EM membrane segmentation with the paper's recipe at CPU scale:
 * train on slices 00-15, validate on 16-19, and report the ISBI 2012
 * challenge's Rand and information errors and the pixel error (best threshold).
 *
 *   npx tsx examples/isbi-membranes.ts [--data DIR] [--steps 200] [--backend wasm]
 *
 * DIR holds images/NN.png and labels/NN.png (0 = membrane, 255 = cell); it
 * defaults to ../shared/data/isbi2012-em/train when present. Cells are class
 * 1, membranes class 0 (the background of the Rand error).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildModel, evaluateSegmentation, predictTiled, readImage, readMask, saveModel, train, unet, useBackend, type BackendName } from 'tfjs-unet/node';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/isbi2012-em/train' },
    steps: { type: 'string', default: '200' },
    tile: { type: 'string', default: '252' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'examples/output/isbi-model' },
  },
});
if (!existsSync(join(values.data, 'images'))) {
  console.log(`ISBI data not found at ${values.data}: skipping (pass --data DIR).`);
  process.exit(0);
}
await useBackend(values.backend as BackendName);
const names = Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0'));
const load = async (ids: string[]) => ({
  images: await Promise.all(ids.map((id) => readImage(join(values.data, 'images', `${id}.png`)))),
  labels: await Promise.all(ids.map(async (id) => (await readMask(join(values.data, 'labels', `${id}.png`))).mask)),
});
const trainSet = await load(names.slice(0, 16));
const valSet = await load(names.slice(16));

const spec = unet({ depth: 4, baseFilters: 16, dropout: 0.2 });
const tile = Number(values.tile);
const model = buildModel(spec, { inputSize: tile, seed: 1 });
const started = performance.now();
await train(model, trainSet, {
  steps: Number(values.steps),
  optimizer: 'adam',
  learningRate: 1e-3,
  batchSize: 2,
  seed: 1,
  onStep: ({ step, steps, loss, stepsPerSecond }) => {
    if (step % 20 === 0 || step === steps) console.log(`step ${step}/${steps} loss ${loss.toFixed(4)} (${stepsPerSecond.toFixed(2)} steps/s)`);
  },
});
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s on ${tf.getBackend()}`);

// Score slices 16-19 the way the ISBI 2012 challenge did (borders thinned, thresholds swept).
const scored = [];
for (let i = 0; i < valSet.images.length; i++) {
  const { probabilities, labels } = await predictTiled(model, valSet.images[i]!, { batchSize: 2 });
  scored.push({ probabilities: await probabilities.data(), truth: valSet.labels[i]! });
  tf.dispose([probabilities, labels]);
}
const report = evaluateSegmentation(scored);
const { randError, infoError, pixelError } = report.best;
console.log(
  `slices 16-19: Rand error ${randError.value.toFixed(4)} (t = ${randError.threshold}), information error ${infoError.value.toFixed(4)}, ` +
    `pixel error ${pixelError.value.toFixed(4)} (t = ${pixelError.threshold}), skimage-style Rand error at 0.5 ${report.mean.skimageRandError.toFixed(4)}`,
);
await saveModel(model, spec, values.out);
console.log(`model saved to ${values.out}`);
