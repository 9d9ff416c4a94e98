// Package axes -> tile geometry: sizes, margins, halos, axis orders; refusals name the field.
import { describe, expect, it } from 'vitest';
import { parseModelRdf, packageLayout, reorder, stepGeometry } from '../../src/index.js';

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

  it('refuses 3D and time axes, non-square sizes, rescaled outputs and 0.4 descriptions, naming the field', () => {
    const zyx = '[{type: batch}, {type: space, id: z, size: 16}, {type: space, id: y, size: 64}, {type: space, id: x, size: 64}]';
    expect(() => packageLayout(parseModelRdf(yaml(zyx, out(0))))).toThrow(/`inputs\[0\]\.axes` must be 2D.*batch,z,y,x/);
    const time = '[{type: time, size: 5}, {type: space, id: y, size: 64}, {type: space, id: x, size: 64}]';
    expect(() => packageLayout(parseModelRdf(yaml(time, out(0))))).toThrow(/must be 2D/);
    const oblong = '[{type: space, id: y, size: 64}, {type: space, id: x, size: 128}]';
    expect(() => packageLayout(parseModelRdf(yaml(oblong, out(0))))).toThrow(/must let y and x take the same sizes/);
    const scaled = `[{type: space, id: y, scale: 2, size: {tensor_id: raw, axis_id: y}}, {type: space, id: x, scale: 2, size: {tensor_id: raw, axis_id: x}}]`;
    expect(() => packageLayout(parseModelRdf(yaml(bcyx('64'), scaled)))).toThrow(/`outputs\[0\]\.axes\[y\]\.scale` must equal the input's/);
    expect(() => parseModelRdf(yaml('bcyx', 'bcyx').replace('0.5.4', '0.4.10'))).toThrow(/`rdf.yaml: format_version` must be 0\.5\.x/);
    expect(() => parseModelRdf(yaml('bcyx', 'bcyx'))).toThrow(/axes as a string \('bcyx'\): a format 0\.4 description/);
    expect(() => parseModelRdf('type: dataset\nformat_version: 0.5.4', 'my.yaml')).toThrow(/`my.yaml: type` must be 'model'/);
    expect(() => parseModelRdf('a: [unclosed', 'my.yaml')).toThrow(/`my.yaml` must be a YAML model description/);
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
