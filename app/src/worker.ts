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
import {
  loadModel,
  modelFiles,
  openBioimageio,
  modelInfoOf,
  openOnnxModel,
  paintedLabels,
  predictInstances,
  predictTiled,
  registerKernels,
  saveModel,
  timeTrainSteps,
  toOnnx,
  train,
  type Checkpoint,
  type FileImage,
  type Spec,
  type TilePredictor,
  type TrainData,
} from 'tfjs-unet';
import { decodeImage, isPackage, loadDatasetFiles, packageFiles } from 'tfjs-unet/browser';
import { match } from 'ts-pattern';
import type { Engine, Reply, Request } from './protocol.js';

// Both runtimes start their wasm threads from their own glue script, which the bundled worker does
// not keep: tfjs's (tensorflow/tfjs#4107) and ONNX Runtime Web's (its threads would load this
// worker's script and wait for a start-up that never comes). Both run on one thread here.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });
ort.env.wasm.numThreads = 1;

const post = (reply: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

let model: { predictor: tf.LayersModel | TilePredictor; engine: Engine; dispose: () => Promise<void> } | undefined;
/** The tfjs model behind the predictor, when the model came as tfjs files: what training changes. */
let trainable: { model: tf.LayersModel; spec: Spec } | undefined;
let image: FileImage | undefined;
const running = new Map<number, AbortController>();
/** The last training run: its data, settings and latest checkpoint, so a stopped run can continue. */
let lastRun: { data: TrainData; foreground: number; maskType: string; seconds: number; learningRate: number; engine?: TrainEngine; timing?: string; budgetSeconds?: number; checkpoint?: Checkpoint; stopped: boolean } | undefined;
/** What runs training steps: tfjs on its active backend, or ONNX Runtime Web's training engine. */
type TrainEngine = 'tfjs' | { readonly onnx: typeof ort };
/** The faster engine for the loaded model, once timed. */
let timedEngine: { engine: TrainEngine; timing: string } | undefined;
/** Where this app keeps models in IndexedDB (`tf.io` URLs). */
const SAVED = 'indexeddb://tfjs-unet/';

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

/** The classes a tfjs model predicts: its output's last dimension. */
const classesOf = (m: tf.LayersModel) => m.outputs[0]!.shape.at(-1) ?? 2;

async function loadTheModel(request: Extract<Request, { type: 'load-model' }>): Promise<void> {
  await model?.dispose();
  model = undefined;
  trainable?.model.dispose();
  trainable = undefined;
  lastRun = undefined;
  timedEngine = undefined;
  if (request.files !== undefined && isPackage(request.files)) return openPackage(request.files, request.engine);
  const onnxFile = request.files?.find((f) => f.name.toLowerCase().endsWith('.onnx'));
  if (onnxFile !== undefined) {
    await startBackend('wasm');
    const predictor = await openOnnxModel(new Uint8Array(await onnxFile.arrayBuffer()), ort, { executionProviders: ['wasm'] });
    const note = request.engine === 'onnxruntime-web' ? undefined : 'an .onnx file runs on ONNX Runtime Web';
    model = { predictor, engine: 'onnxruntime-web', dispose: async () => void (await predictor.dispose()) };
    return post({ type: 'model', description: describe(predictor.spec), engine: 'onnxruntime-web', classes: Math.max(2, predictor.classes), trainable: false, ...(note === undefined ? {} : { note }) });
  }
  let source: string | tf.io.IOHandler;
  if (request.files !== undefined) {
    const json = request.files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (json === undefined) throw new Error('choose the model folder\'s model.json with its weights file(s), or an .onnx file');
    source = tf.io.browserFiles([json, ...request.files.filter((f) => f !== json)]);
  } else {
    source = request.url;
  }
  const started = await startBackend(request.engine === 'onnxruntime-web' ? 'wasm' : request.engine);
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
    return post({ type: 'model', description: describe(loaded.spec), engine: 'onnxruntime-web', classes: classesOf(loaded.model), trainable: true });
  }
  trainable = { model: loaded.model, spec: loaded.spec };
  model = { predictor: loaded.model, engine: started.engine, dispose: async () => undefined };
  post({ type: 'model', description: describe(loaded.spec), engine: started.engine, classes: classesOf(loaded.model), trainable: true, ...(started.note === undefined ? {} : { note: started.note }) });
}

/**
 * A bioimage.io package (a zip or its unpacked files): its ONNX weights on ONNX Runtime Web with
 * its declared processing, checked against its own test tensors. It predicts; fine-tuning one
 * is `tfjs-unet train --from`.
 */
async function openPackage(files: readonly File[], engine: Engine): Promise<void> {
  // ONNX Runtime runs the network; tfjs stitches the tiles.
  await startBackend('wasm');
  const pkg = await openBioimageio(await packageFiles(files), ort, { session: { executionProviders: ['wasm'] } });
  const test = await pkg.test().catch(() => undefined);
  model = { predictor: pkg.predictor, engine: 'onnxruntime-web', dispose: async () => void (await pkg.predictor.dispose()) };
  const checked = test === undefined ? 'no test tensors to check' : `its test output reproduced within ${test.maxAbsDifference.toExponential(1)}`;
  const note = engine === 'onnxruntime-web' ? undefined : 'a bioimage.io package runs its ONNX weights on ONNX Runtime Web';
  post({ type: 'model', description: `bioimage.io package "${pkg.rdf.name}" (${checked})`, engine: 'onnxruntime-web', classes: Math.max(2, pkg.predictor.classes), trainable: false, ...(note === undefined ? {} : { note }) });
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
    const reply: Reply = { type: 'result', id, engine: model.engine, seconds, probability, classes, classCount, tensors: tf.memory().numTensors, ...(objects === undefined ? {} : { instances: objects.labels, objects: objects.count }) };
    post(reply, [probability.buffer, classes.buffer, ...(objects === undefined ? [] : [objects.labels.buffer])]);
  } catch (error) {
    if (controller.signal.aborted) post({ type: 'cancelled', id });
    else throw error;
  } finally {
    running.delete(id);
  }
}

/** What a run trains on: chosen image and mask files, or the strokes painted on the open image. */
async function trainingData(source: Extract<Request, { type: 'train' }>['source'], classes: number): Promise<{ data: TrainData; maskType: string; foreground: number }> {
  if (source.kind === 'files') {
    const set = await loadDatasetFiles(source.images, source.masks);
    return { data: { images: set.images, labels: set.masks, ...(set.instances === undefined ? {} : { instances: set.instances }) }, maskType: set.maskType, foreground: 0 };
  }
  if (image === undefined) throw new Error('open an image and paint on it first');
  if (source.strokes.length !== image.width * image.height) throw new Error(`the strokes cover ${source.strokes.length} pixels and the image ${image.width * image.height}: open the image again`);
  const { labels, weights } = paintedLabels({ data: source.strokes, width: image.width, height: image.height }, { classes });
  // Half the tiles centred on painted foreground, so sparse strokes are seen at every step or two.
  return { data: { images: [image], labels: [labels], weights: [weights] }, maskType: 'painted', foreground: 0.5 };
}

/** The engine's name as the page shows it. */
const engineLabel = (engine: TrainEngine) => (engine === 'tfjs' ? `tfjs (${tf.getBackend()})` : 'ONNX Runtime Web');

/** What `train` needs of a run besides its length, engine and callbacks. */
function runOptions(run: NonNullable<typeof lastRun>) {
  const info = modelInfoOf(trainable!.model);
  return { seed: 1, optimizer: 'adam' as const, learningRate: run.learningRate, foreground: run.foreground, ...(info.normalization === undefined ? {} : { normalization: info.normalization }) };
}

/** Seconds per training step of `engine` on the run's data (`timeTrainSteps`: the median of three after two warm-up steps); the model's weights are put back after. */
async function stepSeconds(engine: TrainEngine, run: NonNullable<typeof lastRun>): Promise<number> {
  const saved = trainable!.model.getWeights().map((w) => w.clone());
  try {
    return await timeTrainSteps(trainable!.model, run.data, { ...runOptions(run), engine }, 3);
  } finally {
    trainable!.model.setWeights(saved);
    tf.dispose(saved);
  }
}

/** The faster of tfjs on its backend and ONNX Runtime Web for this run, timed on its data, and a sentence on the timing. */
async function fasterEngine(run: NonNullable<typeof lastRun>): Promise<{ engine: TrainEngine; timing: string }> {
  const timed: [TrainEngine, number][] = [];
  for (const engine of ['tfjs', { onnx: ort }] as TrainEngine[]) timed.push([engine, await stepSeconds(engine, run)]);
  timed.sort((a, b) => a[1] - b[1]);
  const [[engine, fast], [other, slow]] = timed as [[TrainEngine, number], [TrainEngine, number]];
  return { engine, timing: `timed ${fast.toFixed(3)} s/step against ${slow.toFixed(3)} on ${engineLabel(other)}` };
}

/**
 * Fine-tunes the loaded tfjs model within `seconds` on the model's engine (tfjs on the active
 * backend, or ONNX Runtime Web's training engine) or the faster of the two, timed on the data
 * within the budget; the model's normalisation is kept; on painted strokes the loss sees
 * painted pixels only. A checkpoint is kept in memory, so a stopped run continues where it
 * stopped; then ONNX Runtime's predictor is rebuilt from the new weights.
 */
async function fineTune(request: Extract<Request, { type: 'train' }>): Promise<void> {
  if (model === undefined || trainable === undefined) throw new Error('load a model folder (model.json and weights) first: an .onnx file predicts but does not train');
  if (request.resume && lastRun?.checkpoint === undefined) throw new Error('there is no stopped run to resume: train first');
  const started = performance.now();
  const run = request.resume
    ? lastRun!
    : { ...(await trainingData(request.source, classesOf(trainable.model))), seconds: request.seconds, learningRate: request.learningRate, stopped: false };
  lastRun = run;
  if (run.engine === undefined) {
    const own: TrainEngine = model.engine === 'onnxruntime-web' ? { onnx: ort } : 'tfjs';
    // A step costs the same on any data (one tile of the model's input size): timed once per model.
    if (request.trainEngine === 'faster') timedEngine ??= await fasterEngine(run);
    Object.assign(run, request.trainEngine === 'faster' ? timedEngine : { engine: own });
  }
  // Reading the data and timing the engines count in the budget; a resumed run keeps the budget it had.
  if (!request.resume) run.budgetSeconds = Math.max(1, run.seconds - (performance.now() - started) / 1000);
  const budgetSeconds = run.budgetSeconds!;
  const controller = new AbortController();
  running.set(request.id, controller);
  try {
    const result = await train(trainable.model, run.data, {
      ...runOptions(run),
      budget: { minutes: budgetSeconds / 60 },
      engine: run.engine!,
      ...(request.resume ? { resume: run.checkpoint! } : {}),
      checkpoint: { save: async (checkpoint) => void (run.checkpoint = checkpoint) },
      signal: controller.signal,
      onStep: async ({ step, loss, progress, stepsPerSecond }) => {
        post({ type: 'train-step', id: request.id, step, loss, progress, stepsPerSecond });
        await new Promise((resolve) => setTimeout(resolve));
      },
    });
    run.stopped = result.stopped === 'aborted';
    if (!run.stopped) run.checkpoint = undefined;
    if (model.engine === 'onnxruntime-web') {
      await model.dispose();
      const predictor = await openOnnxModel(toOnnx(trainable.model, trainable.spec), ort, { executionProviders: ['wasm'] });
      model = { predictor, engine: 'onnxruntime-web', dispose: async () => void (await predictor.dispose()) };
    }
    post({
      type: 'trained',
      id: request.id,
      steps: result.steps,
      seconds: result.seconds,
      stopped: result.stopped,
      maskType: run.maskType,
      images: run.data.images.length,
      resumable: run.stopped,
      engine: engineLabel(run.engine!),
      ...(run.timing === undefined ? {} : { timing: run.timing }),
    });
  } finally {
    running.delete(request.id);
  }
}

/** The names of the models this app saved in IndexedDB. */
async function savedModels(): Promise<string[]> {
  return Object.keys(await tf.io.listModels())
    .filter((url) => url.startsWith(SAVED))
    .map((url) => url.slice(SAVED.length))
    .sort();
}

/** Saves the model (with its spec and settings, as the CLI's folder holds them) in IndexedDB. */
async function saveInBrowser(name: string): Promise<void> {
  if (trainable === undefined) throw new Error('load a model folder first: an .onnx file cannot be saved here');
  if (!/^[\w.-]{1,64}$/.test(name)) throw new Error(`a saved model's name must be 1 to 64 letters, digits, dots, dashes or underscores, got "${name}"`);
  await saveModel(trainable.model, trainable.spec, `${SAVED}${name}`);
  post({ type: 'saved', name, models: await savedModels() });
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  // The runtimes' own threads may post to this worker too: only the page's requests are answered.
  if (typeof request?.type !== 'string') return;
  const about = match(request.type)
    .with('load-model', () => 'model' as const)
    .with('open-image', () => 'image' as const)
    .with('train', 'stop-train', 'model-files', () => 'train' as const)
    .with('save-browser', 'list-saved', () => 'save' as const)
    .with('predict', 'cancel', () => 'predict' as const)
    .exhaustive();
  try {
    if (request.type === 'load-model') await loadTheModel(request);
    else if (request.type === 'open-image') await openImage(request.file);
    else if (request.type === 'predict') await predict(request.id, request.instances);
    else if (request.type === 'train') await fineTune(request);
    else if (request.type === 'model-files') {
      if (trainable === undefined) throw new Error('load a model folder first');
      post({ type: 'model-files', files: await modelFiles(trainable.model, trainable.spec) });
    } else if (request.type === 'save-browser') await saveInBrowser(request.name);
    else if (request.type === 'list-saved') post({ type: 'saved-list', models: await savedModels() });
    else running.get(request.id)?.abort();
  } catch (error) {
    post({ type: 'error', ...('id' in request ? { id: request.id } : {}), about, message: (error as Error).message ?? String(error) });
  }
};
