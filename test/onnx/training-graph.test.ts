// The ONNX training graph's loss and gradients, run in onnxruntime-node, against tfjs's
// autodiff of the same model on the cpu backend (random weights, biases, images, labels, pixel weights).
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  attentionUnet,
  buildModel,
  outputChannels,
  resUnet,
  segmentationLoss,
  supervisedNodes,
  supervisionHeads,
  unet,
  unetPlusPlus,
  validInputSizes,
  weightedSoftmaxCrossEntropy,
  withSupervisionHeads,
  type DeepSupervision,
  type LossTerm,
  type UNetOptions,
} from '../../src/index.js';
import { supervisionLossWeights } from '../../src/train/supervision.js';
import { permute } from '../../src/onnx/export.js';
import { trainingGraph, type TrainingGraph } from '../../src/onnx/training/training-graph.js';
import { onnx } from '../../src/onnx/proto.js';
import { rng } from '../helpers/random.js';
import { relativeL2 } from '../helpers/compare.js';
import { evaluate, type Map3, type Weights } from '../helpers/reference.js';

/** Random biases and batch-norm affine parameters (the initialisers set them to 0 and 1, which would hide a mix-up). */
function randomiseWeights(model: tf.LayersModel, random: () => number): void {
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const values = weights.map((w, i) => {
      const isBias = w.rank === 1 && (layer.getClassName() !== 'BatchNormalization' || i < 2);
      if (!isBias) return w;
      const base = layer.getClassName() === 'BatchNormalization' && i === 0 ? 1 : 0;
      return tf.tensor1d(Array.from({ length: w.shape[0]! }, () => base + random() * 0.4 - 0.2));
    });
    layer.setWeights(values);
    tf.dispose(values.filter((v, i) => v !== weights[i]));
  }
}


interface Case {
  readonly options: UNetOptions;
  readonly batch: number;
  /** The family member (default the paper's U-Net). */
  readonly builder?: 'unet' | 'resUnet' | 'resenc' | 'attentionUnet' | 'unetPlusPlus';
}

const BUILDERS = {
  unet: (o: UNetOptions) => unet(o),
  resUnet: (o: UNetOptions) => resUnet(o),
  resenc: (o: UNetOptions) => resUnet({ ...o, residualDecoder: false }),
  attentionUnet: (o: UNetOptions) => attentionUnet(o),
  unetPlusPlus: (o: UNetOptions) => unetPlusPlus(o),
} as const;

/** Runs the graph in ORT and tfjs's autodiff on the same data; returns both losses and the gradients (tfjs layout). */
async function compare({ options, batch, builder = 'unet' }: Case, training = true, terms?: readonly LossTerm[], deepSupervision?: DeepSupervision) {
  const sizeIndex = 1;
  const spec = BUILDERS[builder]({ dropout: 0, ...options, outputActivation: 'linear' });
  const size = validInputSizes(spec, { max: 256 })[sizeIndex]!;
  const heads = supervisionHeads(spec, size, supervisedNodes(spec, deepSupervision));
  const lossWeights = supervisionLossWeights(heads.length);
  const plainModel = buildModel(spec, { inputSize: size, seed: 3 });
  const model = heads.length === 0 ? plainModel : withSupervisionHeads(plainModel, spec, size, heads, { classes: outputChannels(spec), seed: 5 });
  const random = rng(7);
  randomiseWeights(model, random);
  const graph: TrainingGraph = trainingGraph(spec, {
    inputSize: size,
    batchSize: batch,
    ...(terms === undefined ? {} : { loss: terms }),
    ...(heads.length === 0 ? {} : { supervision: { heads, lossWeights } }),
  });
  const channels = graph.image.shape[1]!;
  const [, classes, out] = graph.labels.shape as [number, number, number, number];

  const x = tf.tensor4d(Float32Array.from({ length: batch * size * size * channels }, () => random() * 2 - 1), [batch, size, size, channels]);
  const labelIndices = tf.tensor3d(Int32Array.from({ length: batch * out * out }, () => Math.floor(random() * classes)), [batch, out, out], 'int32');
  const labels = tf.oneHot(labelIndices, classes).toFloat() as tf.Tensor4D;
  const weights = tf.tensor3d(Float32Array.from({ length: batch * out * out }, () => 0.5 + random() * 2), [batch, out, out]);

  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const weightByName = new Map(model.weights.map((w) => [w.originalName.replace(/_\d+$/, ''), w]));
  const statistics = graph.statistics.map((st) => new ort.Tensor('float32', Float32Array.from(weightByName.get(st.tfjsName)!.read().dataSync()), st.shape as number[]));
  const lossFn = terms === undefined ? weightedSoftmaxCrossEntropy : segmentationLoss(terms);
  // Each head's targets, written with tf ops: the labels and weights of its window of the output, average-pooled by its scale.
  const headTargets = heads.map((h) =>
    tf.tidy(() => {
      const window = (t: tf.Tensor4D) => tf.avgPool(t.slice([0, h.offset, h.offset, 0], [batch, h.size * h.scale, h.size * h.scale, -1]), h.scale, h.scale, 'valid');
      return { y: window(labels), weights: window(weights.expandDims(3) as tf.Tensor4D).squeeze([3]) };
    }),
  );
  const { value, grads } = tf.variableGrads(() => {
    if (heads.length === 0) return lossFn(labels, model.apply(x, { training }) as tf.Tensor, weights) as tf.Scalar;
    const [logits, ...auxiliary] = model.apply(x, { training }) as tf.Tensor[];
    const parts = [tf.mul(lossFn(labels, logits!, weights), lossWeights[0]!), ...auxiliary.map((a, k) => tf.mul(lossFn(headTargets[k]!.y, a, headTargets[k]!.weights), lossWeights[k + 1]!))];
    return tf.addN(parts) as tf.Scalar;
  }, variables);
  const expectedLoss = value.dataSync()[0]!;
  const tfjsGrads = variables.map((v) => grads[v.name]!.dataSync() as Float32Array);

  const session = await ort.InferenceSession.create(graph.bytes);
  const nchw = (t: tf.Tensor4D) => new ort.Tensor('float32', tf.tidy(() => t.transpose([0, 3, 1, 2]).dataSync() as Float32Array), [t.shape[0], t.shape[3], t.shape[1], t.shape[2]]);
  const feeds: Record<string, ort.Tensor> = {
    [graph.image.name]: nchw(x),
    [graph.labels.name]: nchw(labels),
    [graph.weights.name]: new ort.Tensor('float32', weights.dataSync() as Float32Array, graph.weights.shape as number[]),
  };
  headTargets.forEach((t, k) => {
    feeds[graph.heads[k]!.labels.name] = nchw(t.y);
    feeds[graph.heads[k]!.weights.name] = new ort.Tensor('float32', t.weights.dataSync() as Float32Array, graph.heads[k]!.weights.shape as number[]);
  });
  // Parameters are bound to tfjs's weights by name (the orders differ where branches meet).
  const tfjsNames = model.trainableWeights.map((w) => w.originalName.replace(/_\d+$/, ''));
  expect([...graph.parameters.map((p) => `${p.layer}/${p.key}`)].sort()).toEqual([...tfjsNames].sort());
  const tfjsIndexOf = graph.parameters.map((p) => tfjsNames.indexOf(`${p.layer}/${p.key}`));
  graph.parameters.forEach((p, i) => {
    const values = variables[tfjsIndexOf[i]!]!.dataSync() as Float32Array;
    feeds[p.input] = new ort.Tensor('float32', p.fromTfjs === undefined ? values : permute(values, p.tfjsShape, p.fromTfjs), p.shape as number[]);
  });
  graph.statistics.forEach((st, i) => (feeds[st.input] = statistics[i]!));
  for (const mask of graph.dropoutMasks) feeds[mask.name] = new ort.Tensor('float32', new Float32Array(mask.shape.reduce((a, b) => a * b, 1)).fill(1), mask.shape as number[]);
  const result = await session.run(feeds);
  const loss = (result[graph.loss]!.data as Float32Array)[0]!;
  const actualGrads = graph.parameters.map((p) => {
    const g = result[p.gradient]!.data as Float32Array;
    if (p.fromTfjs === undefined) return g;
    const back = p.fromTfjs.map((_, i) => p.fromTfjs!.indexOf(i));
    return permute(g, p.shape, back);
  });
  // Batch norm's moving statistics after the step, as tfjs-layers updated them in training mode.
  if (training) for (const st of graph.statistics) expect(relativeL2(result[st.next]!.data as Float32Array, weightByName.get(st.tfjsName)!.read().dataSync()), st.tfjsName).toBeLessThan(1e-5);
  await session.release();
  tf.dispose([x, labelIndices, labels, weights, value, ...Object.values(grads), ...headTargets.flatMap((t) => [t.y, t.weights])]);
  model.dispose();
  if (model !== plainModel) plainModel.dispose();
  const expectedGrads = tfjsIndexOf.map((i) => tfjsGrads[i]!);
  return { loss, expectedLoss, actualGrads, expectedGrads, names: graph.parameters.map((p) => p.input), graph };
}

const cases: Case[] = [
  { options: { depth: 1, baseFilters: 3 }, batch: 1 },
  { options: { depth: 2, baseFilters: 3, padding: 'same', upsampling: 'nearest', classes: 3 }, batch: 3 },
  { options: { depth: 2, baseFilters: 2, upsampling: 'bilinear', batchNorm: true, inChannels: 2 }, batch: 2 },
  { options: { depth: 3, baseFilters: 2, padding: 'same', batchNorm: true }, batch: 3 },
  { options: { depth: 4, baseFilters: 2 }, batch: 1 },
  { options: { depth: 4, baseFilters: 2, padding: 'same', batchNorm: true, upsampling: 'bilinear', classes: 3 }, batch: 2 },
];

describe('trainingGraph', () => {
  it.each(cases.map((c) => [JSON.stringify(c.options), c.batch, c] as const))('loss and gradients equal tfjs autodiff on cpu: %s, batch %d', async (_, __, c) => {
    const { loss, expectedLoss, actualGrads, expectedGrads, names } = await compare(c);
    expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    actualGrads.forEach((g, i) => {
      expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(1e-4);
    });
  });

  it.each([
    { builder: 'resUnet', options: { depth: 2, baseFilters: 3 }, batch: 2 },
    // Two input channels: a 1x1 conv of one channel followed by batch norm is scale-invariant, its kernel's gradient exactly 0.
    { builder: 'resenc', options: { depth: 2, baseFilters: 3, padding: 'same', batchNorm: true, classes: 3, inChannels: 2 }, batch: 2 },
    { builder: 'attentionUnet', options: { depth: 2, baseFilters: 4 }, batch: 1 },
    { builder: 'attentionUnet', options: { depth: 2, baseFilters: 4, padding: 'same', batchNorm: true, upsampling: 'bilinear' }, batch: 3 },
    { builder: 'unetPlusPlus', options: { depth: 2, baseFilters: 3 }, batch: 2 },
    { builder: 'unetPlusPlus', options: { depth: 3, baseFilters: 2, padding: 'same', batchNorm: true, upsampling: 'nearest' }, batch: 2 },
  ] as const satisfies readonly Case[])('differentiates the family: $builder $options, batch $batch', async (c) => {
    const { loss, expectedLoss, actualGrads, expectedGrads, names } = await compare(c);
    expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    // 2e-4: batch norm's scale in the 2-filter U-Net++ differs from tfjs by ~1e-4 in float32 whichever form the
    // convolutions' input gradients take (8e-5 with ConvTranspose, 1.1e-4 with the flipped-kernel Conv); the others by < 1e-5.
    actualGrads.forEach((g, i) => expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(2e-4));
  });

  it.each([
    ['U-Net, valid (trimmed heads at 1/2 and 1/4)', { options: { depth: 3, baseFilters: 2 }, batch: 2 }, true, undefined],
    ['U-Net, same, batch norm, 3 classes, Dice + CE, every place', { options: { depth: 3, baseFilters: 3, padding: 'same', batchNorm: true, classes: 3 }, batch: 2 }, 2, [{ kind: 'crossEntropy' }, { kind: 'dice' }]],
    ['ResEnc U-Net, same, batch norm', { builder: 'resenc', options: { depth: 3, baseFilters: 2, padding: 'same', batchNorm: true, inChannels: 2 }, batch: 2 }, true, undefined],
    ["U-Net++, valid (Zhou's full-resolution heads)", { builder: 'unetPlusPlus', options: { depth: 2, baseFilters: 3 }, batch: 1 }, true, undefined],
    ['a hand-named node (the bottleneck, 1/4)', { options: { depth: 2, baseFilters: 3, padding: 'same' }, batch: 2 }, ['bottleneck_conv2'], undefined],
  ] as const)('with deep supervision, loss and gradients (the heads\' too) equal tfjs autodiff on tf.avgPool-ed targets: %s', async (_, c, deepSupervision, terms) => {
    const { loss, expectedLoss, actualGrads, expectedGrads, names, graph } = await compare(c as Case, true, terms as readonly LossTerm[] | undefined, deepSupervision as DeepSupervision);
    expect(graph.heads.length).toBeGreaterThan(0);
    expect(names.filter((n) => n.startsWith('supervision_')).length).toBe(2 * graph.heads.length);
    expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    actualGrads.forEach((g, i) => expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(1e-4));
  });

  it.each(['elu', 'selu', 'relu6', 'swish', 'mish', 'gelu', 'tanh', 'sigmoid'] as const)('differentiates the %s activation', async (activation) => {
    const { loss, expectedLoss, actualGrads, expectedGrads, names } = await compare({ options: { depth: 1, baseFilters: 3, padding: 'same', activation }, batch: 2 });
    expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    actualGrads.forEach((g, i) => expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(1e-4));
  });

  it.each([
    ['Dice + CE (nnU-Net)', [{ kind: 'crossEntropy' }, { kind: 'dice' }], 2],
    ['weighted CE + Dice with background, 3 classes', [{ kind: 'crossEntropy', weight: 0.5 }, { kind: 'dice', background: true, smooth: 1 }], 3],
  ] as const)('computes the %s loss and its gradients as tfjs does', async (_, loss, classes) => {
    const { loss: value, expectedLoss, actualGrads, expectedGrads, names } = await compare({ options: { depth: 2, baseFilters: 3, padding: 'same', batchNorm: true, classes }, batch: 2 }, true, loss);
    expect(Math.abs(value - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    actualGrads.forEach((g, i) => expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(1e-4));
    expect(() => trainingGraph(unet({ depth: 1 }), { inputSize: 92, batchSize: 1, loss: [{ kind: 'focal' }] })).toThrow(/loss\[0\]\.kind.*focal/);
  });

  it('multiplies by the dropout masks it takes as inputs: all ones equals tfjs without dropout (inference mode)', async () => {
    const { loss, expectedLoss, actualGrads, expectedGrads, names, graph } = await compare({ options: { depth: 2, baseFilters: 3, dropout: 0.5 }, batch: 2 }, false);
    expect(graph.dropoutMasks.map((m) => [m.layer, m.rate])).toEqual([['enc2_dropout', 0.5], ['bottleneck_dropout', 0.5]]);
    expect(Math.abs(loss - expectedLoss) / Math.abs(expectedLoss)).toBeLessThan(1e-5);
    actualGrads.forEach((g, i) => expect(relativeL2(g, expectedGrads[i]!), names[i]).toBeLessThan(1e-4));
  });

  it.each([
    ['momentum', { kind: 'momentum', momentum: 0.9, nesterov: false }],
    ['nesterov', { kind: 'momentum', momentum: 0.99, nesterov: true }],
    ['adam', { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
  ] as const)('three %s steps update weights, slots and batch-norm statistics as tfjs does', async (_, optimizer) => {
    const spec = unet({ depth: 2, baseFilters: 3, batchNorm: true, dropout: 0, outputActivation: 'linear', padding: 'same' });
    const size = 16;
    const batch = 2;
    const model = buildModel(spec, { inputSize: size, seed: 5 });
    const random = rng(11);
    randomiseWeights(model, random);
    const graph = trainingGraph(spec, { inputSize: size, batchSize: batch, optimizer });
    expect(graph.parameters.every((p) => p.next.endsWith('/next'))).toBe(true);
    const session = await ort.InferenceSession.create(graph.bytes);
    const tfOptimizer = optimizer.kind === 'adam' ? tf.train.adam(1, optimizer.beta1, optimizer.beta2, optimizer.epsilon) : tf.train.momentum(1, optimizer.momentum, optimizer.nesterov);
    const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const layout = (p: (typeof graph.parameters)[number], values: Float32Array) => (p.fromTfjs === undefined ? values : permute(values, p.tfjsShape, p.fromTfjs));
    // The ORT side's state, starting from the same weights, zero slots and the layers' moving statistics.
    const state = new Map<string, Float32Array>();
    graph.parameters.forEach((p, i) => state.set(p.input, layout(p, variables[i]!.dataSync() as Float32Array)));
    for (const s of graph.slots) state.set(s.input, new Float32Array(s.shape.reduce((a, b) => a * b, 1)));
    const weightByName = new Map(model.weights.map((w) => [w.originalName.replace(/_\d+$/, ''), w]));
    for (const s of graph.statistics) state.set(s.input, weightByName.get(s.tfjsName)!.read().dataSync() as Float32Array);
    const out = graph.labels.shape[2]!;
    for (let t = 1; t <= 3; t++) {
      const rate = 0.01 / t;
      const x = tf.tensor4d(Float32Array.from({ length: batch * size * size }, () => random() * 2 - 1), [batch, size, size, 1]);
      const labels = tf.oneHot(tf.tensor3d(Int32Array.from({ length: batch * out * out }, () => (random() < 0.3 ? 1 : 0)), [batch, out, out], 'int32'), 2).toFloat() as tf.Tensor4D;
      const weights = tf.tensor3d(Float32Array.from({ length: batch * out * out }, () => 0.5 + random()), [batch, out, out]);
      const feeds: Record<string, ort.Tensor> = {
        image: new ort.Tensor('float32', x.dataSync() as Float32Array, [batch, 1, size, size]),
        labels: new ort.Tensor('float32', tf.tidy(() => labels.transpose([0, 3, 1, 2]).dataSync() as Float32Array), graph.labels.shape as number[]),
        weights: new ort.Tensor('float32', weights.dataSync() as Float32Array, graph.weights.shape as number[]),
        [graph.scalars.learningRate!]: new ort.Tensor('float32', Float32Array.of(rate), []),
      };
      if (optimizer.kind === 'adam') {
        feeds[graph.scalars.oneMinusBeta1Power!] = new ort.Tensor('float32', Float32Array.of(1 - optimizer.beta1 ** t), []);
        feeds[graph.scalars.oneMinusBeta2Power!] = new ort.Tensor('float32', Float32Array.of(1 - optimizer.beta2 ** t), []);
      }
      for (const p of graph.parameters) feeds[p.input] = new ort.Tensor('float32', state.get(p.input)!, p.shape as number[]);
      for (const s of [...graph.slots, ...graph.statistics]) feeds[s.input] = new ort.Tensor('float32', state.get(s.input)!, s.shape as number[]);
      const result = await session.run(feeds);
      for (const p of graph.parameters) state.set(p.input, result[p.next]!.data as Float32Array);
      for (const s of [...graph.slots, ...graph.statistics]) state.set(s.input, result[s.next]!.data as Float32Array);

      // As train() sets a scheduled rate (MomentumOptimizer keeps it in a tensor: setLearningRate).
      const settable = tfOptimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
      if (typeof settable.setLearningRate === 'function') settable.setLearningRate(rate);
      else settable.learningRate = rate;
      const loss = tfOptimizer.minimize(() => weightedSoftmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor, weights) as tf.Scalar, true, variables)!;
      expect(Math.abs((result[graph.loss]!.data as Float32Array)[0]! - loss.dataSync()[0]!)).toBeLessThan(1e-5);
      tf.dispose([x, labels, weights, loss]);
    }
    // Three steps compound float32 rounding (Adam divides by small second moments): 1e-3 after three steps.
    graph.parameters.forEach((p, i) => expect(relativeL2(state.get(p.input)!, layout(p, variables[i]!.dataSync() as Float32Array)), p.input).toBeLessThan(1e-3));
    // tfjs names slots after the variables, which carry a suffix when several models share a process.
    const variableName = new Map(graph.parameters.map((p, i) => [p.input, variables[i]!.name]));
    const slots = new Map((await tfOptimizer.getWeights()).map((w) => [w.name, w.tensor]));
    for (const s of graph.slots) {
      const p = graph.parameters.find((q) => q.input === s.parameter)!;
      const tfjsSlot = slots.get(s.tfjsName.replace(p.input, variableName.get(p.input)!))!;
      expect(relativeL2(state.get(s.input)!, layout(p, tfjsSlot.dataSync() as Float32Array)), s.tfjsName).toBeLessThan(1e-3);
    }
    expect(graph.statistics.length).toBe(2 * spec.nodes.filter((n) => n.kind === 'batchNorm').length);
    for (const s of graph.statistics) expect(relativeL2(state.get(s.input)!, weightByName.get(s.tfjsName)!.read().dataSync()), s.tfjsName).toBeLessThan(1e-4);
    tfOptimizer.dispose();
    await session.release();
    model.dispose();
  });

  it('with a random dropout mask: the loss equals a float64 reference and gradients equal its finite differences', async () => {
    const spec = unet({ depth: 2, baseFilters: 2, dropout: 0.5, outputActivation: 'linear' });
    const size = validInputSizes(spec)[0]!;
    const model = buildModel(spec, { inputSize: size, seed: 9 });
    const random = rng(21);
    randomiseWeights(model, random);
    const graph = trainingGraph(spec, { inputSize: size, batchSize: 1 });
    const [, classes, out] = graph.labels.shape as [number, number, number, number];
    const image = Float32Array.from({ length: size * size }, () => random() * 2 - 1);
    const labels = Int32Array.from({ length: out * out }, () => (random() < 0.4 ? 1 : 0));
    const pixelWeights = Float32Array.from({ length: out * out }, () => 0.5 + random());
    // Masks in NCHW for the graph, HWC for the reference.
    const masksNchw = graph.dropoutMasks.map((m) => Float32Array.from({ length: m.shape.reduce((a, b) => a * b, 1) }, () => (random() < m.rate ? 0 : 1 / (1 - m.rate))));
    const masksHwc = new Map(
      graph.dropoutMasks.map((m, i) => {
        const [, c, h, w] = m.shape as [number, number, number, number];
        return [m.layer, Float64Array.from({ length: c * h * w }, (_, j) => masksNchw[i]![(j % c) * h * w + Math.floor(j / c)]!)] as const;
      }),
    );
    // Float64 copies (typed as the reference's Float32Array), so finite differences can use a small step.
    const weights: Weights = new Map(model.layers.filter((l) => l.getWeights().length > 0).map((l) => [l.name, l.getWeights().map((w) => Float64Array.from(w.dataSync()) as unknown as Float32Array)]));
    const referenceLoss = () => {
      const logits = evaluate(spec, { h: size, w: size, c: 1, data: Float64Array.from(image) } as Map3, weights, masksHwc);
      let total = 0;
      for (let p = 0; p < out * out; p++) {
        const z = Array.from({ length: classes }, (_, k) => logits.data[p * classes + k]!);
        const max = Math.max(...z);
        const logSum = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
        total -= pixelWeights[p]! * (z[labels[p]!]! - logSum);
      }
      return total / (out * out);
    };

    const session = await ort.InferenceSession.create(graph.bytes);
    const oneHot = new Float32Array(classes * out * out);
    labels.forEach((c, p) => (oneHot[c * out * out + p] = 1));
    const feeds: Record<string, ort.Tensor> = {
      image: new ort.Tensor('float32', image, [1, 1, size, size]),
      labels: new ort.Tensor('float32', oneHot, graph.labels.shape as number[]),
      weights: new ort.Tensor('float32', pixelWeights, graph.weights.shape as number[]),
    };
    graph.parameters.forEach((p) => {
      const values = weights.get(p.layer)![p.key === 'kernel' ? 0 : 1]!;
      const single = Float32Array.from(values);
      feeds[p.input] = new ort.Tensor('float32', p.fromTfjs === undefined ? single : permute(single, p.tfjsShape, p.fromTfjs), p.shape as number[]);
    });
    graph.dropoutMasks.forEach((m, i) => (feeds[m.name] = new ort.Tensor('float32', masksNchw[i]!, m.shape as number[])));
    const result = await session.run(feeds);
    expect(Math.abs((result[graph.loss]!.data as Float32Array)[0]! - referenceLoss())).toBeLessThan(1e-5);
    expect(masksNchw.some((m) => m.includes(0))).toBe(true);

    // Central differences of the float64 reference, for a few weights in every layer of the network.
    const h = 1e-6;
    let checked = 0;
    for (const p of graph.parameters) {
      const values = weights.get(p.layer)![p.key === 'kernel' ? 0 : 1]!;
      const gradient = result[p.gradient]!.data as Float32Array;
      const toTfjs = p.fromTfjs === undefined ? gradient : permute(gradient, p.shape, p.fromTfjs.map((_, i) => p.fromTfjs!.indexOf(i)));
      for (const index of [0, Math.floor(values.length / 2), values.length - 1]) {
        const original = values[index]!;
        values[index] = original + h;
        const up = referenceLoss();
        values[index] = original - h;
        const down = referenceLoss();
        values[index] = original;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(toTfjs[index]! - numeric), `${p.input}[${index}]: ${toTfjs[index]} vs ${numeric}`).toBeLessThan(1e-3 * Math.max(Math.abs(numeric), 1e-2));
        checked++;
      }
    }
    expect(checked).toBe(3 * graph.parameters.length);
    await session.release();
    model.dispose();
  });

  it('computes no gradient of the image, and keeps one MaxUnpool per pooling', () => {
    const graph = trainingGraph(unet({ depth: 4, baseFilters: 2 }), { inputSize: 188, batchSize: 1 });
    const proto = onnx.ModelProto.decode(graph.bytes);
    const ops = proto.graph!.node!.map((n) => n.opType!);
    // Forward: 18 3x3 + 1 1x1 convolutions and 4 up-convs (ConvTranspose). Backward: the 4 up-convs' input
    // gradients (strided Conv) and the convolutions' input gradients (Conv of the flipped kernel), but not the first's (the image's).
    expect(ops.filter((o) => o === 'ConvTranspose').length).toBe(4);
    expect(ops.filter((o) => o === 'Conv').length).toBe(18 + 1 + 4 + 18);
    expect(ops.filter((o) => o === 'MaxUnpool').length).toBe(4);
    expect(graph.parameters.length).toBe(2 * (18 + 1 + 4));
  });

  it('refuses a tile size the spec cannot take and a bad batch size, naming them', () => {
    const spec = unet({ depth: 2 });
    expect(() => trainingGraph(spec, { inputSize: 101, batchSize: 1 })).toThrow(/inputSize/);
    expect(() => trainingGraph(spec, { inputSize: validInputSizes(spec)[0]!, batchSize: 0 })).toThrow(/batchSize.*positive integer.*0/);
  });
});
