/**
 * Train briefly, export to ONNX, and predict a large image with ONNX Runtime
 * (onnxruntime-node, multi-threaded CPU) through the same overlap-tile code
 * as tfjs; the two predictions agree.
 *
 *   npx tsx examples/export-onnx.ts [--steps 30] [--size 1000x700] [--out examples/output/unet.onnx]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildModel, exportOnnx, loadOnnxPredictor, predictTiled, syntheticCells, train, unet, useBackend } from 'tfjs-unet/node';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '30' }, size: { type: 'string', default: '1000x700' }, out: { type: 'string', default: 'examples/output/unet.onnx' } },
});
await useBackend('wasm');
const spec = unet({ depth: 3, baseFilters: 8 });
const model = buildModel(spec, { inputSize: 124, seed: 1 });
const samples = [0, 1, 2, 3].map((seed) => syntheticCells(160, seed));
await train(model, { images: samples.map((s) => s.image), labels: samples.map((s) => s.mask) }, { spec, steps: Number(values.steps), optimizer: 'adam', learningRate: 3e-3, seed: 1 });

await mkdir(dirname(values.out), { recursive: true });
const bytes = await exportOnnx(model, spec, values.out);
console.log(`exported ${values.out}: ${(bytes.length / 1024).toFixed(0)} KiB, opset 13, NHWC, free height/width`);

const [width, height] = values.size.split('x').map(Number) as [number, number];
const cells = syntheticCells(Math.max(width, height), 42).image; // square: crop it to width x height
const data = new Float32Array(width * height);
for (let y = 0; y < height; y++) data.set(cells.data.subarray(y * cells.width, y * cells.width + width), y * width);
const image = { data, width, height };

const predictor = await loadOnnxPredictor(values.out, { threads: 2 });
let started = performance.now();
const viaOnnx = await predictTiled(predictor, image, { inputSize: 188 });
const onnxSeconds = (performance.now() - started) / 1000;
started = performance.now();
const viaTfjs = await predictTiled(model, image, { inputSize: 188 });
const tfjsSeconds = (performance.now() - started) / 1000;
const difference = tf.tidy(() => viaOnnx.probabilities.sub(viaTfjs.probabilities).abs().max().dataSync()[0]!);
console.log(`${width}x${height}: onnxruntime-node ${onnxSeconds.toFixed(2)} s, tfjs ${tf.getBackend()} ${tfjsSeconds.toFixed(2)} s; max |difference| ${difference.toExponential(1)}`);
if (!(difference < 1e-4)) throw new Error(`ONNX and tfjs predictions differ by ${difference}`);
tf.dispose([viaOnnx.probabilities, viaOnnx.labels, viaTfjs.probabilities, viaTfjs.labels]);
await predictor.dispose();
model.dispose();
