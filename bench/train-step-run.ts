/**
 * One engine's U-Net training step in its own process (so peak RSS is its own):
 *   tsx bench/train-step-run.ts <onnx|train-onnx|wasm> <depth> <base> <size> <batch> <valid|same> <bn 0|1> <runs> <threads>
 * onnx: the graph from `trainingGraph` (forward, weighted CE, backward, Adam update) in an
 * onnxruntime-node session, state fed back as `train` does (the engine alone); train-onnx: the
 * same step as `train` runs it with the onnx engine (tiles drawn from a larger image, no
 * augmentation, no weight map), timed between its `onStep` calls; wasm: tfjs's threaded wasm backend
 * (tfjs-unet/node), `tf.variableGrads` + Adam as `train` does. Random data. Prints one JSON line:
 * the median step of `runs` after a warm-up step, the peak RSS, and the RSS after a tenth of the
 * steps and after the last.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { buildModel, leanConvGradients, train, trainingGraph, unet, weightedSoftmaxCrossEntropy, type Depth } from '../src/index.js';
import { useBackend } from '../src/node/index.js';
import { median } from './util.js';

const [engine, ...rest] = process.argv.slice(2);
const [depth, base, size, batch] = rest.slice(0, 4).map(Number) as [number, number, number, number];
const padding = rest[4] as 'valid' | 'same';
const batchNorm = rest[5] === '1';
const [runs, threads] = rest.slice(6).map(Number) as [number, number];
const spec = unet({ depth: depth as Depth, baseFilters: base, padding, batchNorm, dropout: 0, outputActivation: 'linear' });
const random = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
const rss = () => process.memoryUsage().rss / 2 ** 20;
const times: number[] = [];
const rssAfter: number[] = [];

if (engine === 'onnx') {
  const graph = trainingGraph(spec, { inputSize: size, batchSize: batch, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } });
  const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const state = new Map<string, Float32Array>();
  for (const p of graph.parameters) state.set(p.input, random(count(p.shape)).map((v) => v * 0.1));
  for (const s of [...graph.slots, ...graph.statistics]) state.set(s.input, new Float32Array(count(s.shape)).fill(s.input.endsWith('variance') ? 1 : 0));
  const labels = new Float32Array(count(graph.labels.shape));
  const half = labels.length / 2;
  labels.fill(1, 0, half);
  const fixed = {
    [graph.image.name]: new ort.Tensor('float32', random(count(graph.image.shape)), graph.image.shape as number[]),
    [graph.labels.name]: new ort.Tensor('float32', labels, graph.labels.shape as number[]),
    [graph.weights.name]: new ort.Tensor('float32', new Float32Array(count(graph.weights.shape)).fill(1), graph.weights.shape as number[]),
    [graph.scalars.learningRate!]: new ort.Tensor('float32', Float32Array.of(1e-6), []),
  };
  for (let r = 0; r <= runs; r++) {
    const feeds: Record<string, ort.Tensor> = { ...fixed };
    feeds[graph.scalars.oneMinusBeta1Power!] = new ort.Tensor('float32', Float32Array.of(1 - 0.9 ** (r + 1)), []);
    feeds[graph.scalars.oneMinusBeta2Power!] = new ort.Tensor('float32', Float32Array.of(1 - 0.999 ** (r + 1)), []);
    for (const p of graph.parameters) feeds[p.input] = new ort.Tensor('float32', state.get(p.input)!, p.shape as number[]);
    for (const s of [...graph.slots, ...graph.statistics]) feeds[s.input] = new ort.Tensor('float32', state.get(s.input)!, s.shape as number[]);
    const start = performance.now();
    const result = await session.run(feeds);
    for (const p of graph.parameters) state.set(p.input, result[p.next]!.data as Float32Array);
    for (const s of [...graph.slots, ...graph.statistics]) state.set(s.input, result[s.next]!.data as Float32Array);
    if (r > 0) times.push((performance.now() - start) / 1000);
    rssAfter.push(rss());
  }
} else if (engine === 'train-onnx') {
  await useBackend('wasm');
  tf.env().set('IS_TEST', false);
  const model = buildModel(spec, { inputSize: size, seed: 1 });
  const side = 2 * size;
  const image = { data: random(side * side), width: side, height: side };
  const labels = { data: Uint8Array.from({ length: side * side }, (_, i) => (i % side < side / 2 ? 1 : 0)), width: side, height: side };
  const stamps: number[] = [];
  await train(model, { images: [image], labels: [labels], weights: 'none' }, {
    steps: runs + 1,
    inputSize: size,
    batchSize: batch,
    optimizer: 'adam',
    learningRate: 1e-6,
    augmentation: [],
    engine: { onnx: ort, threads },
    calibrate: false,
    onStep: () => {
      stamps.push(performance.now());
      rssAfter.push(rss());
    },
  });
  // The first step includes the session's warm-up: steps 2.. are timed from the previous onStep.
  for (let i = 1; i < stamps.length; i++) times.push((stamps[i]! - stamps[i - 1]!) / 1000);
  model.dispose();
} else {
  await useBackend('wasm');
  tf.env().set('IS_TEST', false);
  const model = buildModel(spec, { inputSize: size, seed: 1 });
  leanConvGradients(model);
  const out = model.outputs[0]!.shape[1]!;
  const x = tf.tensor4d(random(batch * size * size), [batch, size, size, 1]);
  const labels = tf.oneHot(tf.zeros([batch, out, out], 'int32'), 2);
  const weights = tf.ones([batch, out, out]);
  const optimizer = tf.train.adam(1e-6);
  for (let r = 0; r <= runs; r++) {
    const start = performance.now();
    const loss = optimizer.minimize(() => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar, true)!;
    await loss.data();
    loss.dispose();
    if (r > 0) times.push((performance.now() - start) / 1000);
    rssAfter.push(rss());
  }
}
console.log(
  JSON.stringify({
    engine:
      engine === 'onnx'
        ? `onnx engine (onnxruntime-node ${ort.env.versions.node}), ${threads} thread(s)`
        : engine === 'train-onnx'
          ? `train with the onnx engine, ${threads} thread(s)`
          : `tfjs wasm, ${threads} threads`,
    config: `depth ${depth}, base ${base}, ${padding}${batchNorm ? ' + batch norm' : ''}, input ${size}, batch ${batch}`,
    stepSeconds: median(times),
    runs: times,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssWarmMiB: rssAfter[Math.floor(rssAfter.length / 10)],
    rssLastMiB: rssAfter.at(-1),
  }),
);
