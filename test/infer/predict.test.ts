import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { boundaryIndex, buildModel, margin, modelInfoOf, nearestValidInputSize, outputSize, predictTiled, specOf, unet, withInputSize, type Spec } from '../../src/index.js';
import { attachSpec } from '../../src/compile/metadata.js';
import { resizeImage } from '../../src/core/resize.js';
import { rng } from '../helpers/random.js';

const spec = unet({ depth: 2, baseFilters: 3, dropout: 0 }); // valid: margin 20, 92 -> 52
const model = buildModel(spec, { inputSize: 92, seed: 3 });
afterAll(() => model.dispose());

function randomImage(h: number, w: number, c = 1, seed = 1): tf.Tensor3D {
  const random = rng(seed);
  return tf.tensor3d(Float32Array.from({ length: h * w * c }, () => random()), [h, w, c]);
}

/** One prediction on the whole image, mirror-padded by the margin (and up to a valid size), cropped back to H x W. */
function untiled(s: Spec, m: tf.LayersModel, image: tf.Tensor3D): tf.Tensor3D {
  const [H, W, C] = image.shape;
  const k = margin(s);
  const S = nearestValidInputSize(s, Math.max(H, W) + 2 * k, 'up')!;
  const src = image.dataSync();
  const padded = new Float32Array(S * S * C);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const sy = boundaryIndex(y - k, H, 'mirror');
      const sx = boundaryIndex(x - k, W, 'mirror');
      for (let c = 0; c < C; c++) padded[(y * S + x) * C + c] = src[(sy * W + sx) * C + c]!;
    }
  const big = withInputSize(m, s, S);
  const out = tf.tidy(() => (big.predict(tf.tensor4d(padded, [1, S, S, C])) as tf.Tensor4D).slice([0, 0, 0, 0], [1, H, W, -1]).squeeze([0]) as tf.Tensor3D);
  big.dispose();
  return out;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('predictTiled (valid padding)', () => {
  it('stitches exactly the untiled prediction on the mirrored image', async () => {
    expect(specOf(model)).toEqual(spec);
    for (const [H, W, batchSize] of [[70, 50, 2], [130, 53, 3], [9, 200, 1]] as const) {
      const image = randomImage(H, W, 1, H);
      const { probabilities, labels } = await predictTiled(model, image, { inputSize: 92, batchSize });
      expect(probabilities.shape).toEqual([H, W, 2]);
      const reference = untiled(spec, model, image);
      expect(maxDiff(probabilities, reference)).toBeLessThan(1e-4);
      expect(Array.from(labels.dataSync())).toEqual(Array.from(reference.argMax(-1).dataSync()));
      tf.dispose([image, probabilities, labels, reference]);
    }
  });

  it('chooses a tile size by itself and gives the same result', async () => {
    const image = randomImage(61, 77, 1, 9);
    const a = await predictTiled(model, image);
    const b = await predictTiled(model, image, { inputSize: 92 });
    expect(maxDiff(a.probabilities, b.probabilities)).toBeLessThan(1e-4);
    tf.dispose([image, a.probabilities, a.labels, b.probabilities, b.labels]);
  });

  it('averages the 8 flips/rotations with tta, equal to averaging untiled predictions', async () => {
    const image = randomImage(40, 40, 1, 4);
    const { probabilities, labels } = await predictTiled(model, image, { inputSize: 92, tta: true });
    const transforms = [
      (t: tf.Tensor3D) => t,
      (t: tf.Tensor3D) => t.transpose([1, 0, 2]).reverse(1),
      (t: tf.Tensor3D) => t.reverse(0).reverse(1),
      (t: tf.Tensor3D) => t.transpose([1, 0, 2]).reverse(0),
      (t: tf.Tensor3D) => t.reverse(1),
      (t: tf.Tensor3D) => t.transpose([1, 0, 2]),
      (t: tf.Tensor3D) => t.reverse(0),
      (t: tf.Tensor3D) => t.transpose([1, 0, 2]).reverse(0).reverse(1),
    ];
    const inverses = [
      (t: tf.Tensor3D) => t,
      (t: tf.Tensor3D) => t.reverse(1).transpose([1, 0, 2]),
      (t: tf.Tensor3D) => t.reverse(1).reverse(0),
      (t: tf.Tensor3D) => t.reverse(0).transpose([1, 0, 2]),
      (t: tf.Tensor3D) => t.reverse(1),
      (t: tf.Tensor3D) => t.transpose([1, 0, 2]),
      (t: tf.Tensor3D) => t.reverse(0),
      (t: tf.Tensor3D) => t.reverse(1).reverse(0).transpose([1, 0, 2]),
    ];
    const expected = tf.tidy(() => tf.addN(transforms.map((f, i) => inverses[i]!(untiled(spec, model, f(image) as tf.Tensor3D)))).div(8));
    expect(maxDiff(probabilities, expected)).toBeLessThan(1e-4);
    const plain = untiled(spec, model, image);
    expect(maxDiff(expected, plain)).toBeGreaterThan(1e-3); // tta really changes the result
    tf.dispose([image, probabilities, labels, expected, plain]);
  });

  it("uses the test-time augmentation stored in the model's info unless told otherwise", async () => {
    const stored = buildModel(spec, { inputSize: 92, seed: 3 });
    attachSpec(stored, spec, { tta: 4 });
    const image = randomImage(40, 40, 1, 5);
    const byInfo = await predictTiled(stored, image, { inputSize: 92 });
    const four = await predictTiled(model, image, { inputSize: 92, tta: 4 });
    const none = await predictTiled(stored, image, { inputSize: 92, tta: false });
    const plain = await predictTiled(model, image, { inputSize: 92 });
    expect(maxDiff(byInfo.probabilities, four.probabilities)).toBeLessThan(1e-6);
    expect(maxDiff(none.probabilities, plain.probabilities)).toBeLessThan(1e-6);
    expect(maxDiff(byInfo.probabilities, plain.probabilities)).toBeGreaterThan(1e-3);
    expect(() => attachSpec(stored, spec, { tta: 9 })).not.toThrow();
    expect(() => modelInfoOf(stored)).toThrow(/info\.tta.*integer from 1 to 8/);
    tf.dispose([image, ...[byInfo, four, none, plain].flatMap((r) => [r.probabilities, r.labels])]);
    stored.dispose();
  });

  it('predicts at a scale: the shrunk image predicted untiled, its probabilities enlarged back (the model stores it)', async () => {
    const image = randomImage(90, 70, 1, 11);
    const { probabilities } = await predictTiled(model, image, { inputSize: 92, scale: 0.5 });
    expect(probabilities.shape).toEqual([90, 70, 2]);
    // Reference: area-shrink to 35x45, one untiled prediction, linear enlargement back.
    const shrunk = resizeImage({ data: image.dataSync() as Float32Array, width: 70, height: 90 }, 35, 45, 'area');
    const small = tf.tensor3d(shrunk.data, [45, 35, 1]);
    const reference = untiled(spec, model, small);
    const back = resizeImage({ data: reference.dataSync() as Float32Array, width: 35, height: 45, channels: 2 }, 70, 90, 'linear');
    expect(maxDiff(probabilities, tf.tensor3d(back.data, [90, 70, 2]))).toBeLessThan(1e-4);
    const stored = buildModel(spec, { inputSize: 92, seed: 3 });
    attachSpec(stored, spec, { scale: 0.5 });
    const byInfo = await predictTiled(stored, image, { inputSize: 92 });
    expect(maxDiff(byInfo.probabilities, probabilities)).toBeLessThan(1e-6);
    await expect(predictTiled(model, image, { scale: 1.5 })).rejects.toThrow('`scale` must be a number in (0, 1]');
    attachSpec(stored, spec, { scale: 2 });
    expect(() => modelInfoOf(stored)).toThrow(/info\.scale` must be a number in \(0, 1\]/);
    attachSpec(stored, spec, { instances: { split: { seedThreshold: 1.5 } } });
    expect(() => modelInfoOf(stored)).toThrow(/info\.instances\.split\.seedThreshold` must be a number in \(0, 1\)/);
    tf.dispose([image, probabilities, small, reference, byInfo.probabilities, byInfo.labels]);
    stored.dispose();
  });

  it('accepts image arrays (integers scaled to [0, 1]) and leaks no tensors', async () => {
    const data = Uint8Array.from({ length: 30 * 40 }, (_, i) => (i * 31) % 256);
    const asTensor = tf.tensor3d(Float32Array.from(data, (v) => v / 255), [30, 40, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = await predictTiled(model, { data, width: 40, height: 30 }, { inputSize: 92 });
      tf.dispose([r.probabilities, r.labels]);
    }
    expect(tf.memory().numTensors).toBe(before);
    const a = await predictTiled(model, { data, width: 40, height: 30 }, { inputSize: 92 });
    const b = await predictTiled(model, asTensor, { inputSize: 92 });
    expect(maxDiff(a.probabilities, b.probabilities)).toBeLessThan(1e-6);
    tf.dispose([asTensor, a.probabilities, a.labels, b.probabilities, b.labels]);
    // The model still works after its temporary resized copies were disposed.
    expect(tf.tidy(() => (model.predict(tf.zeros([1, 92, 92, 1])) as tf.Tensor).shape)).toEqual([1, 52, 52, 2]);
  });

  it('rejects degenerate input with clear errors', async () => {
    await expect(predictTiled(model, tf.zeros([1, 1, 1]) as tf.Tensor3D)).rejects.toThrow('`image` must be at least 2x2 pixels (mirror extrapolation needs two). Received: image="1x1".');
    await expect(predictTiled(model, tf.zeros([8, 8, 3]) as tf.Tensor3D)).rejects.toThrow('`image` must have 1 channel(s) for this model');
    await expect(predictTiled(model, tf.zeros([8, 8, 1]) as tf.Tensor3D, { inputSize: 90 })).rejects.toThrow('Nearest valid input tile sizes: 88 (below) and 92 (above).');
    const bare = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 1 })] });
    await expect(predictTiled(bare, tf.zeros([8, 8, 1]) as tf.Tensor3D)).rejects.toThrow('`options.spec` is required');
    bare.dispose();
  });
});

describe('predictTiled (same padding)', () => {
  it('blends overlapping tiles into a prediction close to the untiled one', async () => {
    const same = unet({ depth: 1, baseFilters: 3, padding: 'same', dropout: 0 }); // receptive field radius ~ 9 px
    const m = buildModel(same, { seed: 5 });
    const image = randomImage(64, 96, 1, 2);
    const { probabilities, labels } = await predictTiled(m, image, { inputSize: 48, batchSize: 4, overlap: 12 });
    // Reference: one tile holding the whole (mirror-extended) image, so no seams at all.
    const whole = await predictTiled(m, image, { inputSize: 128, overlap: 16 });
    const seamless = await predictTiled(m, image, { inputSize: 48, batchSize: 4, overlap: 0 });
    expect(probabilities.shape).toEqual([64, 96, 2]);
    const meanDiff = (a: tf.Tensor) => tf.tidy(() => tf.mean(tf.abs(tf.sub(a, whole.probabilities))).dataSync()[0]!);
    expect(meanDiff(probabilities)).toBeLessThan(0.25 * meanDiff(seamless.probabilities)); // overlap + blending removes most seam error
    expect(outputSize(same, 48)).toBe(48);
    tf.dispose([image, probabilities, labels, whole.probabilities, whole.labels, seamless.probabilities, seamless.labels]);
    m.dispose();
  });
});

describe('predictTiled progress and cancel', () => {
  it('reports every tile once, in order, up to the total the tiling gives', async () => {
    // 52 px output windows at multiples of 52 px: rows 0, 52 of 100 and columns 0, 52, 104 of 120; batches of 2 within a tile row.
    const image = randomImage(100, 120, 1, 4);
    const seen: [number, number][] = [];
    const out = await predictTiled(model, image, { inputSize: 92, batchSize: 2, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual([
      [2, 6],
      [3, 6],
      [5, 6],
      [6, 6],
    ]);
    tf.dispose([image, out.probabilities, out.labels]);
  });

  it('stops between batches when its signal aborts, with the reason, and leaves no tensors', async () => {
    const image = randomImage(100, 120, 1, 5);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let calls = 0;
    const stopped = predictTiled(model, image, {
      inputSize: 92,
      onProgress: (done) => {
        calls++;
        if (done === 2) controller.abort(new Error('stopped by the user'));
      },
      signal: controller.signal,
    });
    await expect(stopped).rejects.toThrow('stopped by the user');
    expect(calls).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    const aborted = AbortSignal.abort();
    await expect(predictTiled(model, image, { signal: aborted })).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
    image.dispose();
  });
});
