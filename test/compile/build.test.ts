import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildModel,
  graph,
  heStddev,
  InvalidTileSizeError,
  layerTable,
  outputSize,
  summary,
  unet,
  validInputSizes,
  withInputSize,
  type Depth,
  type Spec,
  type UNetOptions,
} from '../../src/index.js';
import { evaluate, type Map3 } from '../helpers/reference.js';
import { randomiseBatchNorm, weightsOf } from '../helpers/weights.js';
import { rng } from '../helpers/random.js';

const models: tf.LayersModel[] = [];
const keep = (m: tf.LayersModel) => (models.push(m), m);
afterEach(() => {
  while (models.length > 0) models.pop()!.dispose();
});

describe('buildModel: the paper network', () => {
  it('has exactly 31,030,658 parameters and 23 conv layers', () => {
    const model = keep(buildModel(unet(), { seed: 1 }));
    expect(model.countParams()).toBe(31_030_658);
    const convs = model.layers.filter((l) => ['Conv2D', 'Conv2DTranspose'].includes(l.getClassName()));
    expect(convs).toHaveLength(23);
    expect(model.inputs[0]!.shape).toEqual([null, 572, 572, 1]);
    expect(model.outputs[0]!.shape).toEqual([null, 388, 388, 2]);
    expect(summary(unet())).toContain('Total params: 31,030,658');

    // He init: untruncated Gaussian, std sqrt(2/N) with N = 9 * 512 for enc4_conv2 (2.36M draws).
    const kernel = model.getLayer('enc4_conv2').getWeights()[0]!;
    const { mean, variance } = tf.moments(kernel);
    const std = Math.sqrt(variance.dataSync()[0]!);
    expect(Math.abs(mean.dataSync()[0]!)).toBeLessThan(1e-3 * heStddev(9 * 512) * 10);
    expect(std / heStddev(9 * 512)).toBeCloseTo(1, 2);
    // Untruncated: about 4.55% of a Gaussian lies beyond 2 std (a truncated one has none).
    const beyond = tf.greater(tf.abs(kernel), 2 * heStddev(9 * 512)).sum().dataSync()[0]! / kernel.size;
    expect(beyond).toBeGreaterThan(0.04);
    // Up-convolutions: N = input channels (one tap per output pixel).
    const up = model.getLayer('dec4_upconv').getWeights()[0]!;
    expect(up.shape).toEqual([2, 2, 512, 1024]);
    expect(Math.sqrt(tf.moments(up).variance.dataSync()[0]!) / heStddev(1024)).toBeCloseTo(1, 2);
    tf.dispose([mean, variance]);
  });
});

describe('buildModel: geometry agrees with compiled shapes', () => {
  const cases: [Depth, UNetOptions['padding']][] = [1, 2, 3, 4, 5].flatMap((d) => [
    [d as Depth, 'valid'],
    [d as Depth, 'same'],
  ]);
  it.each(cases)('depth %i, %s padding', (depth, padding) => {
    const spec = unet({ depth, padding, baseFilters: 1, dropout: 0 });
    const sizes = validInputSizes(spec, { max: 1200 }).slice(0, 3);
    for (const size of sizes) {
      const model = keep(buildModel(spec, { inputSize: size, seed: 0 }));
      const out = outputSize(spec, size);
      expect(model.outputs[0]!.shape).toEqual([null, out, out, 2]);
      const rows = layerTable(spec, size);
      for (const row of rows.slice(1)) {
        expect(model.getLayer(row.name).outputShape).toEqual([null, row.height, row.width, row.channels]);
      }
    }
    // Run the smallest one for real.
    const model = keep(buildModel(spec, { inputSize: [sizes[0]!, sizes[1]!], seed: 0 }));
    const y = model.predict(tf.ones([1, sizes[0]!, sizes[1]!, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, ...outputSize(spec, [sizes[0]!, sizes[1]!]), 2]);
    y.dispose();
  });

  it('builds same-padding specs with a free input shape', () => {
    const model = keep(buildModel(unet({ depth: 2, baseFilters: 2, padding: 'same' })));
    expect(model.inputs[0]!.shape).toEqual([null, null, null, 1]);
    for (const [h, w] of [[8, 12], [16, 4]] as const) {
      const y = model.predict(tf.zeros([1, h, w, 1])) as tf.Tensor;
      expect(y.shape).toEqual([1, h, w, 2]);
      y.dispose();
    }
  });

  it('rejects a bad tile size before tfjs does', () => {
    expect(() => buildModel(unet({ depth: 2 }), { inputSize: 90 })).toThrow(InvalidTileSizeError);
    expect(() => buildModel(unet({ depth: 2 }), { inputSize: 90 })).toThrow('Nearest valid input tile sizes: 88 (below) and 92 (above).');
    expect(() => buildModel({ nodes: [] } as unknown as Spec)).toThrow('`spec` must be a spec made by unet(), graph() or specFromJSON()');
  });
});

describe('buildModel: numbers', () => {
  const variants: UNetOptions[] = [
    { depth: 1, baseFilters: 3 },
    { depth: 2, baseFilters: 2, upsampling: 'nearest', inChannels: 2, classes: 3 },
    { depth: 1, baseFilters: 2, upsampling: 'bilinear', batchNorm: true },
    { depth: 2, baseFilters: 2, padding: 'same', upsampling: 'bilinear', batchNorm: true, activation: 'elu' },
    { depth: 1, baseFilters: 2, padding: 'same', outputActivation: 'sigmoid', classes: 1 },
  ];
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('forward pass matches a direct reference: %s', (_, options) => {
    const spec = unet(options);
    const size = validInputSizes(spec, { max: 200 })[1]!;
    const model = keep(buildModel(spec, { inputSize: size, seed: 7 }));
    const random = rng(3);
    randomiseBatchNorm(model, random);
    const c = spec.options.inChannels;
    const input: Map3 = { h: size, w: size, c, data: Float64Array.from({ length: size * size * c }, () => random() * 2 - 1) };
    const expected = evaluate(spec, input, weightsOf(model));
    const y = model.predict(tf.tensor4d(Float32Array.from(input.data), [1, size, size, c])) as tf.Tensor;
    expect(y.shape).toEqual([1, expected.h, expected.w, expected.c]);
    const actual = y.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < actual.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected.data[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
    // The check is not vacuous: outputs vary across pixels.
    expect(Math.max(...expected.data) - Math.min(...expected.data)).toBeGreaterThan(1e-3);
    y.dispose();
  });

  it('center-crops skip connections', () => {
    // image -> valid 5x5 conv (loses 2 px per side); the image cropped to the conv's size must be the image's center.
    const spec = graph({
      name: 'crop_check',
      nodes: [
        { kind: 'input', name: 'image', channels: 1 },
        { kind: 'conv', name: 'c', input: 'image', filters: 1, kernelSize: 5, padding: 'valid', activation: 'linear', useBias: true, initializer: 'heNormal' },
        { kind: 'crop', name: 'skip', input: 'image', reference: 'c' },
        { kind: 'concat', name: 'both', inputs: ['skip', 'c'] },
      ],
      output: 'both',
    });
    const model = keep(buildModel(spec, { inputSize: [9, 11] }));
    const image = Array.from({ length: 9 * 11 }, (_, i) => i);
    const y = model.predict(tf.tensor4d(image, [1, 9, 11, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 5, 7, 2]);
    const channel0 = (y.slice([0, 0, 0, 0], [1, 5, 7, 1]).dataSync() as Float32Array);
    const expected: number[] = [];
    for (let r = 2; r < 7; r++) for (let col = 2; col < 9; col++) expected.push(r * 11 + col);
    expect(Array.from(channel0)).toEqual(expected);
    y.dispose();
  });

  it('is reproducible with a seed', () => {
    const spec = unet({ depth: 1, baseFilters: 2 });
    const a = keep(buildModel(spec, { seed: 5 })).getWeights().map((w) => Array.from(w.dataSync()));
    const b = keep(buildModel(spec, { seed: 5 })).getWeights().map((w) => Array.from(w.dataSync()));
    const c = keep(buildModel(spec, { seed: 6 })).getWeights().map((w) => Array.from(w.dataSync()));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('one trained model, every valid tile size', () => {
  it.each(['transpose', 'bilinear', 'nearest'] as const)('withInputSize shares weights and predicts consistently at two sizes (%s)', (upsampling) => {
    const spec = unet({ depth: 2, baseFilters: 2, dropout: 0, upsampling });
    const [small, large] = [validInputSizes(spec, { max: 200 })[0]!, validInputSizes(spec, { max: 200 })[4]!];
    const model = keep(buildModel(spec, { inputSize: large, seed: 11 }));
    const other = keep(withInputSize(model, spec, small));
    expect(other.inputs[0]!.shape).toEqual([null, small, small, 1]);
    // Same variables: changing one model's weights changes the other's.
    model.getLayer('enc1_conv1').setWeights(model.getLayer('enc1_conv1').getWeights().map((w) => w.mul(2)));
    expect(other.getLayer('enc1_conv1').getWeights()[0]!.dataSync()).toEqual(model.getLayer('enc1_conv1').getWeights()[0]!.dataSync());
    // A valid U-Net is translation-equivariant: the small tile's output is the center of the large tile's output
    // when the small input is the center of the large input.
    const random = rng(9);
    const image = tf.tensor4d(Float32Array.from({ length: large * large }, () => random()), [1, large, large, 1]);
    const offset = (large - small) / 2;
    const yLarge = model.predict(image) as tf.Tensor;
    const ySmall = other.predict(image.slice([0, offset, offset, 0], [1, small, small, 1])) as tf.Tensor;
    const outSmall = outputSize(spec, small);
    const center = yLarge.slice([0, offset, offset, 0], [1, outSmall, outSmall, 2]);
    expect(tf.max(tf.abs(tf.sub(center, ySmall))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([image, yLarge, ySmall, center]);
  });

  it('saved models load with plain tf.loadLayersModel (no custom objects)', async () => {
    for (const options of [{ depth: 2, baseFilters: 2 }, { depth: 1, baseFilters: 2, upsampling: 'bilinear', batchNorm: true }] as const) {
      const spec = unet(options);
      const size = validInputSizes(spec, { max: 200 })[0]!;
      const model = keep(buildModel(spec, { inputSize: size, seed: 2 }));
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const loaded = keep(await tf.loadLayersModel(tf.io.fromMemory(saved!)));
      const x = tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 4);
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
      // And the loaded model serves another tile size through the spec.
      const bigger = keep(withInputSize(loaded, spec, validInputSizes(spec, { max: 300 })[3]!));
      expect(bigger.outputs[0]!.shape[1]).toBe(outputSize(spec, validInputSizes(spec, { max: 300 })[3]!));
      tf.dispose([x, a, b]);
    }
  });

  it('withInputSize names a missing layer', () => {
    const model = keep(buildModel(unet({ depth: 1, baseFilters: 2 })));
    expect(() => withInputSize(model, unet({ depth: 2, baseFilters: 2 }), 92)).toThrow(
      /must have a layer for every node of the spec; it has no layer `enc2_conv1`/,
    );
  });
});
