/**
 * Train a small U-Net on synthetic touching cells with the paper's recipe
 * (border weight map, elastic deformation), then predict held-out images.
 *
 *   npx tsx examples/train-synthetic-cells.ts [--steps 300] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { buildModel, iou, labelComponents, predictTiled, randError, saveModel, syntheticCells, train, unet, useBackend, type BackendName } from 'tfjs-unet/node';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '300' }, backend: { type: 'string', default: 'wasm' } } });
await useBackend(values.backend as BackendName);

const trainSet = Array.from({ length: 4 }, (_, i) => syntheticCells(128, i + 1));
const testSet = Array.from({ length: 2 }, (_, i) => syntheticCells(128, 100 + i));
const spec = unet({ depth: 3, baseFilters: 8, dropout: 0 });
const model = buildModel(spec, { inputSize: 124, seed: 1 });

const started = performance.now();
const result = await train(model, { images: trainSet.map((s) => s.image), labels: trainSet.map((s) => s.mask) }, {
  steps: Number(values.steps),
  batchSize: 2,
  optimizer: 'adam',
  learningRate: 3e-3,
  seed: 1,
  onStep: ({ step, steps, loss, stepsPerSecond }) => {
    if (step % 25 === 0 || step === steps) console.log(`step ${step}/${steps}  loss ${loss.toFixed(4)}  ${stepsPerSecond.toFixed(2)} steps/s`);
  },
});
console.log(`trained ${result.steps} steps in ${((performance.now() - started) / 1000).toFixed(1)} s on ${tf.getBackend()}`);

for (const [i, sample] of testSet.entries()) {
  const { probabilities, labels } = await predictTiled(model, sample.image);
  const predicted = (await labels.data()) as Int32Array;
  tf.dispose([probabilities, labels]);
  const objects = (data: ArrayLike<number>) => labelComponents({ data, width: 128, height: 128 }).labels;
  console.log(
    `held-out ${i}: cell IoU ${iou(predicted, sample.mask.data, 2).perClass[1]!.toFixed(3)}, ` +
      `skimage-style Rand error ${randError(objects(predicted), objects(sample.mask.data)).error.toFixed(3)}`,
  );
}
await saveModel(model, spec, 'examples/output/synthetic-cells-model');
console.log('model saved to examples/output/synthetic-cells-model');
