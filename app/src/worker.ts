/**
 * The worker: loads the model, decodes images and predicts them with overlap tiles, so the page
 * stays responsive; cancelled between batches of tiles.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web/wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { loadModel, modelFiles, modelInfoOf, openOnnxModel, predictInstances, predictTiled, registerKernels, toOnnx, train, type FileImage, type Spec, type TilePredictor } from 'tfjs-unet';
import { decodeImage, loadDatasetFiles } from 'tfjs-unet/browser';
import type { Engine, Reply, Request } from './protocol.js';

// tfjs's threaded wasm starts its threads from its own glue script, which a bundle does not keep
// (tensorflow/tfjs#4107): its SIMD build runs on one thread here; ONNX Runtime Web runs threads.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency) : 1;

const post = (reply: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

let model: { predictor: tf.LayersModel | TilePredictor; engine: Engine; dispose: () => Promise<void> } | undefined;
/** The tfjs model behind the predictor, when the model came as tfjs files: what training changes. */
let trainable: { model: tf.LayersModel; spec: Spec } | undefined;
let image: FileImage | undefined;
const running = new Map<number, AbortController>();

/** The tfjs backend `engine` names, or the first that starts after it; the note says what happened. */
async function startBackend(engine: Exclude<Engine, 'onnxruntime-web'>): Promise<{ engine: Engine; note?: string }> {
  const order: Exclude<Engine, 'onnxruntime-web'>[] = [engine, ...(['wasm', 'cpu'] as const).filter((e) => e !== engine)];
  for (const name of order) {
    registerKernels(name);
    const started = await tf.setBackend(name).catch(() => false);
    if (started) {
      await tf.ready();
      return name === engine ? { engine: name } : { engine: name, note: `${engine} is not available in this browser: running on ${name}` };
    }
  }
  throw new Error('no tfjs backend started');
}

async function loadTheModel(request: Extract<Request, { type: 'load-model' }>): Promise<void> {
  await model?.dispose();
  model = undefined;
  trainable?.model.dispose();
  trainable = undefined;
  const onnxFile = request.files?.find((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (onnxFile !== undefined) {
    const predictor = await openOnnxModel(new Uint8Array(await onnxFile.arrayBuffer()), ort, { executionProviders: ['wasm'] });
    const note = request.engine === 'onnxruntime-web' ? undefined : 'an .onnx file runs on ONNX Runtime Web';
    model = { predictor, engine: 'onnxruntime-web', dispose: async () => void (await predictor.dispose()) };
    return post({ type: 'model', description: describe(predictor.spec), engine: 'onnxruntime-web', ...(note === undefined ? {} : { note }) });
  }
  let source: string | tf.io.IOHandler;
  if (request.files !== undefined) {
    const json = request.files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (json === undefined) throw new Error('choose the model folder\'s model.json with its weights file(s), or an .onnx file');
    source = tf.io.browserFiles([json, ...request.files.filter((f) => f !== json)]);
  } else {
    source = request.url;
  }
  const started = request.engine === 'onnxruntime-web' ? { engine: 'cpu' as Engine } : await startBackend(request.engine);
  const loaded = await loadModel(source).catch((error: Error) => {
    const what = request.files === undefined ? request.url : request.files.map((f) => f.name).join(', ');
    const cause = error.message.match(/^`source` must hold a readable tfjs layers model \((.*)\)\. Received/)?.[1] ?? error.message;
    throw new Error(`${what} is not a model tfjs-unet can read (${cause}): choose the model.json and weights file of a folder tfjs-unet train wrote, or an .onnx file from tfjs-unet export`);
  });
  if (request.engine === 'onnxruntime-web') {
    // A tfjs model runs on ONNX Runtime Web through its ONNX export, made here in the page.
    const predictor = await openOnnxModel(toOnnx(loaded.model, loaded.spec), ort, { executionProviders: ['wasm'] });
    trainable = { model: loaded.model, spec: loaded.spec };
    model = { predictor, engine: 'onnxruntime-web', dispose: async () => void (await predictor.dispose()) };
    return post({ type: 'model', description: describe(loaded.spec), engine: 'onnxruntime-web' });
  }
  trainable = { model: loaded.model, spec: loaded.spec };
  model = { predictor: loaded.model, engine: started.engine, dispose: async () => undefined };
  post({ type: 'model', description: describe(loaded.spec), engine: started.engine, ...(started.note === undefined ? {} : { note: started.note }) });
}

/** One line about a spec: its input channels and classes. */
function describe(spec: { readonly nodes: readonly { readonly kind: string; readonly channels?: number }[] }): string {
  const input = spec.nodes[0];
  return `U-Net with ${input?.channels ?? 1} input channel(s)`;
}

async function openImage(file: File): Promise<void> {
  image = await decodeImage(file);
  const { width, height, data } = image;
  const channels = image.channels ?? 1;
  // A gray preview of the first channel, stretched from its lowest to its highest value.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < width * height; i++) {
    const v = data[i * channels]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = (data[i * channels]! - lo) * scale;
  const bits = data instanceof Uint8Array ? 8 : data instanceof Uint16Array ? 16 : 32;
  post({ type: 'image', width, height, channels, bits, gray }, [gray.buffer]);
}

async function predict(id: number, instances: boolean): Promise<void> {
  if (model === undefined) throw new Error('load a model first');
  if (image === undefined) throw new Error('open an image first');
  const controller = new AbortController();
  running.set(id, controller);
  const started = performance.now();
  let yielded = performance.now();
  const onProgress = async (done: number, total: number) => {
    post({ type: 'progress', id, done, total });
    // Tiles run without giving the event loop a turn; every 50 ms one is given, so a cancel arrives.
    if (performance.now() - yielded > 50) {
      await new Promise((resolve) => setTimeout(resolve));
      yielded = performance.now();
    }
  };
  const options = { signal: controller.signal, onProgress };
  try {
    let probability: Float32Array;
    let classes: Uint8Array;
    let classCount: number;
    let objects: { labels: Int32Array; count: number } | undefined;
    if (instances) {
      const found = await predictInstances(model.predictor, image, options);
      probability = found.probability;
      classes = Uint8Array.from(found.classes);
      classCount = 2;
      objects = { labels: found.labels, count: found.count };
    } else {
      const out = await predictTiled(model.predictor, image, options);
      const [, , k] = out.probabilities.shape;
      const values = await out.probabilities.data();
      classes = Uint8Array.from(await out.labels.data());
      tf.dispose([out.probabilities, out.labels]);
      probability = new Float32Array(classes.length);
      for (let i = 0; i < probability.length; i++) probability[i] = 1 - values[i * k]!;
      classCount = k;
    }
    const seconds = (performance.now() - started) / 1000;
    const reply: Reply = { type: 'result', id, engine: model.engine, seconds, probability, classes, classCount, ...(objects === undefined ? {} : { instances: objects.labels, objects: objects.count }) };
    post(reply, [probability.buffer, classes.buffer, ...(objects === undefined ? [] : [objects.labels.buffer])]);
  } catch (error) {
    if (controller.signal.aborted) post({ type: 'cancelled', id });
    else throw error;
  } finally {
    running.delete(id);
  }
}

/**
 * Fine-tunes the loaded tfjs model on chosen images and masks within `seconds` (tfjs on the
 * active backend; with ONNX Runtime Web chosen, its training engine), keeping the model's
 * normalisation; then ONNX Runtime's predictor is rebuilt from the new weights.
 */
async function fineTune(request: Extract<Request, { type: 'train' }>): Promise<void> {
  if (model === undefined || trainable === undefined) throw new Error('load a model folder (model.json and weights) first: an .onnx file predicts but does not train');
  const data = await loadDatasetFiles(request.images, request.masks);
  const controller = new AbortController();
  running.set(request.id, controller);
  const info = modelInfoOf(trainable.model);
  try {
    const result = await train(
      trainable.model,
      { images: data.images, labels: data.masks, ...(data.instances === undefined ? {} : { instances: data.instances }) },
      {
        budget: { minutes: request.seconds / 60 },
        seed: 1,
        optimizer: 'adam',
        learningRate: 1e-4,
        ...(info.normalization === undefined ? {} : { normalization: info.normalization }),
        engine: model.engine === 'onnxruntime-web' ? { onnx: ort } : 'tfjs',
        signal: controller.signal,
        onStep: async ({ step, loss, progress, stepsPerSecond }) => {
          post({ type: 'train-step', id: request.id, step, loss, progress, stepsPerSecond });
          await new Promise((resolve) => setTimeout(resolve));
        },
      },
    );
    if (model.engine === 'onnxruntime-web') {
      await model.dispose();
      const predictor = await openOnnxModel(toOnnx(trainable.model, trainable.spec), ort, { executionProviders: ['wasm'] });
      model = { predictor, engine: 'onnxruntime-web', dispose: async () => void (await predictor.dispose()) };
    }
    post({ type: 'trained', id: request.id, steps: result.steps, seconds: result.seconds, stopped: result.stopped, maskType: data.maskType, images: data.images.length });
  } finally {
    running.delete(request.id);
  }
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  const about = request.type === 'load-model' ? 'model' : request.type === 'open-image' ? 'image' : request.type === 'train' || request.type === 'stop-train' || request.type === 'model-files' ? 'train' : 'predict';
  try {
    if (request.type === 'load-model') await loadTheModel(request);
    else if (request.type === 'open-image') await openImage(request.file);
    else if (request.type === 'predict') await predict(request.id, request.instances);
    else if (request.type === 'train') await fineTune(request);
    else if (request.type === 'model-files') {
      if (trainable === undefined) throw new Error('load a model folder first');
      post({ type: 'model-files', files: await modelFiles(trainable.model, trainable.spec) });
    } else running.get(request.id)?.abort();
  } catch (error) {
    post({ type: 'error', ...('id' in request ? { id: request.id } : {}), about, message: (error as Error).message ?? String(error) });
  }
};
