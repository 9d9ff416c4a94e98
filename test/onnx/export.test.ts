// ONNX export checked by running the exported model in onnxruntime-node and
// comparing with the tfjs model it came from (random weights and inputs).
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  buildModel,
  onnxPredictor,
  predictTiled,
  readOnnxInfo,
  specToJSON,
  toOnnx,
  unet,
  validInputSizes,
  withInputSize,
  type OnnxLayout,
  type UNetOptions,
} from '../../src/index.js';
import { onnx } from '../../src/onnx/proto.js';
import type { onnx as OnnxSchema } from 'onnx-proto';
import { permute } from '../../src/onnx/export.js';
import { rng } from '../helpers/random.js';
import { randomiseBatchNorm, randomiseBiases } from '../helpers/weights.js';

function toNchw(x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => x.transpose([0, 3, 1, 2]).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const variants: UNetOptions[] = [
  { depth: 2, baseFilters: 4 },
  { depth: 2, baseFilters: 3, upsampling: 'bilinear' },
  { depth: 2, baseFilters: 3, padding: 'same', upsampling: 'bilinear', outputActivation: 'sigmoid', classes: 1 },
  { depth: 2, baseFilters: 3, upsampling: 'nearest', batchNorm: true, inChannels: 2, classes: 3 },
  { depth: 1, baseFilters: 3, padding: 'same', batchNorm: true, activation: 'elu', outputActivation: 'linear' },
];

describe('toOnnx', () => {
  it.each(variants.flatMap((v) => (['NHWC', 'NCHW'] as const).map((layout) => [JSON.stringify(v), layout, v] as const)))(
    'runs in onnxruntime-node like the tfjs model at two input sizes: %s %s',
    async (_, layout: OnnxLayout, options) => {
      const spec = unet(options);
      const sizes = validInputSizes(spec, { max: 120 });
      const model = buildModel(spec, { inputSize: sizes[1], seed: 4 });
      const random = rng(5);
      randomiseBatchNorm(model, random);
      randomiseBiases(model, random);
      const session = await ort.InferenceSession.create(toOnnx(model, spec, { layout }));
      const channels = options.inChannels ?? 1;
      for (const size of [sizes[1]!, sizes[3]!]) {
        const x = tf.tensor4d(Float32Array.from({ length: 2 * size * size * channels }, () => random() * 2 - 1), [2, size, size, channels]);
        const runner = withInputSize(model, spec, size);
        const y = runner.predict(x) as tf.Tensor4D;
        const feed = layout === 'NHWC' ? new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) : new ort.Tensor('float32', toNchw(x), [2, channels, size, size]);
        const result = (await session.run({ input: feed })).output!;
        const expected = layout === 'NHWC' ? y.dataSync() : toNchw(y);
        const expectedDims = layout === 'NHWC' ? y.shape : [y.shape[0], y.shape[3], y.shape[1], y.shape[2]];
        expect(result.dims).toEqual(expectedDims);
        expect(maxAbsDiff(result.data as Float32Array, expected)).toBeLessThan(1e-4);
        tf.dispose([x, y]);
        if (runner !== model) runner.dispose();
      }
      await session.release();
      model.dispose();
    },
  );

  it.each(['selu', 'relu6', 'swish', 'mish', 'gelu', 'tanh'] as const)('exports the %s activation', async (activation) => {
    const spec = unet({ depth: 1, baseFilters: 3, padding: 'same', activation });
    const model = buildModel(spec, { seed: 2 });
    const random = rng(6);
    randomiseBiases(model, random);
    const session = await ort.InferenceSession.create(toOnnx(model, spec));
    const x = tf.tensor4d(Float32Array.from({ length: 16 * 16 }, () => random() * 4 - 2), [1, 16, 16, 1]);
    const y = model.predict(x) as tf.Tensor;
    const result = (await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) })).output!;
    expect(maxAbsDiff(result.data as Float32Array, y.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    await session.release();
    model.dispose();
  });

  it('writes the paper network as the expected operators, without dropout, with its spec in the metadata', () => {
    const spec = unet({ dropout: 0.5 });
    const model = buildModel(spec, { inputSize: 188 });
    const bytes = toOnnx(model);
    const proto = onnx.ModelProto.decode(bytes);
    const counts = new Map<string, number>();
    for (const n of proto.graph!.node!) counts.set(n.opType!, (counts.get(n.opType!) ?? 0) + 1);
    // The paper's 23 convolutional layers: 18 3x3 with ReLU, the 1x1 output conv, 4 up-convolutions; 4 pools, crops, concatenations.
    expect(Object.fromEntries(counts)).toEqual({ Transpose: 2, Conv: 19, Relu: 18, MaxPool: 4, ConvTranspose: 4, Slice: 4, Concat: 4, Softmax: 1 });
    expect(Number(proto.opsetImport![0]!.version)).toBe(13);
    const params = proto.graph!.initializer!.filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT).reduce((sum, t) => sum + t.dims!.reduce((a, b) => a * Number(b), 1), 0);
    expect(params).toBe(model.countParams());
    const dims = (v: OnnxSchema.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(proto.graph!.input![0]!)).toEqual(['batch', 'height', 'width', 1]);
    expect(dims(proto.graph!.output![0]!)).toEqual(['batch', 'output_height', 'output_width', 2]);
    const info = readOnnxInfo(bytes);
    expect(specToJSON(info.spec)).toBe(specToJSON(spec));
    expect(info.layout).toBe('NHWC');
    expect(info.opset).toBe(13);
    model.dispose();
  });

  it('a fixed input size fixes every dimension but the batch', () => {
    const spec = unet({ depth: 1, baseFilters: 2 });
    const model = buildModel(spec, { inputSize: 20 });
    const proto = onnx.ModelProto.decode(toOnnx(model, spec, { inputSize: 20, layout: 'NCHW' }));
    const dims = (v: OnnxSchema.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(proto.graph!.input![0]!)).toEqual(['batch', 1, 20, 20]);
    // 20 -> 18 -> 16 -> pool 8 -> 6 -> 4 -> up 8 -> 6 -> 4 (hand-computed).
    expect(dims(proto.graph!.output![0]!)).toEqual(['batch', 2, 4, 4]);
    model.dispose();
  });

  it('rejects bad arguments with the argument named', () => {
    const spec = unet({ depth: 1, baseFilters: 2 });
    const model = buildModel(spec, { inputSize: 20 });
    expect(() => toOnnx(model, spec, { layout: 'HWCN' as OnnxLayout })).toThrow("`layout` must be 'NHWC' or 'NCHW'. Received: layout=\"HWCN\".");
    expect(() => readOnnxInfo(Uint8Array.of(1, 2, 3, 4, 5))).toThrow('`bytes` must be an ONNX model (ModelProto)');
    const foreign = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'pytorch' })).finish();
    expect(() => readOnnxInfo(foreign)).toThrow("`bytes` must be an ONNX model exported by tfjs-unet (metadata 'tfjs-unet.spec'). Received: bytes=\"pytorch\".");
    model.dispose();
  });
});

describe('permute', () => {
  it('transposes like numpy.transpose', () => {
    // a[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]; b = a.transpose(2, 0, 1): b[k][i][j] = a[i][j][k].
    const a = Float32Array.from({ length: 24 }, (_, n) => 100 * Math.floor(n / 12) + 10 * Math.floor((n % 12) / 4) + (n % 4));
    const b = permute(a, [2, 3, 4], [2, 0, 1]);
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(b[(k * 2 + i) * 3 + j]).toBe(100 * i + 10 * j + k);
  });
});

describe('predictTiled with an ONNX Runtime session', () => {
  it.each(['NHWC', 'NCHW'] as const)('equals the tfjs model tile for tile, with and without TTA (%s)', async (layout) => {
    const spec = unet({ depth: 2, baseFilters: 4, inChannels: 2, classes: 3 });
    const model = buildModel(spec, { inputSize: 92, seed: 8 });
    const random = rng(1);
    randomiseBiases(model, random);
    const bytes = toOnnx(model, spec, { layout });
    const predictor = onnxPredictor(await ort.InferenceSession.create(bytes), ort.Tensor, readOnnxInfo(bytes));
    const image = { data: Float32Array.from({ length: 70 * 45 * 2 }, () => random()), width: 70, height: 45, channels: 2 };
    for (const tta of [false, 3]) {
      const a = await predictTiled(model, image, { inputSize: 92, tta, batchSize: 2 });
      const b = await predictTiled(predictor, image, { inputSize: 92, tta, batchSize: 2 });
      expect(b.probabilities.shape).toEqual([45, 70, 3]);
      expect(maxAbsDiff(a.probabilities.dataSync(), b.probabilities.dataSync())).toBeLessThan(1e-4);
      tf.dispose([a.probabilities, a.labels, b.probabilities, b.labels]);
    }
    await predictor.dispose();
    model.dispose();
  });
});
