/**
 * One backend benchmark in its own process (so peak RSS is its own):
 *   tsx bench/backend-run.ts <cpu|wasm|wasm-threads|tensorflow> <depth> <baseFilters> <inputSize> <runs> [train]
 * Prints one JSON line: forward and train-step times (median of `runs` after a warm-up, alternating).
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, leanConvGradients, unet, useBackend, weightedSoftmaxCrossEntropy, type BackendName, type Depth } from '../src/index.js';
import { useBackend as useBackendNode } from '../src/node.js';
import { forwardFlops } from './flops.js';
import { median } from './util.js';

const [backendArg, depth, base, size, runs, withTrain] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
tf.env().set('IS_TEST', false);
// `wasm`: tfjs's single-threaded build; `wasm-threads`: the threaded one via tfjs-unet/node (all cores).
let backend = backendArg;
if (backendArg === 'wasm-threads') {
  await useBackendNode('wasm');
  backend = `wasm, ${(await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount()} threads`;
} else {
  await useBackend(backendArg as BackendName);
}
const spec = unet({ depth: Number(depth) as Depth, baseFilters: Number(base), dropout: 0, outputActivation: 'linear' });
const inputSize = Number(size);
const model = buildModel(spec, { inputSize, seed: 1 });
// As train() does: ReLU convolutions keep only their input and output for the backward pass.
leanConvGradients(model);
const x = tf.randomUniform([1, inputSize, inputSize, 1]);
const out = model.outputs[0]!.shape[1]!;
const labels = tf.randomUniform([1, out, out], 0, 2, 'int32');
const weights = tf.onesLike(labels).toFloat();
const optimizer = tf.train.momentum(1e-6, 0.99);

const forward = () => {
  const y = model.predict(x) as tf.Tensor;
  y.dataSync();
  y.dispose();
};
const step = () => {
  const loss = optimizer.minimize(() => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar, true)!;
  loss.dataSync();
  loss.dispose();
};
const timed = (f: () => void) => {
  const start = performance.now();
  f();
  return (performance.now() - start) / 1000;
};
let error: string | undefined;
const fwd: number[] = [];
const train: number[] = [];
try {
  forward();
  if (withTrain === 'train') step();
  for (let r = 0; r < Number(runs); r++) {
    fwd.push(timed(forward));
    if (withTrain === 'train') train.push(timed(step));
  }
} catch (e) {
  error = (e as Error).message.slice(0, 200);
}
const flops = forwardFlops(spec, inputSize);
console.log(
  JSON.stringify({
    backend,
    config: `depth ${depth}, base ${base}, input ${inputSize}`,
    forwardGflop: flops / 1e9,
    forwardSeconds: fwd.length > 0 ? median(fwd) : null,
    trainSeconds: train.length > 0 ? median(train) : null,
    runs: { forward: fwd, train },
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    error,
  }),
);
