// Package axes -> tile geometry: sizes, margins, halos, axis orders; refusals name the field.
import { describe, expect, it } from 'vitest';
import { parseModelRdf, packageLayout, rdfFiles, reorder, stepGeometry } from '../../src/index.js';

const yaml = (inputAxes: string, outputAxes: string, extra = '') => `
type: model
format_version: 0.5.4
name: layout test
inputs:
  - id: raw
    axes: ${inputAxes}
outputs:
  - id: out
    axes: ${outputAxes}
weights:
  onnx: { source: weights.onnx, opset_version: 13 }
${extra}`;

const bcyx = (size: string) => `[{type: batch}, {type: channel, channel_names: [a, b]}, {type: space, id: y, size: ${size}}, {type: space, id: x, size: ${size}}]`;
const out = (offset: number, halo = 0, channels = '[p]') =>
  `[{type: batch}, {type: channel, channel_names: ${channels}}, {type: space, id: y, halo: ${halo}, size: {tensor_id: raw, axis_id: y, offset: ${offset}}}, {type: space, id: x, halo: ${halo}, size: {tensor_id: raw, axis_id: x, offset: ${offset}}}]`;

describe('packageLayout', () => {
  it('reads min + n * step sizes and a valid-convolution offset as the margin', () => {
    const layout = packageLayout(parseModelRdf(yaml(bcyx('{min: 92, step: 16}'), out(-88, 0, '[bg, fg]'))));
    expect(layout.inputAxes).toEqual(['batch', 'channel', 'y', 'x']);
    expect(layout.geometry.channels).toBe(2);
    expect(layout.outputChannels).toBe(2);
    expect(layout.geometry.margin).toBe(44);
    expect(layout.geometry.alignment).toBe(16);
    expect(layout.geometry.validInputSizes(100, 140)).toEqual([108, 124, 140]);
    expect(layout.geometry.outputSize(124)).toBe(36);
    expect(layout.singleBatch).toBe(false);
    expect(() => layout.geometry.checkInputSize(130)).toThrow(/`inputSize` must be 92 \+ n \* 16 for this model \(nearest: 124 or 140\)/);
  });

  it('takes a fixed size and a halo, y referring to x, and the channel axis anywhere', () => {
    const fixed = packageLayout(parseModelRdf(yaml('[{type: batch, size: 1}, {type: channel, channel_names: [r]}, {type: space, id: y, size: 512}, {type: space, size: 512}]', out(0, 32))));
    expect(fixed.geometry.validInputSizes(1, 2000)).toEqual([512]);
    expect(fixed.geometry.halo).toBe(32);
    expect(fixed.geometry.alignment).toBe(32);
    expect(fixed.singleBatch).toBe(true);
    const yx = packageLayout(parseModelRdf(yaml('[{type: space, id: y, size: {tensor_id: raw, axis_id: x}}, {type: space, id: x, size: {min: 64, step: 32}}, {type: channel, channel_names: [r]}]', out(0))));
    expect(yx.inputAxes).toEqual(['y', 'x', 'channel']);
    expect(yx.geometry.validInputSizes(60, 130)).toEqual([64, 96, 128]);
  });

  it('refuses 3D and time axes, non-square sizes, rescaled outputs and 0.4 axes in a 0.5 description, naming the field', () => {
    const zyx = '[{type: batch}, {type: space, id: z, size: 16}, {type: space, id: y, size: 64}, {type: space, id: x, size: 64}]';
    expect(() => packageLayout(parseModelRdf(yaml(zyx, out(0))))).toThrow(/`inputs\[0\]\.axes` must be 2D.*batch,z,y,x/);
    const time = '[{type: time, size: 5}, {type: space, id: y, size: 64}, {type: space, id: x, size: 64}]';
    expect(() => packageLayout(parseModelRdf(yaml(time, out(0))))).toThrow(/must be 2D/);
    const oblong = '[{type: space, id: y, size: 64}, {type: space, id: x, size: 128}]';
    expect(() => packageLayout(parseModelRdf(yaml(oblong, out(0))))).toThrow(/must let y and x take the same sizes/);
    const scaled = `[{type: space, id: y, scale: 2, size: {tensor_id: raw, axis_id: y}}, {type: space, id: x, scale: 2, size: {tensor_id: raw, axis_id: x}}]`;
    expect(() => packageLayout(parseModelRdf(yaml(bcyx('64'), scaled)))).toThrow(/`outputs\[0\]\.axes\[y\]\.scale` must equal the input's/);
    expect(() => parseModelRdf(yaml('bcyx', 'bcyx').replace('0.5.4', '0.3.6'))).toThrow(/`rdf.yaml: format_version` must be 0\.4\.x or 0\.5\.x/);
    expect(() => parseModelRdf(yaml(bcyx('64'), out(0)).replace('0.5.4', '0.4.10'))).toThrow(/`rdf.yaml: inputs\[0\]\.axes` must be a string of axis letters/);
    expect(() => parseModelRdf(yaml('bcyx', 'bcyx'))).toThrow(/axes as a string \('bcyx'\): a format 0\.4 description/);
    expect(() => parseModelRdf('type: dataset\nformat_version: 0.5.4', 'my.yaml')).toThrow(/`my.yaml: type` must be 'model'/);
    expect(() => parseModelRdf('a: [unclosed', 'my.yaml')).toThrow(/`my.yaml` must be a YAML model description/);
  });
});

// A format 0.4 description: axis letters, shapes, top-level test tensors, steps with modes.
const v04 = (pre: string, post = '[{name: sigmoid}]', outputShape = '{reference_tensor: raw, scale: [1, 0, 1, 1], offset: [0, 1, -8, -8]}') => `
type: model
format_version: 0.4.10
name: format 0.4 test
test_inputs: [in.npy]
test_outputs: [out.npy]
attachments: {files: [notes.txt]}
inputs:
  - name: raw
    axes: byxc
    data_type: float32
    shape: {min: [1, 64, 64, 3], step: [0, 16, 16, 0]}
    preprocessing: ${pre}
outputs:
  - name: prob
    axes: bcyx
    data_type: float32
    shape: ${outputShape}
    halo: [0, 0, 4, 4]
    postprocessing: ${post}
weights:
  onnx: {source: weights.onnx, sha256: ${'a'.repeat(64)}}
`;

describe('format 0.4 descriptions', () => {
  it('read as their 0.5 equivalent: axes, sizes, references, halo, test tensors, steps', () => {
    const rdf = parseModelRdf(v04('[{name: zero_mean_unit_variance, kwargs: {mode: per_sample, axes: yxc}}, {name: scale_linear, kwargs: {gain: [1, 2, 3], offset: 0}}]'));
    expect(rdf.format_version).toBe('0.4.10');
    expect(rdf.inputs[0]!.id).toBe('raw');
    expect(rdf.inputs[0]!.axes).toEqual([
      { type: 'batch', id: 'batch', size: 1 },
      { type: 'space', id: 'y', size: { min: 64, step: 16 } },
      { type: 'space', id: 'x', size: { min: 64, step: 16 } },
      { type: 'channel', id: 'channel', channel_names: ['channel0', 'channel1', 'channel2'] },
    ]);
    // Output size = input * scale + 2 * offset: 2 channels, 16 px smaller, halo 4.
    expect(rdf.outputs[0]!.axes).toEqual([
      { type: 'batch', id: 'batch' },
      { type: 'channel', id: 'channel', channel_names: ['channel0', 'channel1'] },
      { type: 'space', id: 'y', size: { tensor_id: 'raw', axis_id: 'y', offset: -16 }, halo: 4 },
      { type: 'space', id: 'x', size: { tensor_id: 'raw', axis_id: 'x', offset: -16 }, halo: 4 },
    ]);
    expect(rdf.inputs[0]!.preprocessing).toEqual([
      { id: 'zero_mean_unit_variance', kwargs: { axes: ['y', 'x', 'channel'] } },
      { id: 'scale_linear', kwargs: { gain: [1, 2, 3], offset: 0, axis: 'channel' } },
    ]);
    expect(rdf.outputs[0]!.postprocessing).toEqual([{ id: 'sigmoid' }]);
    expect(rdfFiles(rdf).map((f) => f.source).sort()).toEqual(['in.npy', 'notes.txt', 'out.npy', 'weights.onnx']);
    const layout = packageLayout(rdf);
    expect(layout.inputAxes).toEqual(['batch', 'y', 'x', 'channel']);
    expect([layout.geometry.margin, layout.geometry.halo, layout.outputChannels]).toEqual([8, 4, 2]);
    expect(layout.geometry.validInputSizes(60, 100)).toEqual([64, 80, 96]);
    // Fixed statistics and percentiles keep their values; the same channel count by reference.
    const fixed = parseModelRdf(v04('[{name: zero_mean_unit_variance, kwargs: {mode: fixed, axes: yx, mean: [1, 2, 3], std: [4, 5, 6]}}, {name: scale_range, kwargs: {mode: per_sample, axes: yx, max_percentile: 99.8}}]', '[]', '{reference_tensor: raw, scale: [1, 1, 1, 1], offset: [0, 0, 0, 0]}'));
    expect(fixed.inputs[0]!.preprocessing).toEqual([
      { id: 'fixed_zero_mean_unit_variance', kwargs: { mean: [1, 2, 3], std: [4, 5, 6], axis: 'channel' } },
      { id: 'scale_range', kwargs: { axes: ['y', 'x'], min_percentile: 0, max_percentile: 99.8 } },
    ]);
    expect(fixed.outputs[0]!.axes[1]).toEqual({ type: 'channel', id: 'channel', channel_names: ['channel0', 'channel1', 'channel2'] });
  });

  it('refuses per-dataset statistics, unknown axis letters, rescaled outputs and shapes of the wrong length, naming the field', () => {
    expect(() => parseModelRdf(v04('[{name: zero_mean_unit_variance, kwargs: {mode: per_dataset, axes: yx}}]'))).toThrow(/`rdf.yaml: inputs\[0\]\.preprocessing\[0\]\.kwargs\.mode` must be 'per_sample' or 'fixed'/);
    expect(() => parseModelRdf(v04('[]').replace('axes: byxc', 'axes: byxq'))).toThrow(/`rdf.yaml: inputs\[0\]\.axes` must be a string of axis letters.*byxq/);
    expect(() => parseModelRdf(v04('[]', '[]', '{reference_tensor: raw, scale: [1, 0, 0.5, 0.5], offset: [0, 1, 0, 0]}'))).toThrow(/`rdf.yaml: outputs\[0\]\.shape\.scale` must be 1, 0 or null/);
    expect(() => parseModelRdf(v04('[]').replace('shape: {min: [1, 64, 64, 3], step: [0, 16, 16, 0]}', 'shape: [1, 64, 64]'))).toThrow(/`rdf.yaml: inputs\[0\]\.shape` must give one entry per axis \(4\)/);
  });
});

describe('reorder and stepGeometry', () => {
  it('moves NHWC tiles into a model order and back', () => {
    // 1 x 2 x 3 x 2 (batch, y, x, channel): value = 100 y + 10 x + c.
    const nhwc = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + 10 * (Math.floor(i / 2) % 3) + (i % 2));
    const sizes = { batch: 1, y: 2, x: 3, channel: 2 };
    const nchw = reorder(nhwc, sizes, ['batch', 'y', 'x', 'channel'], ['batch', 'channel', 'y', 'x']);
    expect(Array.from(nchw)).toEqual([0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121]);
    expect(reorder(nchw, sizes, ['batch', 'channel', 'y', 'x'], ['batch', 'y', 'x', 'channel'])).toEqual(nhwc);
    expect(Array.from(reorder(nhwc, sizes, ['batch', 'y', 'x', 'channel'], ['channel', 'x', 'y']))).toEqual([0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121]);
  });

  it('lists sizes min + n * step within a range', () => {
    const g = stepGeometry({ min: 64, step: 16, offset: -8, halo: 0, channels: 1, referenceSize: 128 });
    expect(g.validInputSizes(1, 100)).toEqual([64, 80, 96]);
    expect(g.outputSize(96)).toBe(88);
    expect(g.margin).toBe(4);
    expect(g.tileBytes(256) / g.tileBytes(128)).toBe(4);
  });
});
