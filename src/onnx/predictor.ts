/**
 * ONNX Runtime as a {@link TilePredictor}: the same overlap-tile code as
 * with a tfjs model, run by `onnxruntime-node` (or `onnxruntime-web`) on a
 * model from `toOnnx`. Typed against the small part of the ORT API it uses,
 * so neither runtime is imported here.
 */
import type { Spec } from '../spec/graph.js';
import { defaultInputSize, outputSize } from '../geometry/tiles.js';
import { layerTable } from '../geometry/table.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
import type { OnnxLayout } from './export.js';
import type { ModelInfo } from '../compile/metadata.js';
import { readOnnxInfo, type OnnxModelInfo } from './metadata.js';

/** The part of an ORT tensor used here. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  /** Frees the tensor's data (onnxruntime 1.16+). */
  dispose?(): void;
}

/** The part of an ORT `InferenceSession` used here. */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model on the named inputs; resolves to the named outputs. */
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  /** Frees the session. */
  release?(): Promise<void>;
}

/** ORT's `Tensor` constructor (`ort.Tensor`). */
export type OrtTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;

/** Reorders a batch of images between channels-last and channels-first. */
function relayout(data: Float32Array, batch: number, pixels: number, channels: number, toChannelsFirst: boolean): Float32Array {
  if (channels === 1) return data;
  const out = new Float32Array(data.length);
  for (let b = 0; b < batch; b++) {
    const base = b * pixels * channels;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < channels; c++) {
        const last = base + p * channels + c;
        const first = base + c * pixels + p;
        if (toChannelsFirst) out[first] = data[last]!;
        else out[last] = data[first]!;
      }
    }
  }
  return out;
}

/**
 * Wraps an ONNX Runtime session of a model exported by `toOnnx` as a
 * {@link TilePredictor} for `predictTiled`. `dispose()` releases the session.
 *
 * @param session - `await ort.InferenceSession.create(bytes)`.
 * @param Tensor - `ort.Tensor` of the same runtime.
 * @param info - the model's spec and layout (`readOnnxInfo(bytes)`).
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const bytes = new Uint8Array(await (await fetch('unet.onnx')).arrayBuffer());
 * const session = await ort.InferenceSession.create(bytes);
 * const predictor = onnxPredictor(session, ort.Tensor, readOnnxInfo(bytes));
 * const { labels } = await predictTiled(predictor, image);
 * ```
 */
export function onnxPredictor(session: OrtSessionLike, Tensor: OrtTensorConstructor, info: { readonly spec: Spec; readonly layout: OnnxLayout; readonly info?: ModelInfo }): OwnedTilePredictor {
  const { spec, layout } = info;
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  const inputNode = spec.nodes[0]!;
  const channels = inputNode.kind === 'input' ? inputNode.channels : 1;
  const classes = layerTable(spec, defaultInputSize(spec)).find((row) => row.name === spec.output)!.channels;
  return {
    spec,
    classes,
    info: info.info ?? {},
    async predict(tiles, batch, size) {
      const channelsFirst = layout === 'NCHW';
      const feed = new Tensor('float32', channelsFirst ? relayout(tiles, batch, size * size, channels, true) : tiles, channelsFirst ? [batch, channels, size, size] : [batch, size, size, channels]);
      const result = await session.run({ [input]: feed });
      feed.dispose?.();
      const y = result[output]!;
      const data = y.data as Float32Array;
      const o = outputSize(spec, size);
      const values = channelsFirst ? relayout(data, batch, o * o, classes, false) : Float32Array.from(data);
      for (const t of Object.values(result)) t.dispose?.();
      return values;
    },
    async dispose() {
      await session.release?.();
    },
  };
}

/** The part of an ONNX Runtime module (`onnxruntime-node` or `onnxruntime-web`) that opens a model. */
export interface OrtModuleLike {
  readonly InferenceSession: {
    /** Creates a session for a serialised ONNX model. */
    create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
  readonly Tensor: OrtTensorConstructor;
}

/** Options of {@link openOnnxModel}. */
export interface OpenOnnxOptions {
  /** Intra-op threads (onnxruntime-node; onnxruntime-web takes `ort.env.wasm.numThreads`). Default: the runtime's. */
  readonly threads?: number;
  /** Execution providers in order of preference, e.g. `['webgpu', 'wasm']` in a browser. Default: the runtime's CPU provider. */
  readonly executionProviders?: readonly string[];
}

/**
 * Opens an ONNX model written by `toOnnx` (or `tfjs-unet export`) with the
 * given ONNX Runtime as a {@link TilePredictor}, its spec, layout and
 * training info read from the file. Works with `onnxruntime-node` and
 * `onnxruntime-web` alike; call `dispose()` when done.
 *
 * @throws {@link ArgumentError} when the bytes are not ONNX or carry no tfjs-unet spec.
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const bytes = new Uint8Array(await (await fetch('unet.onnx')).arrayBuffer());
 * const predictor = await openOnnxModel(bytes, ort, { executionProviders: ['wasm'] });
 * const { labels } = await predictTiled(predictor, image);
 * await predictor.dispose();
 * ```
 */
export async function openOnnxModel(bytes: Uint8Array, ort: OrtModuleLike, options: OpenOnnxOptions = {}): Promise<OwnedTilePredictor & OnnxModelInfo> {
  const info = readOnnxInfo(bytes);
  const session = await ort.InferenceSession.create(bytes, {
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
    ...(options.executionProviders === undefined ? {} : { executionProviders: [...options.executionProviders] }),
  });
  return { ...onnxPredictor(session, ort.Tensor, info), spec: info.spec, layout: info.layout, opset: info.opset, info: info.info };
}
