/**
 * What the engines test runs inside Chromium: one model file (a folder as `tfjs-unet train`
 * writes it, and its ONNX export) served under /files/, predicted on tfjs's cpu, wasm, webgl and
 * webgpu backends and on onnxruntime-web; a training run of 20 steps in the page on tfjs and on
 * onnxruntime-web, whose model goes back to Node. Imports are a consumer's: the backends and the
 * runtime are plugged in by the page.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { loadModel, modelFiles, openBioimageio, openOnnxModel, predictTiled, registerKernels, registerOnnxRuntime, train, type ImageArray } from 'tfjs-unet';
import { packageFiles } from 'tfjs-unet/browser';

setWasmPaths('/tfjs-wasm/');
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = self.crossOriginIsolated ? 2 : 1;
registerOnnxRuntime('onnxruntime-web', async () => ort);

/** Where prediction runs: a tfjs backend, or onnxruntime-web's wasm. */
export type PageEngine = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'onnxruntime-web' | 'onnxruntime-web-webgpu';

async function useTfBackend(backend: string): Promise<void> {
  registerKernels(backend);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
  await tf.ready();
}

const bytesOf = async (name: string) => new Uint8Array(await (await fetch(`/files/${name}`)).arrayBuffer());

/** Predicts `image` `repeats` times with the model file on `engine`; the probabilities of the last, and the tensors left over. */
async function predict(engine: PageEngine, image: ImageArray<Float32Array>, repeats = 1) {
  const onnx = engine.startsWith('onnxruntime-web');
  await useTfBackend(onnx ? 'cpu' : engine);
  const before = tf.memory().numTensors;
  let probabilities: number[] = [];
  let labels: number[] = [];
  if (onnx) {
    const predictor = await openOnnxModel(await bytesOf('model.onnx'), ort, { executionProviders: [engine === 'onnxruntime-web-webgpu' ? 'webgpu' : 'wasm'] });
    for (let i = 0; i < repeats; i++) {
      const out = await predictTiled(predictor, image);
      probabilities = Array.from(await out.probabilities.data());
      labels = Array.from(await out.labels.data());
      tf.dispose([out.probabilities, out.labels]);
    }
    await predictor.dispose();
  } else {
    const { model } = await loadModel('/files/model/model.json');
    for (let i = 0; i < repeats; i++) {
      const out = await predictTiled(model, image);
      probabilities = Array.from(await out.probabilities.data());
      labels = Array.from(await out.labels.data());
      tf.dispose([out.probabilities, out.labels]);
    }
    model.dispose();
  }
  return { backend: onnx ? engine : tf.getBackend(), probabilities, labels, leakedTensors: tf.memory().numTensors - before };
}

/**
 * Trains the served model for `steps` steps on one image and mask in the page (`engine` 'tfjs' on
 * the cpu backend, or 'onnx': onnxruntime-web through `registerOnnxRuntime`), and returns the
 * losses, the trained model's own prediction on the cpu backend and its model folder's files
 * (`modelFiles`: model.json and the weights), for Node to load.
 */
async function trainInPage(engine: 'tfjs' | 'onnx', image: ImageArray<Float32Array>, mask: ImageArray<Uint8Array>, steps: number, inputSize: number) {
  await useTfBackend('cpu');
  const before = tf.memory().numTensors;
  const { model, spec } = await loadModel('/files/model/model.json');
  const result = await train(model, { images: [image], labels: [mask] }, { steps, inputSize, seed: 2, augmentation: [], optimizer: 'adam', learningRate: 0.01, engine: engine === 'onnx' ? { onnx: 'onnxruntime-web' } : 'tfjs' });
  const out = await predictTiled(model, image);
  const probabilities = Array.from(await out.probabilities.data());
  tf.dispose([out.probabilities, out.labels]);
  // The model folder's files as the page would offer them for download.
  const files = Object.fromEntries(Object.entries(await modelFiles(model, spec)).map(([name, bytes]) => [name, Array.from(bytes)]));
  model.dispose();
  return { losses: result.history.map((h) => h.loss), probabilities, files, leakedTensors: tf.memory().numTensors - before };
}

/**
 * Opens a bioimage.io package chosen as files (`names` under /files/, e.g. one zip or the unpacked
 * folder's files) on onnxruntime-web, runs it on its own test input and returns the largest
 * difference from its test output, with the hashes checked; or the error message.
 */
async function packageTest(names: string[]) {
  try {
    const files = await Promise.all(names.map(async (n) => new File([await bytesOf(n)], n.split('/').at(-1)!)));
    const pkg = await openBioimageio(await packageFiles(files), ort, { session: { executionProviders: ['wasm'] } });
    const { maxAbsDifference, shape } = await pkg.test();
    await pkg.predictor.dispose();
    return { name: pkg.rdf.name, verified: pkg.check.verified, maxAbsDifference, shape };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const unetEngines = { predict, trainInPage, packageTest };
export type UnetEngines = typeof unetEngines;
(window as unknown as { unetEngines: UnetEngines }).unetEngines = unetEngines;
