import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, syntheticCells, timeTrainSteps, unet } from '../../src/index.js';

describe('timeTrainSteps', () => {
  it('times steps as train runs them, within the wall time they took, and trains the model', async () => {
    await tf.setBackend('cpu');
    const spec = unet({ depth: 1, baseFilters: 2, dropout: 0, padding: 'same' });
    const model = buildModel(spec, { inputSize: 32, seed: 1 });
    const cells = syntheticCells(48, 1);
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const started = performance.now();
    const seconds = await timeTrainSteps(model, { images: [cells.image], labels: [cells.mask] }, { inputSize: 32, augmentation: [], optimizer: 'adam', seed: 1 }, 3);
    const wall = (performance.now() - started) / 1000;
    // The median of 3 timed steps: two of them take at least as long, all within the wall time.
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(wall / 2);
    const after = model.getWeights().map((w) => w.dataSync());
    expect(after.some((w, i) => w.some((v, j) => v !== before[i]![j]))).toBe(true);
    await expect(timeTrainSteps(model, { images: [cells.image], labels: [cells.mask] }, {}, 0)).rejects.toThrow('`steps` must be a positive integer');
    model.dispose();
  });
});
