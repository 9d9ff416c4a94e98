/**
 * The page `npm run bench:browser` runs in headless Chromium: for each backend and engine, the
 * time to the first prediction of a 512x512 image (model loaded from its files, backend started),
 * the time of the next predictions, and training steps per second. Bundled like a consumer's page.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { loadModel, openOnnxModel, predictTiled, registerKernels, registerOnnxRuntime, train, type TilePredictor } from 'tfjs-unet';

setWasmPaths('/tfjs-wasm/');
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
registerOnnxRuntime('onnxruntime-web', async () => ort);

const image = { data: Uint8Array.from({ length: 512 * 512 }, (_, i) => (i * 7919) % 256), width: 512, height: 512 };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function start(backend: string): Promise<void> {
  registerKernels(backend);
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} did not start`);
  await tf.ready();
}

/** Seconds to the first prediction (backend, model, first image) and the median of the next three; steps per second training. */
async function measure(engine: string, tile: number, steps: number) {
  const began = performance.now();
  const onnx = engine.startsWith('onnxruntime-web');
  await start(onnx ? 'cpu' : engine);
  const { model } = await loadModel('/files/model/model.json');
  let predictor: tf.LayersModel | (TilePredictor & { dispose(): unknown }) = model;
  if (onnx) predictor = await openOnnxModel(new Uint8Array(await (await fetch('/files/model.onnx')).arrayBuffer()), ort, { executionProviders: [engine.endsWith('webgpu') ? 'webgpu' : 'wasm'] });
  const once = async () => {
    const t = performance.now();
    const out = await predictTiled(predictor, image, { inputSize: tile });
    await out.probabilities.data();
    tf.dispose([out.probabilities, out.labels]);
    return (performance.now() - t) / 1000;
  };
  await once();
  const first = (performance.now() - began) / 1000;
  const next = median([await once(), await once(), await once()]);
  if (predictor !== model) await (predictor as { dispose(): unknown }).dispose();
  // Training: `steps` steps after 2 warm-up steps, one 256 px tile per step, Adam, the border weight map.
  let stepsPerSecond: number | undefined;
  // onnxruntime-web's WebGPU provider is timed for prediction only: training runs on its wasm.
  if (steps > 0 && !(onnx && engine.endsWith('webgpu'))) {
    const mask = { data: Uint8Array.from(image.data, (v) => (v > 128 ? 1 : 0)), width: 512, height: 512 };
    const options = { inputSize: tile, seed: 1, augmentation: [], optimizer: 'adam' as const, engine: onnx ? { onnx: 'onnxruntime-web' } : ('tfjs' as const) };
    await train(model, { images: [image], labels: [mask] }, { ...options, steps: 2 });
    const t = performance.now();
    await train(model, { images: [image], labels: [mask] }, { ...options, steps });
    stepsPerSecond = steps / ((performance.now() - t) / 1000);
  }
  model.dispose();
  return { engine, first, next, stepsPerSecond, leaked: tf.memory().numTensors };
}

(window as unknown as { unetBench: typeof measure }).unetBench = measure;
