// bioimage.io processing steps on hand-computed cases (NumPy's population std and linear percentiles).
import { describe, expect, it } from 'vitest';
import { applyStep, applySteps, checkSteps } from '../../src/index.js';

const sample = (values: number[], channels = 1, width = values.length / channels) => ({ data: Float32Array.from(values), width, height: 1, channels });
const close = (actual: ArrayLike<number>, expected: number[], digits = 5) => expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));

describe('applyStep', () => {
  it('zero_mean_unit_variance: over the whole sample, or per channel when the axes leave channel out', () => {
    // 1, 2, 3, 4: mean 2.5, population std sqrt(1.25).
    const s = Math.sqrt(1.25);
    close(applyStep({ id: 'zero_mean_unit_variance', kwargs: {} }, sample([1, 2, 3, 4]), 'p').data, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
    // Two channels interleaved: (1, 10), (3, 30): per channel mean 2 and 20, std 1 and 10.
    const two = sample([1, 10, 3, 30], 2);
    close(applyStep({ id: 'zero_mean_unit_variance', kwargs: { axes: ['y', 'x'], eps: 0 } }, two, 'p').data, [-1, -1, 1, 1]);
    // Jointly over channels: mean 11, std sqrt(((10^2) + 1 + 8^2 + 19^2) / 4).
    const joint = Math.sqrt((100 + 1 + 64 + 361) / 4);
    close(applyStep({ id: 'zero_mean_unit_variance', kwargs: { axes: ['channel', 'y', 'x'], eps: 0 } }, two, 'p').data, [-10 / joint, -1 / joint, -8 / joint, 19 / joint]);
  });

  it('scale_range: NumPy linear percentiles; scale_linear per channel; clip; fixed_zero_mean_unit_variance', () => {
    const ramp = sample(Array.from({ length: 11 }, (_, i) => i)); // 0..10: 10th percentile 1, 90th 9
    close(applyStep({ id: 'scale_range', kwargs: { min_percentile: 10, max_percentile: 90, eps: 1e-6 } }, ramp, 'p').data, [-1 / 8, 0, 1 / 8, 2 / 8, 3 / 8, 4 / 8, 5 / 8, 6 / 8, 7 / 8, 1, 9 / 8]);
    // 25th percentile of 0..3 interpolates: position 0.75.
    close(applyStep({ id: 'scale_range', kwargs: { min_percentile: 25, eps: 1e-6 } }, sample([0, 1, 2, 3]), 'p').data, [-0.75 / 2.25, 0.25 / 2.25, 1.25 / 2.25, 1], 4);
    close(applyStep({ id: 'scale_linear', kwargs: { axis: 'channel', gain: [2, 3], offset: [1, -1] } }, sample([1, 1, 2, 2], 2), 'p').data, [3, 2, 5, 5]);
    close(applyStep({ id: 'clip', kwargs: { min: 0, max: 1 } }, sample([-2, 0.5, 7]), 'p').data, [0, 0.5, 1]);
    close(applyStep({ id: 'fixed_zero_mean_unit_variance', kwargs: { mean: 10, std: 2 } }, sample([10, 14]), 'p').data, [0, 2]);
  });

  it('sigmoid, softmax over channels, binarize, ensure_dtype', () => {
    close(applyStep({ id: 'sigmoid' }, sample([0, Math.log(3)]), 'p').data, [0.5, 0.75]);
    close(applyStep({ id: 'softmax', kwargs: { axis: 'channel' } }, sample([0, Math.log(3), 5, 5], 2), 'p').data, [0.25, 0.75, 0.5, 0.5]);
    expect(Array.from(applyStep({ id: 'binarize', kwargs: { threshold: 0.5 } }, sample([0.2, 0.5, 0.9]), 'p').data)).toEqual([0, 0, 1]);
    expect(Array.from(applyStep({ id: 'ensure_dtype', kwargs: { dtype: 'uint8' } }, sample([-3, 2.7, 300]), 'p').data)).toEqual([0, 2, 255]);
    expect(Array.from(applySteps([{ id: 'scale_linear', kwargs: { gain: 2 } }, { id: 'sigmoid' }], sample([0]), 'p').data)).toEqual([0.5]);
  });

  it('refuses steps and kwargs it does not apply, naming where they are', () => {
    expect(() => checkSteps([{ id: 'sigmoid' }, { id: 'scale_mean_variance', kwargs: { reference_tensor: 'raw' } }], 'inputs[0].preprocessing')).toThrow(
      /`inputs\[0\]\.preprocessing\[1\]\.id` must be a processing step this library applies .*scale_mean_variance/,
    );
    expect(() => applyStep({ id: 'zero_mean_unit_variance', kwargs: { axes: ['x'] } }, sample([1, 2]), 'inputs[0].preprocessing[0]')).toThrow(/`inputs\[0\]\.preprocessing\[0\]\.kwargs\.axes` must include both 'x' and 'y'/);
    expect(() => applyStep({ id: 'scale_range', kwargs: { reference_tensor: 'other' } }, sample([1, 2]), 'p')).toThrow(/reference_tensor/);
    expect(() => applyStep({ id: 'scale_linear', kwargs: { axis: 'channel', gain: [1, 2, 3] } }, sample([1, 2, 3, 4], 2), 'p')).toThrow(/must be a number or 2 numbers/);
  });
});
