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
/** The loaded model's classes, and whether it is a tfjs model the page can train and save. */
let modelClasses = 2;
let modelTrainable = false;
/** Strokes painted on the open image: 0 unpainted, class + 1 painted; with the states before each stroke, for undo. */
let strokes: Uint8Array | undefined;
const undoStack: Uint8Array[] = [];
/** A stopped training run the worker can continue. */
let resumable = false;
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
const painted = () => strokes !== undefined && strokes.some((v) => v !== 0);
const refresh = () => {
  const fromFiles = $<HTMLSelectElement>('train-source').value === 'files';
  const chosen = fromFiles ? ($<HTMLInputElement>('train-images').files?.length ?? 0) > 0 && ($<HTMLInputElement>('train-masks').files?.length ?? 0) > 0 : picture !== undefined && painted();
  const busy = training !== undefined || predicting !== undefined;
  trainButton.disabled = !hasModel || !modelTrainable || !chosen || busy;
  stopTrainButton.disabled = training === undefined;
  $<HTMLButtonElement>('resume-train').disabled = !resumable || busy;
  $<HTMLButtonElement>('download-model').disabled = !trained || training !== undefined;
  $<HTMLButtonElement>('save-browser').disabled = !hasModel || !modelTrainable || training !== undefined;
  $<HTMLButtonElement>('open-saved').disabled = $<HTMLSelectElement>('saved-models').value === '' || busy;
  $<HTMLButtonElement>('undo').disabled = undoStack.length === 0;
  $<HTMLButtonElement>('clear-strokes').disabled = !painted();
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
const loadUrl = (url: string) => {
  status(modelStatus, `Loading ${url}…`);
  send({ type: 'load-model', url, engine: $<HTMLSelectElement>('engine').value as Engine });
};
// The demo model ships with the app (trained on synthetic cells by app/scripts/demo-model.ts); the worker needs its absolute URL.
$<HTMLButtonElement>('demo-model').addEventListener('click', () => loadUrl(new URL('demo/model.json', location.href).href));
$<HTMLButtonElement>('open-saved').addEventListener('click', () => loadUrl(`indexeddb://tfjs-unet/${$<HTMLSelectElement>('saved-models').value}`));
$<HTMLSelectElement>('saved-models').addEventListener('change', refresh);

const openImage = (file: File) => {
  status(imageStatus, `Reading ${file.name}…`);
  picture = undefined;
  result = undefined;
  refresh();
  send({ type: 'open-image', file });
  pendingName = file.name;
};
$<HTMLInputElement>('image-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file !== undefined) openImage(file);
});
$<HTMLButtonElement>('demo-image').addEventListener('click', async () => {
  const response = await fetch(new URL('demo/cells.png', location.href)).catch(() => undefined);
  if (response?.ok !== true) return status(imageStatus, 'The demo image is not served with this app (build it with npm run build:app).', true);
  openImage(new File([await response.blob()], 'cells.png', { type: 'image/png' }));
});
let pendingName = 'image';
const startPrediction = (what: string) => {
  predicting = nextId++;
  progress.value = 0;
  status(imageStatus, what);
  refresh();
  send({ type: 'predict', id: predicting, instances: $<HTMLInputElement>('instances').checked });
};
predictButton.addEventListener('click', () => startPrediction('Predicting…'));
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

for (const id of ['train-images', 'train-masks', 'train-source']) $<HTMLElement>(id).addEventListener('change', refresh);
const startTraining = (resume: boolean) => {
  training = nextId++;
  if (!resume) losses.length = 0;
  drawLosses();
  const fromFiles = $<HTMLSelectElement>('train-source').value === 'files';
  status(trainStatus, resume ? 'Resuming…' : fromFiles ? 'Reading the images and masks…' : 'Training on the painted strokes…');
  resumable = false;
  refresh();
  const files = (id: string) => Array.from($<HTMLInputElement>(id).files ?? []);
  const source = fromFiles ? ({ kind: 'files', images: files('train-images'), masks: files('train-masks') } as const) : ({ kind: 'strokes', strokes: strokes?.slice() ?? new Uint8Array(0) } as const);
  const rate = Number($<HTMLInputElement>('train-rate').value);
  const trainEngine = $<HTMLSelectElement>('train-engine').value as 'model' | 'faster';
  send({ type: 'train', id: training, source, seconds: Math.max(5, Number($<HTMLInputElement>('train-seconds').value) || 60), learningRate: rate > 0 ? rate : 3e-4, trainEngine, resume });
};
trainButton.addEventListener('click', () => startTraining(false));
$<HTMLButtonElement>('resume-train').addEventListener('click', () => startTraining(true));
stopTrainButton.addEventListener('click', () => {
  if (training !== undefined) send({ type: 'stop-train', id: training });
});
$<HTMLButtonElement>('download-model').addEventListener('click', () => send({ type: 'model-files' }));
$<HTMLButtonElement>('save-browser').addEventListener('click', () => send({ type: 'save-browser', name: $<HTMLInputElement>('save-name').value.trim() }));

/** The image pixel under a pointer event on the canvas (the canvas may be shown enlarged or shrunk). */
function pixelAt(event: PointerEvent): [number, number] {
  const box = canvas.getBoundingClientRect();
  return [((event.clientX - box.left) / box.width) * canvas.width, ((event.clientY - box.top) / box.height) * canvas.height];
}

/** Paints a disc of the brush's value at each point from `from` to `to`, a step of a quarter brush apart. */
function paintLine(from: [number, number], to: [number, number]): void {
  if (strokes === undefined || picture === undefined) return;
  const value = Number($<HTMLSelectElement>('brush').value);
  const radius = Number($<HTMLInputElement>('brush-size').value) / 2;
  const { width, height } = picture;
  const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) / Math.max(0.5, radius / 2)));
  for (let s = 0; s <= steps; s++) {
    const cx = from[0] + ((to[0] - from[0]) * s) / steps;
    const cy = from[1] + ((to[1] - from[1]) * s) / steps;
    for (let y = Math.max(0, Math.floor(cy - radius)); y <= Math.min(height - 1, Math.ceil(cy + radius)); y++) {
      for (let x = Math.max(0, Math.floor(cx - radius)); x <= Math.min(width - 1, Math.ceil(cx + radius)); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= Math.max(radius * radius, 0.5)) strokes[y * width + x] = value;
      }
    }
  }
}

let lastPoint: [number, number] | undefined;
let frame = 0;
const redrawSoon = () => {
  if (frame === 0) frame = requestAnimationFrame(() => ((frame = 0), draw()));
};
canvas.addEventListener('pointerdown', (event) => {
  if (!$<HTMLInputElement>('paint').checked || strokes === undefined) return;
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  undoStack.push(strokes.slice());
  if (undoStack.length > 50) undoStack.shift();
  lastPoint = pixelAt(event);
  paintLine(lastPoint, lastPoint);
  redrawSoon();
});
canvas.addEventListener('pointermove', (event) => {
  if (lastPoint === undefined) return;
  const point = pixelAt(event);
  paintLine(lastPoint, point);
  lastPoint = point;
  redrawSoon();
});
const endStroke = () => {
  if (lastPoint === undefined) return;
  lastPoint = undefined;
  paintStatus();
  refresh();
};
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);
$<HTMLInputElement>('paint').addEventListener('change', () => canvas.classList.toggle('painting', $<HTMLInputElement>('paint').checked));
$<HTMLButtonElement>('undo').addEventListener('click', () => {
  const before = undoStack.pop();
  if (before !== undefined) strokes = before;
  paintStatus();
  draw();
  refresh();
});
$<HTMLButtonElement>('clear-strokes').addEventListener('click', () => {
  if (strokes === undefined) return;
  undoStack.push(strokes.slice());
  strokes = new Uint8Array(strokes.length);
  paintStatus();
  draw();
  refresh();
});

/** How many pixels carry each brush's paint. */
function paintStatus(): void {
  const counts = new Array<number>(modelClasses + 1).fill(0);
  for (const v of strokes ?? []) counts[v] = (counts[v] ?? 0) + 1;
  const names = Array.from($<HTMLSelectElement>('brush').options).slice(1).map((o) => o.textContent);
  const text = counts
    .slice(1)
    .map((n, c) => `${n} px ${names[c]}`)
    .join(', ');
  $<HTMLSpanElement>('paint-status').textContent = painted() ? `Painted: ${text}.` : '';
  canvas.dataset.painted = String(counts.slice(1).reduce((a, b) => a + b, 0));
}

/** The brushes the loaded model's classes call for: background and each class after it. */
function setBrushes(classes: number): void {
  const brush = $<HTMLSelectElement>('brush');
  const names = ['eraser', 'background', ...(classes === 2 ? ['foreground'] : Array.from({ length: classes - 1 }, (_, c) => `class ${c + 1}`))];
  brush.replaceChildren(...names.map((name, value) => new Option(name, String(value), false, value === 2)));
}

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
      modelTrainable = reply.trainable;
      resumable = false;
      if (reply.classes !== modelClasses) {
        modelClasses = reply.classes;
        setBrushes(modelClasses);
        if (strokes !== undefined) strokes = strokes.map((v) => (v > modelClasses ? 0 : v));
      }
      status(modelStatus, `Loaded: ${reply.description}, running on ${reply.engine}.${reply.note === undefined ? '' : ` ${reply.note}.`}`);
      canvas.dataset.engine = reply.engine;
      break;
    case 'image':
      picture = { width: reply.width, height: reply.height, gray: reply.gray, name: pendingName };
      strokes = new Uint8Array(reply.width * reply.height);
      undoStack.length = 0;
      paintStatus();
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
      imageStatus.dataset.tensors = String(reply.tensors);
      draw();
      break;
    case 'train-step':
      losses.push(reply.loss);
      if (reply.step % 5 === 0) drawLosses();
      status(trainStatus, `Step ${reply.step}: loss ${reply.loss.toFixed(4)}, ${reply.stepsPerSecond.toFixed(2)} steps/s, ${Math.round(100 * reply.progress)}% of the budget.`);
      break;
    case 'trained': {
      training = undefined;
      trained = true;
      resumable = reply.resumable;
      drawLosses();
      const taught = reply.maskType === 'painted' ? 'painted strokes' : `${reply.maskType} masks`;
      const on = `on ${reply.engine}${reply.timing === undefined ? '' : ` (${reply.timing})`}`;
      status(trainStatus, `Trained ${reply.steps} steps in ${reply.seconds.toFixed(0)} s on ${reply.images} image(s) with ${taught}, ${on}${reply.stopped === 'aborted' ? '; stopped: Resume continues it' : ''}.${picture === undefined ? ' Open an image to see what it predicts.' : ' The image is predicted again with the trained model.'}`);
      // The preview: the open image as the trained model now segments it.
      if (picture !== undefined && predicting === undefined) startPrediction('Predicting with the trained model…');
      break;
    }
    case 'saved':
    case 'saved-list': {
      const select = $<HTMLSelectElement>('saved-models');
      select.replaceChildren(...(reply.models.length === 0 ? [new Option('(none)', '')] : reply.models.map((name) => new Option(name, name))));
      if (reply.type === 'saved') {
        select.value = reply.name;
        status(trainStatus, `Saved in this browser as ${reply.name}: open it later with "Open saved".`);
      }
      break;
    }
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
        strokes = undefined;
        undoStack.length = 0;
        canvas.width = canvas.height = 1;
      }
      status(reply.about === 'model' ? modelStatus : reply.about === 'train' || reply.about === 'save' ? trainStatus : imageStatus, reply.message, true);
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
    const paint = strokes?.[i] ?? 0;
    if (paint !== 0) {
      // Painted strokes on top: background in blue, classes in green (hues after it for more classes).
      const [pr, pg, pb] = paint === 1 ? [40, 110, 255] : paint === 2 ? [30, 200, 60] : colour(paint);
      r = r * 0.35 + pr * 0.65;
      g = g * 0.35 + pg * 0.65;
      b = b * 0.35 + pb * 0.65;
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

send({ type: 'list-saved' });
refresh();
