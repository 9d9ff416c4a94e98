/**
 * Spec -> tf.LayersModel. The only module that assembles tfjs graphs.
 *
 * Design: tfjs's built-in `Cropping2D` computes a negative size when the
 * spatial dims are unknown (`null - 88`), so a free-shape valid-padding U-Net
 * cannot be built from built-in layers. Specs with crops are therefore built
 * for a fixed input tile size, and {@link withInputSize} re-applies the same
 * layer objects to a new input: a model for another tile size that shares the
 * weights (no copy, no retraining). Specs without crops (same padding) get a
 * free-shape input unless a size is asked for. Either way only built-in
 * layers are used, so saved models load with plain `tf.loadLayersModel`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Spec } from '../spec/graph.js';
import { SPEC_FORMAT } from '../spec/graph.js';
import { SpecError } from '../spec/errors.js';
import type { SpecNode } from '../spec/nodes.js';
import { layerTable } from '../geometry/table.js';
import { defaultInputSize, outputSize, type TileSize } from '../geometry/tiles.js';
import { walkAxis } from '../geometry/walk.js';
import { createLayer, type LayerContext } from './layers.js';
import { kernelInitializer } from './initializers.js';
import type { SupervisionHead } from '../geometry/supervision.js';
import { attachSpec } from './metadata.js';

/** Options of {@link buildModel}. */
export interface BuildOptions {
  /**
   * Input tile size (a number or `[height, width]`). Default: free shape
   * for specs without crops, else the valid size nearest 572.
   */
  readonly inputSize?: TileSize;
  /** Seed of the weight initialisers, for reproducible models. Default: random. */
  readonly seed?: number;
}

/**
 * Whether the spec has crop/trim nodes and so must be built for a fixed tile size.
 *
 * @example
 * ```ts
 * needsFixedInputSize(unet());                     // true (valid padding crops skips)
 * needsFixedInputSize(unet({ padding: 'same' }));  // false
 * ```
 */
export function needsFixedInputSize(spec: Spec): boolean {
  return spec.nodes.some((n) => n.kind === 'crop' || n.kind === 'trim');
}

function checkSpec(spec: unknown): asserts spec is Spec {
  const format = typeof spec === 'object' && spec !== null ? (spec as { format?: unknown }).format : undefined;
  if (format !== SPEC_FORMAT) {
    throw new SpecError('spec', 'must be a spec made by unet(), graph() or specFromJSON()', spec);
  }
}

type LayerSource = (node: SpecNode, context: LayerContext) => tf.layers.Layer;

/** Deep-supervision heads to add as extra outputs: 1x1 convs to `classes` scores, trimmed. */
interface HeadRequest {
  readonly heads: readonly SupervisionHead[];
  readonly classes: number;
  readonly seed: number | undefined;
}

function assemble(spec: Spec, size: readonly [number, number] | undefined, layerFor: LayerSource, seed?: number, supervision?: HeadRequest): tf.LayersModel {
  const rows = layerTable(spec, size ?? defaultInputSize(spec));
  const hs = size === undefined ? undefined : walkAxis(spec, size[0]);
  const ws = size === undefined ? undefined : walkAxis(spec, size[1]);
  const indexOf = new Map(spec.nodes.map((n, i) => [n.name, i]));
  const sizeOf = (walk: typeof hs, name: string): number => {
    if (walk?.failure !== undefined || walk === undefined) throw new Error('unreachable: sizes were validated');
    return walk.sizes[indexOf.get(name)!]!;
  };
  const inputNode = spec.nodes[0]!;
  const symbols = new Map<string, tf.SymbolicTensor>();
  const input = tf.input({
    name: inputNode.name,
    shape: [size?.[0] ?? null, size?.[1] ?? null, rows[0]!.channels],
  });
  symbols.set(inputNode.name, input);
  spec.nodes.forEach((node, i) => {
    if (node.kind === 'input') return;
    let cropping: LayerContext['cropping'] = [
      [0, 0],
      [0, 0],
    ];
    if (node.kind === 'crop') {
      const dh = (sizeOf(hs, node.input) - sizeOf(hs, node.reference)) / 2;
      const dw = (sizeOf(ws, node.input) - sizeOf(ws, node.reference)) / 2;
      cropping = [
        [dh, dh],
        [dw, dw],
      ];
    } else if (node.kind === 'trim') {
      cropping = [
        [node.pixels, node.pixels],
        [node.pixels, node.pixels],
      ];
    }
    // A crop's reference only fixes its size; the layer reads its first input alone.
    const tensorInputs = node.kind === 'crop' ? [node.input] : rows[i]!.inputs;
    const inputs = tensorInputs.map((name) => symbols.get(name)!);
    const inChannels = rows[indexOf.get(rows[i]!.inputs[0]!)!]!.channels;
    const layer = layerFor(node, { inChannels, cropping, seed: seed === undefined ? undefined : seed + i });
    symbols.set(node.name, layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor);
  });
  const heads = (supervision?.heads ?? []).map((head, k) => {
    const channels = rows[indexOf.get(head.input)!]!.channels;
    const conv = tf.layers.conv2d({
      name: head.name,
      filters: supervision!.classes,
      kernelSize: 1,
      activation: 'linear',
      kernelInitializer: kernelInitializer('heNormal', channels, supervision!.seed === undefined ? undefined : supervision!.seed + k),
    });
    const scores = conv.apply(symbols.get(head.input)!) as tf.SymbolicTensor;
    if (head.trim === 0) return scores;
    const t = head.trim;
    return tf.layers.cropping2D({ name: `${head.name}_trim`, cropping: [[t, t], [t, t]] }).apply(scores) as tf.SymbolicTensor;
  });
  const output = symbols.get(spec.output)!;
  const model = tf.model({ name: spec.name, inputs: input, outputs: heads.length === 0 ? output : [output, ...heads] });
  attachSpec(model, spec);
  return model;
}

function resolveSize(spec: Spec, inputSize: TileSize | undefined): readonly [number, number] | undefined {
  if (inputSize === undefined) {
    if (!needsFixedInputSize(spec)) return undefined;
    const s = defaultInputSize(spec);
    return [s, s];
  }
  outputSize(spec, inputSize); // throws InvalidTileSizeError naming the nearest valid sizes
  return typeof inputSize === 'number' ? [inputSize, inputSize] : [inputSize[0], inputSize[1]];
}

/**
 * Compiles a spec into a `tf.LayersModel` (functional API, built-in layers
 * only, NHWC). Valid-padding specs are built for one input tile size; use
 * {@link withInputSize} to get the same weights at another size.
 *
 * @param spec - from `unet()`, `graph()` or `specFromJSON()`.
 * @param options - input tile size and initialiser seed.
 * @returns an uncompiled model; its output is `[batch, outH, outW, classes]`.
 * @throws {@link InvalidTileSizeError} for an invalid tile size (with the nearest valid sizes).
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { unet, buildModel } from 'tfjs-unet';
 *
 * const model = buildModel(unet({ depth: 2, baseFilters: 8 }), { inputSize: 92, seed: 1 });
 * const y = model.predict(tf.zeros([1, 92, 92, 1])) as tf.Tensor; // [1, 52, 52, 2]
 * ```
 */
export function buildModel(spec: Spec, options: BuildOptions = {}): tf.LayersModel {
  checkSpec(spec);
  const size = resolveSize(spec, options.inputSize);
  return assemble(spec, size, createLayer, options.seed);
}

/**
 * A model for another input tile size that shares `model`'s layers, and so
 * its weights: training either trains both. Disposing one keeps the shared
 * weights alive until the other is disposed too.
 *
 * @param model - a model compiled from `spec` (or loaded from a saved one).
 * @param spec - the spec `model` was built from.
 * @param inputSize - the new, valid tile size.
 * @throws {@link InvalidTileSizeError} for an invalid size; {@link SpecError}
 *   when `model` lacks a layer of `spec`.
 * @example
 * ```ts
 * const spec = unet();
 * const training = buildModel(spec, { inputSize: 572 });
 * const inference = withInputSize(training, spec, 1068); // same weights, bigger tiles
 * ```
 */
export function withInputSize(model: tf.LayersModel, spec: Spec, inputSize: TileSize): tf.LayersModel {
  return reassemble(model, spec, inputSize);
}

/**
 * The training model of a deep-supervised run: `model`'s layers at a tile
 * size (weights shared, as {@link withInputSize}), with outputs `[output,
 * ...heads]`, where each head is a new 1x1 convolution to `classes` scores
 * (He-normal, bias) on its spec node, trimmed to the output window (see
 * `supervisionHeads`). The heads' layers are named after them
 * (`supervision_1`, ...) and exist only in this model: the saved model and
 * predictions keep the one output.
 *
 * @param model - a model compiled from `spec`.
 * @param spec - its spec (e.g. with the output activation removed, to train on logits).
 * @param inputSize - the training tile size the heads were laid out for.
 * @param heads - from `supervisionHeads(spec, inputSize, nodes)`.
 * @param options - `classes` of the heads (the spec's output channels) and an initialiser `seed`.
 * @throws {@link SpecError} when `model` lacks a layer of `spec`; `InvalidTileSizeError` for a bad size.
 * @example
 * ```ts
 * const heads = supervisionHeads(spec, 252, supervisedNodes(spec, true));
 * const training = withSupervisionHeads(model, spec, 252, heads, { classes: 2 });
 * const [logits, ...auxiliary] = training.apply(x) as tf.Tensor[];
 * ```
 */
export function withSupervisionHeads(
  model: tf.LayersModel,
  spec: Spec,
  inputSize: number,
  heads: readonly SupervisionHead[],
  options: { readonly classes: number; readonly seed?: number },
): tf.LayersModel {
  return reassemble(model, spec, inputSize, { heads, classes: options.classes, seed: options.seed });
}

function reassemble(model: tf.LayersModel, spec: Spec, inputSize: TileSize, supervision?: HeadRequest): tf.LayersModel {
  checkSpec(spec);
  const size = resolveSize(spec, inputSize);
  const reuse: LayerSource = (node, context) => {
    if (node.kind === 'crop' || node.kind === 'trim') return createLayer(node, context);
    let layer: tf.layers.Layer;
    try {
      layer = model.getLayer(node.name);
    } catch {
      throw new SpecError('model', `must have a layer for every node of the spec; it has no layer \`${node.name}\``, model.name);
    }
    return layer;
  };
  return assemble(spec, size, reuse, undefined, supervision);
}
