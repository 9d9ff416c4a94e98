/**
 * What the browser test runs inside Chromium: the root entry `tfjs-unet` bundled for the browser
 * with tfjs and the WebGPU backend the way a consumer imports them. `window.unetChecks(backend)`
 * builds a small U-Net, runs its forward pass, the gradients of one training step with the paper's
 * weighted loss (the convolutions as `train` runs them), one whole `train` step, and overlap-tile
 * prediction of an image larger than a tile, and returns the numbers for the test to compare across
 * backends.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { buildModel, leanConvGradients, predictTiled, train, unet, weightedSoftmaxCrossEntropy, weightMap } from 'tfjs-unet';

export interface BrowserChecks {
  readonly backend: string;
  readonly forward: number[];
  readonly loss: number;
  readonly gradients: number[];
  readonly trainedLoss: number;
  readonly tiled: number[];
  readonly leakedTensors: number;
}

/** A smooth, deterministic image in [0, 1]. */
const pattern = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37 + phase) * Math.cos(i * 0.011));

async function unetChecks(backend: string): Promise<BrowserChecks> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
  await tf.ready();
  // Logits out, so the paper's loss applies to the model's own output; valid sizes 44, 48, ...; 60 -> 20.
  const spec = unet({ depth: 2, baseFilters: 4, dropout: 0, padding: 'valid', outputActivation: 'linear' });
  const size = 60;
  const model = buildModel(spec, { inputSize: size, seed: 3 });
  leanConvGradients(model);
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(pattern(size * size, 0), [1, size, size, 1]);
  const forward = model.predict(x) as tf.Tensor4D;
  const out = forward.shape[1];
  const labelsData = Int32Array.from({ length: out * out }, (_, i) => ((i % out) + Math.floor(i / out)) % 3 === 0 ? 1 : 0);
  const weights = weightMap({ data: Uint8Array.from(labelsData), width: out, height: out });
  const labels = tf.tidy(() => tf.oneHot(tf.tensor2d(labelsData, [out, out], 'int32'), 2).expandDims(0));
  const w = tf.tensor3d(weights, [1, out, out]);
  const { value, grads } = tf.variableGrads(() => weightedSoftmaxCrossEntropy(labels, model.apply(x) as tf.Tensor, w) as tf.Scalar);
  const names = Object.keys(grads).sort();
  // Read asynchronously: a synchronous read of many tensors loses the WebGPU device under SwiftShader.
  const gradients: number[] = [];
  for (const name of names) gradients.push(...(await grads[name]!.data()));
  const result = {
    forward: Array.from(await forward.data()),
    loss: (await value.data())[0]!,
    gradients,
  };
  tf.dispose([x, forward, labels, w, value, ...Object.values(grads)]);
  // One whole training step as `train` runs it (tiles, weight map, Adam).
  const image = { data: pattern(90 * 70, 1), width: 90, height: 70 };
  const mask = { data: Uint8Array.from(image.data, (v) => (v > 0.6 ? 1 : 0)), width: 90, height: 70 };
  const trained = await train(model, { images: [image], labels: [mask], weights: 'border' }, { steps: 1, inputSize: size, seed: 1, augmentation: [] });
  const tiled = await predictTiled(model, image);
  const tiledValues = Array.from(await tiled.probabilities.data());
  tf.dispose([tiled.probabilities, tiled.labels]);
  const leakedTensors = tf.memory().numTensors - before;
  model.dispose();
  return { backend: tf.getBackend(), ...result, trainedLoss: trained.history[0]!.loss, tiled: tiledValues, leakedTensors };
}

(window as unknown as { unetChecks: typeof unetChecks }).unetChecks = unetChecks;
