/** The messages between the page (main.ts) and the worker that predicts (worker.ts). */

/** Where a model runs: a tfjs backend, or ONNX Runtime Web. */
export type Engine = 'webgpu' | 'webgl' | 'wasm' | 'cpu' | 'onnxruntime-web';

/** Page to worker. */
export type Request =
  | { readonly type: 'load-model'; readonly files: readonly File[]; readonly url?: undefined; readonly engine: Engine }
  | { readonly type: 'load-model'; readonly files?: undefined; readonly url: string; readonly engine: Engine }
  | { readonly type: 'open-image'; readonly file: File }
  | { readonly type: 'predict'; readonly id: number; readonly instances: boolean }
  | { readonly type: 'cancel'; readonly id: number }
  | {
      readonly type: 'train';
      readonly id: number;
      /** Images and masks chosen as files, or strokes painted on the open image (0 unpainted, class + 1 painted). */
      readonly source: { readonly kind: 'files'; readonly images: readonly File[]; readonly masks: readonly File[] } | { readonly kind: 'strokes'; readonly strokes: Uint8Array };
      readonly seconds: number;
      readonly learningRate: number;
      /** Train on the model's own engine, or time tfjs and ONNX Runtime Web on the data first and train on the faster. */
      readonly trainEngine: 'model' | 'faster';
      /** Continue the stopped run from its checkpoint (same data, the rest of its budget) instead of starting one. */
      readonly resume: boolean;
    }
  | { readonly type: 'stop-train'; readonly id: number }
  | { readonly type: 'model-files' }
  /** Saves the model in this browser's IndexedDB under a name. */
  | { readonly type: 'save-browser'; readonly name: string }
  | { readonly type: 'list-saved' };

/** Worker to page. */
export type Reply =
  | { readonly type: 'model'; readonly description: string; readonly engine: Engine; readonly note?: string; readonly classes: number; readonly trainable: boolean }
  | { readonly type: 'image'; readonly width: number; readonly height: number; readonly channels: number; readonly bits: number; readonly gray: Uint8Array }
  | { readonly type: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly engine: Engine;
      readonly seconds: number;
      /** Foreground probability per pixel (1 - background). */
      readonly probability: Float32Array;
      /** Class per pixel. */
      readonly classes: Uint8Array;
      readonly classCount: number;
      /** Object ids per pixel (0 = background), when asked for. */
      readonly instances?: Int32Array;
      readonly objects?: number;
      /** tfjs tensors alive in the worker afterwards (flat across predictions and trainings when nothing leaks). */
      readonly tensors: number;
    }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'train-step'; readonly id: number; readonly step: number; readonly loss: number; readonly progress: number; readonly stepsPerSecond: number }
  | {
      readonly type: 'trained';
      readonly id: number;
      readonly steps: number;
      readonly seconds: number;
      readonly stopped: string;
      /** What taught it: `binary`/`classes`/`instances` masks, or `painted` strokes. */
      readonly maskType: string;
      readonly images: number;
      /** A stopped run whose checkpoint can continue it. */
      readonly resumable: boolean;
      /** What trained: `tfjs (wasm)` or `ONNX Runtime Web`, and the timing that chose it. */
      readonly engine: string;
      readonly timing?: string;
    }
  | { readonly type: 'saved'; readonly name: string; readonly models: readonly string[] }
  | { readonly type: 'saved-list'; readonly models: readonly string[] }
  | { readonly type: 'model-files'; readonly files: Record<string, Uint8Array> }
  | { readonly type: 'error'; readonly id?: number; readonly about: 'model' | 'image' | 'predict' | 'train' | 'save'; readonly message: string };
