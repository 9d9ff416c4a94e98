/**
 * ONNX Runtime forward pass in its own process (so peak RSS is its own):
 *   tsx bench/onnx-run.ts <depth> <baseFilters> <inputSize> <runs> <threads>
 * Exports the tfjs-built U-Net with toOnnx and times `session.run` on one
 * tile (median of `runs` after a warm-up). Prints one JSON line.
 */
import * as ort from 'onnxruntime-node';
import { buildModel, toOnnx, unet, type Depth } from '../src/index.js';
import { forwardFlops } from './flops.js';
import { median } from './util.js';

const [depth, base, size, runs, threads] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const spec = unet({ depth: depth as Depth, baseFilters: base, dropout: 0, outputActivation: 'linear' });
const model = buildModel(spec, { inputSize: size, seed: 1 });
const bytes = toOnnx(model, spec);
model.dispose();
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
const input = new ort.Tensor('float32', Float32Array.from({ length: size * size }, (_, i) => Math.sin(i)), [1, size, size, 1]);
const times: number[] = [];
for (let r = 0; r <= runs; r++) {
  const start = performance.now();
  await session.run({ input });
  if (r > 0) times.push((performance.now() - start) / 1000);
}
console.log(
  JSON.stringify({
    engine: `onnxruntime-node ${ort.env.versions.node}, ${threads} thread(s)`,
    config: `depth ${depth}, base ${base}, input ${size}`,
    forwardGflop: forwardFlops(spec, size) / 1e9,
    forwardSeconds: median(times),
    runs: times,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
