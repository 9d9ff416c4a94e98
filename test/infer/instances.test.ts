import { describe, expect, it } from 'vitest';
import { predictInstances, unet, type TilePredictor } from '../../src/index.js';

/** A same-padding "network" whose foreground probability is its input: the tiling and the object step are what is tested. */
function identityPredictor(info: TilePredictor['info']): TilePredictor {
  return {
    spec: unet({ depth: 1, baseFilters: 1, padding: 'same' }),
    classes: 2,
    info,
    predict: async (tiles) => Float32Array.from({ length: tiles.length * 2 }, (_, i) => (i % 2 === 0 ? 1 - tiles[i >> 1]! : tiles[i >> 1]!)),
  };
}

/** Two discs of radius 10 whose centres are 16 px apart (a 6 px neck), as a float image. */
function touchingCells(w = 60, h = 40): Float32Array {
  const image = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = (x - 22) ** 2 + (y - 20) ** 2 <= 100 || (x - 38) ** 2 + (y - 20) ** 2 <= 100;
      image[y * w + x] = inside ? 0.9 : 0.1;
    }
  return image;
}

describe('predictInstances', () => {
  const image = { data: touchingCells(), width: 60, height: 40 };

  it("forms objects with the model's calibrated settings", async () => {
    const merged = await predictInstances(identityPredictor({ threshold: 0.5, instances: { split: false } }), image);
    expect(merged.count).toBe(1);
    const split = await predictInstances(identityPredictor({ threshold: 0.5, instances: { split: true } }), image);
    expect(split.count).toBe(2);
    expect(split.labels[20 * 60 + 22]).not.toBe(split.labels[20 * 60 + 38]);
    expect(split.threshold).toBe(0.5);
    expect(split.probability[0]).toBeCloseTo(0.1, 6);
  });

  it('lets the caller override the threshold and the settings', async () => {
    const predictor = identityPredictor({ threshold: 0.5, instances: { split: true } });
    expect((await predictInstances(predictor, image, { threshold: 0.95 })).count).toBe(0);
    expect((await predictInstances(predictor, image, { split: false })).count).toBe(1);
    expect((await predictInstances(predictor, image, { minSize: 10_000 })).count).toBe(0);
    // Thinning grows the objects over the whole background.
    const thinned = await predictInstances(predictor, image, { thin: true });
    expect(thinned.count).toBe(2);
    expect(thinned.labels.every((v) => v > 0)).toBe(true);
  });
});
