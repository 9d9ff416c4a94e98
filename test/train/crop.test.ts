import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cropToOutput, InvalidTileSizeError, margin, unet } from '../../src/index.js';

describe('cropToOutput', () => {
  const spec = unet({ depth: 2, baseFilters: 2 }); // margin 20: 92 -> 52
  it('center-crops tensors of rank 2, 3 and 4 by the margin', () => {
    expect(margin(spec)).toBe(20);
    const x = tf.range(0, 92 * 92).reshape([92, 92]);
    const cropped = cropToOutput(x, spec);
    expect(cropped.shape).toEqual([52, 52]);
    expect(cropped.arraySync()).toEqual((x.arraySync() as number[][]).slice(20, 72).map((row) => row.slice(20, 72)));
    expect(cropToOutput(x.reshape([1, 92, 92, 1]), spec).shape).toEqual([1, 52, 52, 1]);
    expect(cropToOutput(x.reshape([92, 92, 1]), spec, 92).shape).toEqual([52, 52, 1]);
    expect(() => cropToOutput(tf.zeros([90, 90]), spec)).toThrow(InvalidTileSizeError);
    expect(() => cropToOutput(x, spec, 96)).toThrow('`x` must be 96x96 (inputSize). Received: x="92x92".');
  });

  it('center-crops image arrays, keeping the array type and channels', () => {
    const data = Uint16Array.from({ length: 92 * 92 * 2 }, (_, i) => i);
    const out = cropToOutput({ data, width: 92, height: 92, channels: 2 }, spec);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect([out.width, out.height, out.channels]).toEqual([52, 52, 2]);
    expect(out.data[0]).toBe((20 * 92 + 20) * 2);
    expect(out.data[(51 * 52 + 51) * 2 + 1]).toBe((71 * 92 + 71) * 2 + 1);
  });
});
