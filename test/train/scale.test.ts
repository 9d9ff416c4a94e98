import { describe, expect, it } from 'vitest';
import { buildModel, labelComponents, syntheticCells, train, unet } from '../../src/index.js';
import { atScale } from '../../src/train/scale.js';

describe('training at a scale', () => {
  it('shrinks images by area and keeps touching objects apart in the shrunk labels', () => {
    // 25 touching 12x12 cells numbered 1..25 on a 64 px image.
    const width = 64;
    const ids = Int32Array.from({ length: width * width }, (_, i) => {
      const [y, x] = [Math.floor(i / width), i % width];
      return y >= 2 && y < 62 && x >= 2 && x < 62 ? 1 + Math.floor((y - 2) / 12) * 5 + Math.floor((x - 2) / 12) : 0;
    });
    const image = { data: Uint8Array.from(ids, (v) => (v === 0 ? 0 : 200)), width, height: width };
    const small = atScale({ images: [image], labels: [{ data: Uint8Array.from(ids, (v) => (v === 0 ? 0 : 1)), width, height: width }], instances: [{ data: ids, width, height: width }] }, 0.5);
    expect([small.images[0]!.width, small.images[0]!.height]).toEqual([32, 32]);
    // Pixel (0, 0) averages four background pixels, (2, 2) four cell pixels of 200/255.
    expect(small.images[0]!.data[0]).toBe(0);
    expect(small.images[0]!.data[2 * 32 + 2]).toBeCloseTo(200 / 255, 6);
    expect(labelComponents(small.labels[0]!, { connectivity: 4 }).count).toBe(25);
    expect(new Set(small.instances![0]!.data).size).toBe(26);
    expect(() => atScale(small, 0)).toThrow('`scale` must be a number in (0, 1]');
  });

  it('trains at a scale on instance masks: the model keeps the scale, validation scores full-size objects', async () => {
    const cells = Array.from({ length: 5 }, (_, i) => syntheticCells(96, 40 + i));
    const model = buildModel(unet({ depth: 2, baseFilters: 4, padding: 'same', dropout: 0 }), { inputSize: 32, seed: 1 });
    const result = await train(
      model,
      { images: cells.map((c) => c.image), labels: cells.map((c) => c.mask), instances: cells.map((c) => c.instances) },
      { steps: 3, scale: 0.5, optimizer: 'adam', augmentation: [], seed: 1, foreground: 0.5, validation: { holdOut: 0.2, every: 3 } },
    );
    expect(result.info.scale).toBe(0.5);
    // Cells on a background are objects: validation selects on panoptic quality and forms objects without thinning.
    expect(result.best!.value).toBe(result.validations.at(-1)!.panopticQuality);
    expect(result.calibration!.info.instances!.thin).toBe(false);
    model.dispose();
  });
});
