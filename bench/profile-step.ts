/**
 * `npm run bench:profile [-- <cpu|wasm|wasm-threads> <inputSize> <baseFilters>]`: where a
 * training step spends its time, by kernel (tf.profile of one step after two
 * warm-up steps; default wasm, 252, base 32). Kernel times include nested
 * kernels (a custom-gradient op's "unnamed scope" contains its FusedConv2D).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, unetBench } from './training-step.js';

const [backend = 'wasm', size = '252', base = '32'] = process.argv.slice(2);
await selectBackend(backend);
const { step } = unetBench(4, Number(base), Number(size));
step();
step();
const started = performance.now();
const profile = await tf.profile(step);
const wall = performance.now() - started;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += k.kernelTimeMs as number;
  entry.calls += 1;
  byKernel.set(k.name, entry);
}
console.log(`One training step on ${backend}, depth 4, base ${base}, input ${size}: ${wall.toFixed(0)} ms wall (profiled)`);
console.table(
  [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 12)
    .map(([kernel, { ms, calls }]) => ({ kernel, calls, ms: +ms.toFixed(1) })),
);
