/**
 * `npm run bench:profile [-- <cpu|wasm|wasm-threads> <inputSize> <baseFilters>]`: where a
 * training step spends its time, by kernel (tf.profile of one step after two
 * warm-up steps; default wasm, 252, base 32). Kernel times include nested
 * kernels (a custom-gradient op's "unnamed scope" contains its FusedConv2D).
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, leanConvGradients, unet, useBackend, weightedSoftmaxCrossEntropy, type BackendName } from '../src/index.js';
import { useBackend as useBackendNode } from '../src/node.js';

const [backend = 'wasm', size = '252', base = '32'] = process.argv.slice(2);
tf.env().set('IS_TEST', false);
// `wasm-threads`: the threaded wasm build via tfjs-unet/node (all cores).
if (backend === 'wasm-threads') await useBackendNode('wasm');
else await useBackend(backend as BackendName);
const inputSize = Number(size);
const spec = unet({ depth: 4, baseFilters: Number(base), dropout: 0, outputActivation: 'linear' });
const model = buildModel(spec, { inputSize, seed: 1 });
leanConvGradients(model); // as train() runs it
const x = tf.randomUniform([1, inputSize, inputSize, 1]);
const out = model.outputs[0]!.shape[1]!;
const labels = tf.randomUniform([1, out, out], 0, 2, 'int32');
const weights = tf.onesLike(labels).toFloat();
const optimizer = tf.train.momentum(1e-6, 0.99);
const step = () => {
  const loss = optimizer.minimize(() => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar, true)!;
  loss.dataSync();
  loss.dispose();
};
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
