/**
 * Overlap-tile throughput in its own process:
 *   tsx bench/overlap-tile-run.ts <backend> <depth> <base> <tile> <imageSize> <batch>
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, predictTiled, unet, useBackend, type BackendName, type Depth } from '../src/index.js';

const [backend, depth, base, tile, image, batch] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v))) as [string, number, number, number, number, number];
tf.env().set('IS_TEST', false);
await useBackend(backend as BackendName);
const spec = unet({ depth: depth as Depth, baseFilters: base, dropout: 0 });
const model = buildModel(spec, { inputSize: tile, seed: 1 });
const data = Float32Array.from({ length: image * image }, (_, i) => Math.sin(i * 0.001));
const small = await predictTiled(model, { data: data.subarray(0, 64 * 64), width: 64, height: 64 }, { inputSize: tile, batchSize: batch });
tf.dispose([small.probabilities, small.labels]); // warm-up: compiles the tile shape
const start = performance.now();
const { probabilities, labels } = await predictTiled(model, { data, width: image, height: image }, { inputSize: tile, batchSize: batch });
const seconds = (performance.now() - start) / 1000;
tf.dispose([probabilities, labels]);
console.log(JSON.stringify({ backend, config: `depth ${depth}, base ${base}, tile ${tile}, batch ${batch}`, image: `${image}x${image}`, seconds, megapixelsPerSecond: (image * image) / 1e6 / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
