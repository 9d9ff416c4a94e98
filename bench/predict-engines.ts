/**
 * `npm run bench:predict`: seconds to predict one 512x512 image with the planned network (same
 * padding, depth 4, 16 base filters, batch norm), overlap-tile at 256 px tiles, on tfjs (wasm, all
 * threads) and in ONNX Runtime (onnxruntime-node, the model exported by `toOnnx`), without and with
 * test-time augmentation (8 flips/rotations). Medians of 3 runs after a warm-up. A script, not a test.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { buildModel, onnxPredictor, predictTiled, toOnnx, unet } from '../src/index.js';
import { useBackend } from '../src/node/index.js';
import { median } from './util.js';

await useBackend('wasm');
tf.env().set('IS_TEST', false);
const spec = unet({ depth: 4, baseFilters: 16, padding: 'same', batchNorm: true });
const model = buildModel(spec, { seed: 1 });
const session = await ort.InferenceSession.create(toOnnx(model, spec), { graphOptimizationLevel: 'all' });
const predictors = { 'tfjs (wasm)': model, 'onnxruntime-node': onnxPredictor(session, ort.Tensor, { spec, layout: 'NHWC' }) };
const image = { data: Uint8Array.from({ length: 512 * 512 }, (_, i) => (i * 7919) % 256), width: 512, height: 512 };
for (const tta of [1, 8]) {
  for (const [name, predictor] of Object.entries(predictors)) {
    const seconds: number[] = [];
    for (let run = 0; run < 4; run++) {
      const began = performance.now();
      const { probabilities, labels } = await predictTiled(predictor, image, { spec, tta, inputSize: 256 });
      await probabilities.data();
      tf.dispose([probabilities, labels]);
      if (run > 0) seconds.push((performance.now() - began) / 1000);
    }
    console.log(`${name}, tta ${tta}: ${median(seconds).toFixed(2)} s per 512x512 image`);
  }
}
await session.release();
model.dispose();
