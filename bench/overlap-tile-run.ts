/**
 * Overlap-tile throughput in its own process:
 *   tsx bench/overlap-tile-run.ts <engine> <depth> <base> <tile> <imageSize> <batch> [threads]
 * engine: a tfjs backend (cpu, wasm on all cores via tfjs-unet/node, tensorflow) or `onnx` (the exported model in
 * onnxruntime-node with `threads` intra-op threads, default 2).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { buildModel, onnxPredictor, predictTiled, readOnnxInfo, toOnnx, unet, useBackend, type BackendName, type Depth, type TilePredictor } from '../src/node/index.js';

const [engine, depth, base, tile, image, batch, threads] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v))) as [string, number, number, number, number, number, number | undefined];
tf.env().set('IS_TEST', false);
const spec = unet({ depth: depth as Depth, baseFilters: base, dropout: 0 });
let runner: tf.LayersModel | TilePredictor;
if (engine === 'onnx') {
  const model = buildModel(spec, { inputSize: tile, seed: 1 });
  const bytes = toOnnx(model, spec);
  model.dispose();
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads ?? 2, interOpNumThreads: 1, executionMode: 'sequential' });
  runner = onnxPredictor(session, ort.Tensor, readOnnxInfo(bytes));
} else {
  await useBackend(engine as BackendName);
  runner = buildModel(spec, { inputSize: tile, seed: 1 });
}
const data = Float32Array.from({ length: image * image }, (_, i) => Math.sin(i * 0.001));
const small = await predictTiled(runner, { data: data.subarray(0, 64 * 64), width: 64, height: 64 }, { inputSize: tile, batchSize: batch });
tf.dispose([small.probabilities, small.labels]); // warm-up: compiles the tile shape
const start = performance.now();
const { probabilities, labels } = await predictTiled(runner, { data, width: image, height: image }, { inputSize: tile, batchSize: batch });
const seconds = (performance.now() - start) / 1000;
tf.dispose([probabilities, labels]);
const label =
  engine === 'onnx' ? `onnxruntime-node, ${threads ?? 2} thread(s)` : engine === 'wasm' ? `tfjs wasm, ${(await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()} thread(s)` : `tfjs ${engine}`;
console.log(JSON.stringify({ engine: label, config: `depth ${depth}, base ${base}, tile ${tile}, batch ${batch}`, image: `${image}x${image}`, seconds, megapixelsPerSecond: (image * image) / 1e6 / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
