// A whole `train` call leaves no tensor behind, whichever optimizer it makes.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel, train, unet } from '../../src/index.js';

describe('train leaves no tensors', () => {
  it('with sgd, nesterov and adam (tfjs momentum optimizers keep a scalar after dispose)', async () => {
    await tf.setBackend('cpu');
    const spec = unet({ depth: 1, baseFilters: 2, dropout: 0, padding: 'same' });
    const model = buildModel(spec, { inputSize: 16, seed: 1 });
    const image = { data: Float32Array.from({ length: 24 * 24 }, (_, i) => (i % 7) / 7), width: 24, height: 24 };
    const labels = { data: Uint8Array.from(image.data, (v) => (v > 0.5 ? 1 : 0)), width: 24, height: 24 };
    for (const optimizer of ['sgd', 'nesterov', 'adam'] as const) {
      const before = tf.memory().numTensors;
      await train(model, { images: [image], labels: [labels] }, { steps: 2, inputSize: 16, seed: 1, augmentation: [], optimizer });
      expect(tf.memory().numTensors - before, optimizer).toBe(0);
    }
    model.dispose();
  });
});
