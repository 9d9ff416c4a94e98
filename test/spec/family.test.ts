// The U-Net family (resUnet, attentionUnet): structure, parameter counts
// against a closed form, the forward pass against the naive reference
// interpreter, tiled == untiled (valid), ONNX Runtime == tfjs, JSON round
// trips and plain tf.loadLayersModel.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentArchitectureName,
  ARCHITECTURE_PRESETS,
  attentionUnet,
  boundaryIndex,
  buildModel,
  countParams,
  graph,
  layerTable,
  margin,
  outputChannels,
  outputSize,
  nearestValidInputSize,
  predictTiled,
  presetSpec,
  resUnet,
  unetPlusPlus,
  specFromJSON,
  specToJSON,
  toOnnx,
  unet,
  validInputSizes,
  withInputSize,
  type ArchitecturePresetName,
  type Depth,
  type Spec,
  type UNetOptions,
} from '../../src/index.js';
import { evaluate, type Map3 } from '../helpers/reference.js';
import { randomiseBatchNorm, randomiseBiases, weightsOf } from '../helpers/weights.js';
import { rng } from '../helpers/random.js';

const models: tf.LayersModel[] = [];
const keep = (m: tf.LayersModel) => (models.push(m), m);
afterEach(() => {
  while (models.length > 0) models.pop()!.dispose();
});

interface Member {
  readonly label: string;
  readonly build: (o: UNetOptions) => Spec;
  readonly residual: 'none' | 'encoder' | 'all';
  readonly attention: boolean;
  /** U-Net++'s nested skips instead of the U-Net's decoder. */
  readonly nested?: boolean;
}

const MEMBERS: readonly Member[] = [
  { label: 'resUnet', build: (o) => resUnet(o), residual: 'all', attention: false },
  { label: 'resUnet (residual encoder)', build: (o) => resUnet({ ...o, residualDecoder: false }), residual: 'encoder', attention: false },
  { label: 'attentionUnet', build: (o) => attentionUnet(o), residual: 'none', attention: true },
  { label: 'unetPlusPlus', build: (o) => unetPlusPlus(o), residual: 'none', attention: false, nested: true },
];

/**
 * Parameter count from the architecture's definition: a k x k conv from cin
 * to cout has k*k*cin*cout weights plus a bias, or with batch norm no bias
 * and 4*cout batch-norm values (gamma, beta, moving mean and variance).
 */
function closedFormParams(o: Required<Pick<UNetOptions, 'depth' | 'baseFilters' | 'inChannels' | 'classes' | 'batchNorm'>>, residual: Member['residual'], attention: boolean, nested = false): number {
  const conv = (cin: number, cout: number, k: number) => k * k * cin * cout + (o.batchNorm ? 4 * cout : cout);
  const level = (cin: number, f: number, isResidual: boolean) => conv(cin, f, 3) + conv(f, f, 3) + (isResidual && cin !== f ? conv(cin, f, 1) : 0);
  const f = (l: number) => o.baseFilters * 2 ** (l - 1);
  let total = 0;
  for (let l = 1; l <= o.depth; l++) total += level(l === 1 ? o.inChannels : f(l - 1), f(l), residual !== 'none');
  total += level(f(o.depth), f(o.depth + 1), residual !== 'none');
  if (nested) {
    // Block (i, j), level i from 0: an up-convolution from level i+1, then two convs over j skips and the upsampled map.
    for (let j = 1; j <= o.depth; j++) for (let i = 0; i + j <= o.depth; i++) total += 2 * 2 * f(i + 2) * f(i + 1) + f(i + 1) + level((j + 1) * f(i + 1), f(i + 1), false);
    return total + f(1) * o.classes + o.classes;
  }
  for (let l = o.depth; l >= 1; l--) {
    total += 2 * 2 * (2 * f(l)) * f(l) + f(l); // 2x2 up-convolution from the level below, with bias
    if (attention) {
      const gate = Math.floor(f(l) / 2);
      total += 2 * conv(f(l), gate, 1) + conv(gate, 1, 1);
    }
    total += level(2 * f(l), f(l), residual === 'all');
  }
  return total + f(1) * o.classes + o.classes;
}

/** Random batch-norm statistics and biases, so neither is an identity or zero in the checks. */
function randomise(model: tf.LayersModel, random: () => number): void {
  randomiseBatchNorm(model, random);
  randomiseBiases(model, random);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const cases = MEMBERS.flatMap((member) =>
  ([
    { depth: 2, baseFilters: 4, dropout: 0 },
    { depth: 2, baseFilters: 3, padding: 'same', batchNorm: true, inChannels: 2, classes: 3 },
  ] as const satisfies readonly UNetOptions[]).map((options) => [`${member.label} ${JSON.stringify(options)}`, member, options as UNetOptions] as const),
);

describe('the U-Net family', () => {
  it('records its builder, round-trips through JSON, and names its parts', () => {
    const res = resUnet({ depth: 1, baseFilters: 4, dropout: 0 });
    expect(res.builder).toBe('resUnet');
    expect(res.name).toBe('resUnet');
    expect(res.nodes.map((n) => n.name).slice(0, 8)).toEqual(['image', 'enc1_conv1', 'enc1_conv2', 'enc1_shortcut_trim', 'enc1_shortcut', 'enc1_add', 'enc1_act', 'enc1_pool']);
    expect(res.nodes.find((n) => n.name === 'enc1_conv2')).toMatchObject({ activation: 'linear' });
    const att = attentionUnet({ depth: 1, baseFilters: 4, padding: 'same', dropout: 0 });
    expect(att.builder).toBe('attentionUnet');
    expect(att.nodes.find((n) => n.name === 'dec1_att_gate')).toEqual({ kind: 'multiply', name: 'dec1_att_gate', input: 'enc1_conv2', gate: 'dec1_att_sigmoid' });
    expect(att.nodes.find((n) => n.name === 'dec1_concat')).toMatchObject({ inputs: ['dec1_att_gate', 'dec1_upconv'] });
    for (const spec of [res, att, resUnet({ padding: 'same', batchNorm: true, residualDecoder: false, depth: 3 }), attentionUnet({ batchNorm: true })]) {
      const again = specFromJSON(specToJSON(spec));
      expect(again).toEqual(spec);
      const tampered = JSON.parse(specToJSON(spec));
      tampered.options.baseFilters = 8;
      expect(() => specFromJSON(tampered)).toThrow(`must be exactly the graph that spec.options builds with builder '${spec.builder}'`);
    }
    expect(() => resUnet({ residualDecoder: 'yes' } as never)).toThrow('`residualDecoder` must be a boolean');
  });

  it('loads specs saved under the builder names of 0.1 (resunet, attention_unet, unet_plus_plus) as the same networks', () => {
    const former = { resUnet: 'resunet', attentionUnet: 'attention_unet', unetPlusPlus: 'unet_plus_plus' } as const;
    for (const spec of [resUnet({ depth: 2, baseFilters: 4 }), attentionUnet({ depth: 2, baseFilters: 4 }), unetPlusPlus({ depth: 2, baseFilters: 4 })]) {
      const saved = JSON.parse(specToJSON(spec));
      saved.builder = former[spec.builder as keyof typeof former];
      expect(saved.builder).toBeDefined();
      expect(specFromJSON(saved)).toEqual(spec);
    }
    expect(currentArchitectureName('resenc-unet')).toBe('resEncUnet');
    expect(currentArchitectureName('unet')).toBe('unet');
    expect(currentArchitectureName('toString')).toBe('toString');
  });

  it('refuses add and multiply nodes whose inputs do not fit, naming the node', () => {
    const conv = (name: string, input: string, filters: number) =>
      ({ kind: 'conv', name, input, filters, kernelSize: 3, padding: 'same', activation: 'relu', useBias: true, initializer: 'heNormal' }) as const;
    const base = [{ kind: 'input', name: 'image', channels: 1 } as const, conv('a', 'image', 4), conv('b', 'image', 8), conv('g', 'image', 2)];
    expect(() => graph({ name: 'bad', nodes: [...base, { kind: 'add', name: 'sum', inputs: ['a', 'b'] }], output: 'sum' })).toThrow(
      '`nodes[4] (sum)` must combine inputs whose channel counts fit: add `sum` would sum maps of different channel counts (4, 8)',
    );
    expect(() => graph({ name: 'bad', nodes: [...base, { kind: 'multiply', name: 'gated', input: 'b', gate: 'g' }], output: 'gated' })).toThrow(
      'multiply `gated` needs a gate of 1 or 8 channels, got 2',
    );
    const valid = graph({ name: 'ok', nodes: [...base.slice(0, 2), conv('c', 'a', 4), { kind: 'add', name: 'sum', inputs: ['a', 'c'] }], output: 'sum' });
    expect(layerTable(valid, 16).at(-1)).toMatchObject({ kind: 'add', channels: 4, height: 16 });
    expect(outputChannels(valid)).toBe(4);
    expect(outputChannels(unetPlusPlus({ depth: 2, classes: 5 }))).toBe(5);
    // Valid convs shrink one branch: the add's size rule names the mismatch.
    const shrinking = graph({ name: 'v', nodes: [base[0]!, conv('a', 'image', 4), { ...conv('c', 'a', 4), padding: 'valid' }, { kind: 'add', name: 'sum', inputs: ['a', 'c'] }], output: 'sum' });
    expect(() => outputSize(shrinking, 16)).toThrow('add `sum` would join maps of different sizes (16, 14)');
  });

  it.each(MEMBERS.map((m) => [m.label, m] as const))('%s: parameter counts equal the closed form', (_, member) => {
    const paper = { depth: 4, baseFilters: 64, inChannels: 1, classes: 2, batchNorm: false } as const;
    expect(closedFormParams(paper, 'none', false)).toBe(countParams(unet()).total); // the closed form itself, on the paper's 31,030,658
    for (const o of [paper, { depth: 2, baseFilters: 5, inChannels: 3, classes: 4, batchNorm: true }, { depth: 3, baseFilters: 8, inChannels: 1, classes: 2, batchNorm: false }] as const) {
      for (const padding of ['valid', 'same'] as const) {
        expect(countParams(member.build({ ...o, padding })).total, `${JSON.stringify(o)} ${padding}`).toBe(closedFormParams(o, member.residual, member.attention, member.nested));
      }
    }
  });

  it('presets: builder, description, and pinned parameter counts that equal the closed form', () => {
    const pinned: Record<string, [number, Member['residual'], boolean]> = {
      paper2015: [31_030_658, 'none', false],
      unet: [7_768_386, 'none', false],
      resUnet: [8_122_466, 'all', false],
      resEncUnet: [7_946_466, 'encoder', false],
      attentionUnet: [7_857_602, 'none', true],
    };
    expect(countParams(presetSpec('unetPlusPlus')).total).toBe(9_052_578);
    expect(closedFormParams({ depth: 4, baseFilters: 32, inChannels: 1, classes: 2, batchNorm: true }, 'none', false, true)).toBe(9_052_578);
    for (const [name, [count, residual, attention]] of Object.entries(pinned)) {
      const preset = ARCHITECTURE_PRESETS[name as ArchitecturePresetName];
      const spec = presetSpec(name as ArchitecturePresetName);
      expect(spec.builder).toBe(preset.builder);
      expect(preset.description.length).toBeGreaterThan(40);
      expect(countParams(spec).total, name).toBe(count);
      const o = spec.options as { depth: Depth; baseFilters: number; inChannels: number; classes: number; batchNorm: boolean };
      expect(closedFormParams(o, residual, attention), name).toBe(count);
    }
    expect(countParams(presetSpec('small')).total).toBe(483_874);
    expect(presetSpec('resEncUnet', { classes: 3 }).options).toMatchObject({ classes: 3, residualDecoder: false });
    expect(() => presetSpec('vnet' as ArchitecturePresetName)).toThrow("`preset` must be one of 'paper2015', 'small', 'unet', 'resUnet', 'resEncUnet', 'attentionUnet', 'unetPlusPlus'");
  });

  it.each(cases)('%s: the tfjs forward pass equals the naive reference interpreter', (_, member, options) => {
    const spec = member.build(options);
    const size = validInputSizes(spec, { max: 120 })[1]!;
    const model = keep(buildModel(spec, { inputSize: size, seed: 11 }));
    const random = rng(5);
    randomise(model, random);
    const c = options.inChannels ?? 1;
    const input: Map3 = { h: size, w: size, c, data: Float64Array.from({ length: size * size * c }, () => random() * 2 - 1) };
    const expected = evaluate(spec, input, weightsOf(model));
    const y = model.predict(tf.tensor4d(Float32Array.from(input.data), [1, size, size, c])) as tf.Tensor;
    expect(y.shape).toEqual([1, expected.h, expected.w, expected.c]);
    expect(maxAbsDiff(y.dataSync(), expected.data)).toBeLessThan(1e-4);
    expect(Math.max(...expected.data) - Math.min(...expected.data)).toBeGreaterThan(1e-3);
    y.dispose();
  });

  it.each(cases)('%s: ONNX Runtime runs the export like tfjs', async (_, member, options) => {
    const spec = member.build(options);
    const sizes = validInputSizes(spec, { max: 120 });
    const model = keep(buildModel(spec, { inputSize: sizes[1], seed: 4 }));
    const random = rng(6);
    randomise(model, random);
    const session = await ort.InferenceSession.create(toOnnx(model, spec));
    const c = options.inChannels ?? 1;
    for (const size of [sizes[1]!, sizes[2]!]) {
      const x = tf.tensor4d(Float32Array.from({ length: 2 * size * size * c }, () => random() * 2 - 1), [2, size, size, c]);
      const runner = withInputSize(model, spec, size);
      const y = runner.predict(x) as tf.Tensor4D;
      const result = (await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) })).output!;
      expect(result.dims).toEqual(y.shape);
      expect(maxAbsDiff(result.data as Float32Array, y.dataSync())).toBeLessThan(1e-4);
      tf.dispose([x, y]);
      if (runner !== model) runner.dispose();
    }
    await session.release();
  });

  it.each(MEMBERS.map((m) => [m.label, m] as const))('%s (valid): overlap-tile prediction equals the untiled pass', async (_, member) => {
    const spec = member.build({ depth: 2, baseFilters: 3, dropout: 0 });
    const tile = validInputSizes(spec, { min: 80, max: 120 })[0]!;
    const model = keep(buildModel(spec, { inputSize: tile, seed: 3 }));
    randomise(model, rng(9));
    const [H, W] = [70, 53];
    const random = rng(2);
    const image = tf.tensor3d(Float32Array.from({ length: H * W }, () => random()), [H, W, 1]);
    const { probabilities, labels } = await predictTiled(model, image, { inputSize: tile, batchSize: 2 });
    // The untiled pass: the whole image mirror-padded by the margin, one prediction.
    const k = margin(spec);
    const S = nearestValidInputSize(spec, Math.max(H, W) + 2 * k, 'up')!;
    const src = image.dataSync();
    const padded = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) padded[y * S + x] = src[boundaryIndex(y - k, H, 'mirror') * W + boundaryIndex(x - k, W, 'mirror')]!;
    const big = keep(withInputSize(model, spec, S));
    const full = tf.tidy(() => (big.predict(tf.tensor4d(padded, [1, S, S, 1])) as tf.Tensor4D).slice([0, 0, 0, 0], [1, H, W, -1]).squeeze([0]));
    expect(maxAbsDiff(probabilities.dataSync(), full.dataSync())).toBeLessThan(1e-4);
    tf.dispose([image, probabilities, labels, full]);
  });

  it.each(MEMBERS.map((m) => [m.label, m] as const))('%s: a saved model loads with plain tf.loadLayersModel', async (_, member) => {
    const spec = member.build({ depth: 1, baseFilters: 3, batchNorm: true });
    const size = validInputSizes(spec, { max: 100 })[0]!;
    const model = keep(buildModel(spec, { inputSize: size, seed: 2 }));
    randomise(model, rng(4));
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = keep(await tf.loadLayersModel(tf.io.fromMemory(saved!)));
    const x = tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 4);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
  });
});
