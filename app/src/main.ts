/**
 * The page: wires the controls to the worker, draws the image with the result over it, and
 * offers the masks as PNG downloads. Nothing leaves the machine: the worker reads the chosen
 * files, and downloads are made in the page.
 */
import { encodePng } from 'tfjs-unet/browser';
import type { Engine, Reply, Request } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (request: Request) => worker.postMessage(request);

const modelStatus = $<HTMLParagraphElement>('model-status');
const imageStatus = $<HTMLParagraphElement>('image-status');
const predictButton = $<HTMLButtonElement>('predict');
const cancelButton = $<HTMLButtonElement>('cancel');
const progress = $<HTMLProgressElement>('progress');
const canvas = $<HTMLCanvasElement>('canvas');
const view = $<HTMLSelectElement>('view');
const opacity = $<HTMLInputElement>('opacity');

let hasModel = false;
let picture: { width: number; height: number; gray: Uint8Array; name: string } | undefined;
let result: Extract<Reply, { type: 'result' }> | undefined;
let predicting: number | undefined;
let nextId = 1;

const status = (element: HTMLElement, text: string, error = false) => {
  element.textContent = text;
  element.classList.toggle('error', error);
};
const trainButton = $<HTMLButtonElement>('train');
const stopTrainButton = $<HTMLButtonElement>('stop-train');
const trainStatus = $<HTMLParagraphElement>('train-status');
let training: number | undefined;
let trained = false;
const losses: number[] = [];
const refresh = () => {
  const chosen = ($<HTMLInputElement>('train-images').files?.length ?? 0) > 0 && ($<HTMLInputElement>('train-masks').files?.length ?? 0) > 0;
  trainButton.disabled = !hasModel || !chosen || training !== undefined || predicting !== undefined;
  stopTrainButton.disabled = training === undefined;
  $<HTMLButtonElement>('download-model').disabled = !trained || training !== undefined;
  predictButton.disabled = !hasModel || picture === undefined || predicting !== undefined || training !== undefined;
  cancelButton.disabled = predicting === undefined;
  $<HTMLButtonElement>('download-mask').disabled = result === undefined;
  $<HTMLButtonElement>('download-instances').disabled = result?.instances === undefined;
};

$<HTMLInputElement>('model-files').addEventListener('change', (event) => {
  const files = Array.from((event.target as HTMLInputElement).files ?? []);
  if (files.length === 0) return;
  status(modelStatus, `Loading ${files.map((f) => f.name).join(', ')}…`);
  send({ type: 'load-model', files, engine: $<HTMLSelectElement>('engine').value as Engine });
});
$<HTMLButtonElement>('model-url-load').addEventListener('click', () => {
  const url = $<HTMLInputElement>('model-url').value.trim();
  if (url === '') return status(modelStatus, 'Give the URL of a model.json.', true);
  status(modelStatus, `Loading ${url}…`);
  send({ type: 'load-model', url, engine: $<HTMLSelectElement>('engine').value as Engine });
});
$<HTMLInputElement>('image-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file === undefined) return;
  status(imageStatus, `Reading ${file.name}…`);
  picture = undefined;
  result = undefined;
  refresh();
  send({ type: 'open-image', file });
  pendingName = file.name;
});
let pendingName = 'image';
predictButton.addEventListener('click', () => {
  predicting = nextId++;
  progress.value = 0;
  status(imageStatus, 'Predicting…');
  refresh();
  send({ type: 'predict', id: predicting, instances: $<HTMLInputElement>('instances').checked });
});
cancelButton.addEventListener('click', () => {
  if (predicting !== undefined) send({ type: 'cancel', id: predicting });
});
view.addEventListener('change', draw);
opacity.addEventListener('input', draw);
$<HTMLButtonElement>('download-mask').addEventListener('click', () => {
  if (result === undefined || picture === undefined) return;
  const step = 255 / Math.max(1, result.classCount - 1);
  download(`${stem(picture.name)}-mask.png`, encodePng({ data: Uint8Array.from(result.classes, (c) => Math.round(c * step)), width: picture.width, height: picture.height }));
});
$<HTMLButtonElement>('download-instances').addEventListener('click', () => {
  if (result?.instances === undefined || picture === undefined) return;
  if ((result.objects ?? 0) > 65535) return status(imageStatus, `${result.objects} objects do not fit a 16-bit label image (at most 65535)`, true);
  // A 16-bit label image, as predict --instances writes it.
  download(`${stem(picture.name)}-instances.png`, encodePng({ data: Uint16Array.from(result.instances), width: picture.width, height: picture.height }));
});

for (const id of ['train-images', 'train-masks']) $<HTMLInputElement>(id).addEventListener('change', refresh);
trainButton.addEventListener('click', () => {
  training = nextId++;
  losses.length = 0;
  drawLosses();
  status(trainStatus, 'Reading the images and masks…');
  refresh();
  const files = (id: string) => Array.from($<HTMLInputElement>(id).files ?? []);
  send({ type: 'train', id: training, images: files('train-images'), masks: files('train-masks'), seconds: Math.max(5, Number($<HTMLInputElement>('train-seconds').value) || 60) });
});
stopTrainButton.addEventListener('click', () => {
  if (training !== undefined) send({ type: 'stop-train', id: training });
});
$<HTMLButtonElement>('download-model').addEventListener('click', () => send({ type: 'model-files' }));

/** The loss of every step, and its running mean over 20 steps, on a canvas. */
function drawLosses(): void {
  const curve = $<HTMLCanvasElement>('loss-curve');
  const context = curve.getContext('2d')!;
  context.clearRect(0, 0, curve.width, curve.height);
  if (losses.length < 2) return;
  const top = Math.max(...losses);
  const x = (i: number) => (i / (losses.length - 1)) * (curve.width - 4) + 2;
  const y = (v: number) => curve.height - 2 - (v / top) * (curve.height - 4);
  const line = (values: number[], colour: string) => {
    context.strokeStyle = colour;
    context.beginPath();
    values.forEach((v, i) => (i === 0 ? context.moveTo(x(i), y(v)) : context.lineTo(x(i), y(v))));
    context.stroke();
  };
  line(losses, '#c8c8d0');
  line(losses.map((_, i) => losses.slice(Math.max(0, i - 19), i + 1).reduce((a, b) => a + b) / Math.min(i + 1, 20)), '#1f5fbf');
}

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  switch (reply.type) {
    case 'model':
      hasModel = true;
      status(modelStatus, `Loaded: ${reply.description}, running on ${reply.engine}.${reply.note === undefined ? '' : ` ${reply.note}.`}`);
      canvas.dataset.engine = reply.engine;
      break;
    case 'image':
      picture = { width: reply.width, height: reply.height, gray: reply.gray, name: pendingName };
      status(imageStatus, `${pendingName}: ${reply.width} x ${reply.height}, ${reply.channels} channel(s), ${reply.bits}-bit.`);
      draw();
      break;
    case 'progress':
      progress.value = reply.done / reply.total;
      break;
    case 'result':
      predicting = undefined;
      result = reply;
      progress.value = 1;
      status(imageStatus, `Predicted on ${reply.engine} in ${reply.seconds.toFixed(1)} s${reply.objects === undefined ? '' : `: ${reply.objects} objects`}.`);
      canvas.dataset.predicted = 'true';
      draw();
      break;
    case 'train-step':
      losses.push(reply.loss);
      if (reply.step % 5 === 0) drawLosses();
      status(trainStatus, `Step ${reply.step}: loss ${reply.loss.toFixed(4)}, ${reply.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(100 * reply.progress)}% of the budget.`);
      break;
    case 'trained':
      training = undefined;
      trained = true;
      drawLosses();
      status(trainStatus, `Trained ${reply.steps} steps in ${reply.seconds.toFixed(0)} s on ${reply.images} image(s) with ${reply.maskType} masks${reply.stopped === 'aborted' ? ' (stopped)' : ''}. Predict again to see the change.`);
      break;
    case 'model-files':
      for (const [name, bytes] of Object.entries(reply.files)) download(name, bytes, name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      break;
    case 'cancelled':
      predicting = undefined;
      progress.value = 0;
      status(imageStatus, 'Prediction cancelled.');
      break;
    case 'error':
      if (reply.about === 'predict') predicting = undefined;
      if (reply.about === 'train') training = undefined;
      if (reply.about === 'model') hasModel = false;
      if (reply.about === 'image') {
        picture = undefined;
        canvas.width = canvas.height = 1;
      }
      status(reply.about === 'model' ? modelStatus : reply.about === 'train' ? trainStatus : imageStatus, reply.message, true);
      break;
  }
  refresh();
};

/** Draws the chosen view: the image, the foreground probability, the objects in colours, or the mask's contours over the image. */
function draw(): void {
  if (picture === undefined) return;
  const { width, height, gray } = picture;
  canvas.width = width;
  canvas.height = height;
  // Small images are shown enlarged, pixel for pixel.
  canvas.style.width = width < 512 ? `${Math.min(512, width * Math.floor(512 / width))}px` : '';
  const rgba = new Uint8ClampedArray(4 * width * height);
  const alpha = Number(opacity.value);
  const shown = result === undefined ? 'image' : view.value;
  for (let i = 0; i < width * height; i++) {
    let r = gray[i]!;
    let g = r;
    let b = r;
    if (shown === 'probability') r = g = b = Math.round(255 * result!.probability[i]!);
    else if (shown === 'instances' && result!.instances !== undefined) {
      const id = result!.instances[i]!;
      if (id !== 0) [r, g, b] = colour(id);
    } else if (shown === 'overlay' || (shown === 'instances' && result!.instances === undefined)) {
      const labels = result!.instances ?? result!.classes;
      const x = i % width;
      const l = labels[i]!;
      const edge = l !== 0 && ((x > 0 && labels[i - 1] !== l) || (x < width - 1 && labels[i + 1] !== l) || (i >= width && labels[i - width] !== l) || (i + width < labels.length && labels[i + width] !== l));
      if (l !== 0) {
        const [cr, cg, cb] = edge ? [255, 40, 40] : [255, 200, 0];
        const a = edge ? Math.max(alpha, 0.8) : alpha * 0.4;
        r = r * (1 - a) + cr * a;
        g = g * (1 - a) + cg * a;
        b = b * (1 - a) + cb * a;
      }
    }
    rgba.set([r, g, b, 255], 4 * i);
  }
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  canvas.dataset.view = shown;
}

/** A colour per object id, spread around the hue circle. */
function colour(id: number): [number, number, number] {
  const h = (id * 137.508) % 360;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (0.55 - 0.45 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const stem = (name: string) => name.replace(/\.[^.]+$/, '');

function download(name: string, bytes: Uint8Array, type = 'image/png'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

refresh();
