/**
 * Build the paper's U-Net, print its Keras-like summary, and run it once.
 *
 *   npx tsx examples/build-and-summary.ts [--paper]
 *
 * By default a small variant runs (fast on a CPU); `--paper` builds the full
 * 31M-parameter network of Ronneberger et al. (2015) at its 572x572 tile.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, outputSize, summary, unet } from 'tfjs-unet';

await tf.setBackend('cpu');

const paper = process.argv.includes('--paper');
const spec = paper ? unet() : unet({ depth: 3, baseFilters: 8 });
const inputSize = paper ? 572 : 124;

console.log(summary(spec, { inputSize }));

const model = buildModel(spec, { inputSize, seed: 42 });
const image = tf.randomUniform([1, inputSize, inputSize, spec.options.inChannels]);
const probabilities = model.predict(image) as tf.Tensor;
console.log(`tfjs model: ${model.countParams().toLocaleString('en-US')} parameters`);
console.log(`input ${image.shape.join('x')} -> output ${probabilities.shape.join('x')} (expected ${outputSize(spec, inputSize)})`);
tf.dispose([image, probabilities]);
model.dispose();
