// Deep supervision: where the builders put heads, where a head lies in the output window
// (hand-computed for the paper's network), its pooled targets (hand-made labels), nnU-Net's
// loss weights (closed form), and the heads' outputs against the naive reference interpreter.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attentionUnet,
  buildModel,
  graph,
  headTargets,
  nodeScales,
  outputChannels,
  registerBuilder,
  resolveUNetOptions,
  resUnet,
  supervisedNodes,
  supervisionHeads,
  supervisionLossWeights,
  supervisionPoints,
  train,
  unet,
  unetPlusPlus,
  validInputSizes,
  withSupervisionHeads,
  type Spec,
} from '../../src/index.js';
import { tilesToArrays, type Tile } from '../../src/train/tiles.js';
import { conv, evaluate, slice, type Map3 } from '../helpers/reference.js';
import { randomiseBatchNorm, randomiseBiases, weightsOf } from '../helpers/weights.js';
import { rng } from '../helpers/random.js';
import { dataset } from './fixtures/data.js';

const models: tf.LayersModel[] = [];
const keep = (m: tf.LayersModel) => (models.push(m), m);
afterEach(() => {
  while (models.length > 0) models.pop()!.dispose();
});

describe('where heads attach', () => {
  it("the U-Net family: the decoder's level outputs at 1/2, 1/4, ..., nearest the output first; true leaves out the coarsest (nnU-Net)", () => {
    for (const spec of [unet(), resUnet({ padding: 'same', batchNorm: true }), attentionUnet({ depth: 4 })]) {
      const points = supervisionPoints(spec);
      const scales = nodeScales(spec);
      expect(points.map((p) => scales.get(p))).toEqual([2, 4, 8]);
      // Each is a decoder level's last map: the input of the next finer level's upsampling.
      const upsamplers = spec.nodes.filter((n) => n.kind === 'upconv' || (n.kind === 'conv' && n.name.endsWith('_upsample_conv')));
      for (const point of points) expect(spec.nodes.some((n) => 'input' in n && n.input === point && n.name.startsWith('dec'))).toBe(true);
      expect(upsamplers.length).toBeGreaterThan(0);
      expect(supervisedNodes(spec, true)).toEqual(points.slice(0, 2));
      expect(supervisedNodes(spec, 3)).toEqual(points);
      expect(supervisedNodes(spec, false)).toEqual([]);
    }
    expect(supervisionPoints(unet({ depth: 2 }))).toEqual(['dec2_conv2']);
    expect(supervisedNodes(unet({ depth: 2 }), true)).toEqual(['dec2_conv2']);
  });

  it("U-Net++: Zhou's nested full-resolution maps x0_<depth-1> .. x0_1", () => {
    const spec = unetPlusPlus({ depth: 3 });
    expect(supervisionPoints(spec)).toEqual(['x0_2_conv2', 'x0_1_conv2']);
    expect([...new Set(supervisionPoints(spec).map((p) => nodeScales(spec).get(p)))]).toEqual([1]);
  });

  it('hand-built graphs and builders without places take named nodes, and bad options are named', () => {
    const spec = unet({ depth: 2, baseFilters: 4 });
    const hand = graph({ name: 'hand', nodes: spec.nodes, output: spec.output });
    expect(supervisionPoints(hand)).toEqual([]);
    expect(() => supervisedNodes(hand, true)).toThrow(/deepSupervision.*name the nodes to supervise.*hand-built graph/);
    expect(supervisedNodes(hand, ['dec2_conv2', 'bottleneck_conv2'])).toEqual(['dec2_conv2', 'bottleneck_conv2']);
    expect(() => supervisedNodes(spec, ['nope'])).toThrow(/deepSupervision\[0\].*must name a node of the spec/);
    expect(() => supervisedNodes(spec, ['dec2_conv2', 'dec2_conv2'])).toThrow(/deepSupervision\[1\].*must not repeat/);
    expect(() => supervisedNodes(spec, [spec.output])).toThrow(/deepSupervision\[0\].*not the input or the output/);
    expect(() => supervisedNodes(spec, 2)).toThrow(/deepSupervision.*integer in \[0, 1\]/);
    expect(() => supervisedNodes(spec, 0.5)).toThrow(/deepSupervision.*integer/);
    registerBuilder({ name: 'plainUnetWithoutPlaces', resolve: resolveUNetOptions, build: (o) => ({ ...unet(o), builder: 'plainUnetWithoutPlaces' }) as Spec<typeof o> });
    expect(supervisionPoints({ ...spec, builder: 'plainUnetWithoutPlaces' } as Spec)).toEqual([]);
  });
});

describe('supervisionHeads', () => {
  it("the paper's network at 572 px (388 px output), by hand", () => {
    // Decoder maps: level 2 196 px at scale 2 (392 px), level 3 100 px at 4 (400 px), level 4 52 px at 8 (416 px).
    const heads = supervisionHeads(unet(), 572, supervisionPoints(unet()));
    expect(heads.map(({ name, input, scale, mapSize, trim, size, offset }) => ({ name, input, scale, mapSize, trim, size, offset }))).toEqual([
      // 392 - 388 = 4 px over: 2 per side = 1 map pixel; 194 pixels cover output pixels 0..387.
      { name: 'supervision_1', input: 'dec2_conv2', scale: 2, mapSize: 196, trim: 1, size: 194, offset: 0 },
      // 12 px over: 6 per side = 1.5 map pixels, so 2 are trimmed; 96 x 4 = 384 px from output pixel 2.
      { name: 'supervision_2', input: 'dec3_conv2', scale: 4, mapSize: 100, trim: 2, size: 96, offset: 2 },
      // 28 px over: 14 per side = 1.75 map pixels -> 2; 48 x 8 = 384 px from (388 - 416) / 2 + 16 = 2.
      { name: 'supervision_3', input: 'dec4_conv2', scale: 8, mapSize: 52, trim: 2, size: 48, offset: 2 },
    ]);
    for (const h of heads) expect(h.offset + h.size * h.scale).toBeLessThanOrEqual(388);
  });

  it('same padding: heads cover the output exactly, nothing trimmed', () => {
    const spec = unet({ depth: 3, padding: 'same' });
    expect(supervisionHeads(spec, 64, supervisionPoints(spec)).map((h) => [h.scale, h.mapSize, h.trim, h.size, h.offset])).toEqual([
      [2, 32, 0, 32, 0],
      [4, 16, 0, 16, 0],
    ]);
  });

  it('names the node when a head keeps no pixel, or its layer name is taken', () => {
    const spec = unet({ depth: 3, baseFilters: 2 });
    const smallest = validInputSizes(spec)[0]!;
    expect(() => supervisionHeads(spec, smallest, ['dec3_conv2'])).toThrow(/deepSupervision\[0\].*must keep a pixel inside the 4 px output window.*dec3_conv2/);
    const renamed = graph({ name: 'n', nodes: unet({ depth: 1, padding: 'same' }).nodes.map((n) => (n.name === 'dec1_conv2' ? { ...n, name: 'supervision_1' } : n.kind === 'conv' && n.input === 'dec1_conv2' ? { ...n, input: 'supervision_1' } : n)), output: 'output' });
    expect(() => supervisionHeads(renamed, 16, ['bottleneck_conv2'])).toThrow(/needs the layer name 'supervision_1'/);
  });
});

describe('targets and weights', () => {
  it("nnU-Net's loss weights: 1, 1/2, 1/4 normalised", () => {
    expect(supervisionLossWeights(0)).toEqual([1]);
    const w = supervisionLossWeights(2);
    [4 / 7, 2 / 7, 1 / 7].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
    expect(() => supervisionLossWeights(-1)).toThrow(/heads/);
  });

  it('pools class shares and weights over each block, in both layouts (hand-made 6x6 window)', () => {
    // Labels of a 6x6 output window; a head at scale 2 from offset 1 covers rows/columns 1..4 in 2x2 blocks.
    const labels = [
      0, 0, 0, 0, 0, 0,
      0, 1, 1, 0, 2, 0,
      0, 1, 0, 0, 2, 0,
      0, 2, 2, 1, 1, 0,
      0, 2, 2, 1, 0, 0,
      0, 0, 0, 0, 0, 0,
    ];
    const weights = Float32Array.from({ length: 36 }, (_, p) => 1 + (p % 6));
    const tile: Tile = {
      image: { data: new Float32Array(36), width: 6, height: 6, channels: 1 },
      label: { data: Int32Array.from(labels), width: 6, height: 6, channels: 1 },
      weights: { data: weights, width: 6, height: 6, channels: 1 },
      source: 0,
    };
    const head = { name: 'supervision_1', input: 'x', scale: 2, mapSize: 3, trim: 0, size: 2, offset: 1 };
    // Block (0,0): rows 1-2, cols 1-2 = 1,1,1,0 -> shares [1/4, 3/4, 0]; weights (2+3+2+3)/4 = 2.5.
    // Block (0,1): cols 3-4 = 0,2,0,2 -> [1/2, 0, 1/2]; (4+5+4+5)/4 = 4.5.
    // Block (1,0): rows 3-4 = 2,2,2,2 -> [0, 0, 1]; 2.5.   Block (1,1): 1,1,1,0 -> [1/4, 3/4, 0]; 4.5.
    const shares = [
      [1 / 4, 3 / 4, 0],
      [1 / 2, 0, 1 / 2],
      [0, 0, 1],
      [1 / 4, 3 / 4, 0],
    ];
    for (const layout of ['NHWC', 'NCHW'] as const) {
      const [t] = headTargets(tilesToArrays([tile, tile], 3, layout), [head], layout);
      expect(t!.yShape).toEqual(layout === 'NHWC' ? [2, 2, 2, 3] : [2, 3, 2, 2]);
      expect(Array.from(t!.weights)).toEqual([2.5, 4.5, 2.5, 4.5, 2.5, 4.5, 2.5, 4.5]);
      for (let b = 0; b < 2; b++)
        shares.forEach((s, q) => s.forEach((v, c) => expect(t!.y[layout === 'NHWC' ? (b * 4 + q) * 3 + c : (b * 3 + c) * 4 + q]).toBeCloseTo(v, 6)));
    }
    expect(() => headTargets(tilesToArrays([tile], 3), [{ ...head, offset: 3 }], 'NHWC')).toThrow(/heads\[0\].*inside the 6 px output window/);
  });
});

describe('withSupervisionHeads', () => {
  it.each([
    ['U-Net, valid (trimmed)', unet({ depth: 3, baseFilters: 2, dropout: 0 }), true],
    ['ResUNet, same, batch norm, 3 classes', resUnet({ depth: 2, baseFilters: 3, padding: 'same', batchNorm: true, classes: 3 }), 1],
    ['U-Net++, valid', unetPlusPlus({ depth: 3, baseFilters: 2, dropout: 0 }), 2],
  ] as const)('%s: outputs [output, heads], each head = the reference interpreter at its node, 1x1 conv, trimmed; weights shared', (_, spec, option) => {
    const size = validInputSizes(spec, { max: 200 })[2]!;
    const model = keep(buildModel(spec, { inputSize: size, seed: 1 }));
    const heads = supervisionHeads(spec, size, supervisedNodes(spec, option));
    const classes = outputChannels(spec);
    const training = keep(withSupervisionHeads(model, spec, size, heads, { classes, seed: 2 }));
    const random = rng(3);
    randomiseBiases(training, random);
    randomiseBatchNorm(training, random);
    expect(training.outputs.length).toBe(1 + heads.length);
    // The model's own layers are shared (not copied); the heads are new.
    for (const layer of model.layers.filter((l) => l.weights.length > 0)) expect(training.getLayer(layer.name)).toBe(layer);
    expect(model.layers.some((l) => l.name.startsWith('supervision_'))).toBe(false);
    const input: Map3 = { h: size, w: size, c: 1, data: Float64Array.from({ length: size * size }, () => random() * 2 - 1) };
    const weights = weightsOf(training);
    const outputs = training.predict(tf.tensor4d(Float32Array.from(input.data), [1, size, size, 1])) as tf.Tensor[];
    const main = evaluate(spec, input, weights);
    expect(maxAbsDiff(outputs[0]!.dataSync(), main.data)).toBeLessThan(1e-4);
    heads.forEach((h, k) => {
      const map = evaluate(spec, input, weights, undefined, h.input);
      const [kernel, bias] = weights.get(h.name)!;
      const scores = conv(map, kernel!, bias, 1, classes, 'valid');
      const expected = slice(scores, h.trim, h.trim, h.size, h.size);
      expect(outputs[k + 1]!.shape).toEqual([1, h.size, h.size, classes]);
      expect(maxAbsDiff(outputs[k + 1]!.dataSync(), expected.data), h.name).toBeLessThan(1e-4);
      expect(Math.max(...expected.data) - Math.min(...expected.data)).toBeGreaterThan(1e-3);
    });
    tf.dispose(outputs);
  });
});

describe('train with deep supervision', () => {
  it('keeps tf.memory().numTensors flat on the tfjs engine, leaves the model one output and no head weights', async () => {
    const spec = unet({ depth: 2, baseFilters: 2, dropout: 0 });
    const model = keep(buildModel(spec, { inputSize: 44, seed: 1 }));
    const before = model.weights.length;
    const counts: number[] = [];
    await train(model, dataset(2), { steps: 12, seed: 1, deepSupervision: true, validation: { holdOut: 0.5, every: 4 }, calibrate: false, onStep: () => void counts.push(tf.memory().numTensors) });
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(model.outputs.length).toBe(1);
    expect(model.weights.length).toBe(before);
  });

  it('names a bad option before any step', async () => {
    const model = keep(buildModel(unet({ depth: 2, baseFilters: 2 }), { inputSize: 44, seed: 1 }));
    let steps = 0;
    await expect(train(model, dataset(2), { steps: 2, deepSupervision: 3, onStep: () => void steps++ })).rejects.toThrow(/deepSupervision.*integer in \[0, 1\]/);
    await expect(train(model, dataset(2), { steps: 2, deepSupervision: ['enc9'], onStep: () => void steps++ })).rejects.toThrow(/deepSupervision\[0\].*must name a node/);
    expect(steps).toBe(0);
  });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
