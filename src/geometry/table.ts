/**
 * Per-layer sizes, channels and parameter counts of a spec at an input size:
 * the data behind `summary`, computed from the spec alone.
 */
import type { Spec } from '../spec/graph.js';
import { kindOf, nodeInputs } from '../spec/kinds.js';
import type { SpecNode } from '../spec/nodes.js';
import { defaultInputSize, outputSize, type TileSize } from './tiles.js';
import { inputIndices, walkAxis } from './walk.js';

/** One row of {@link layerTable}. */
export interface LayerRow {
  readonly name: string;
  readonly kind: SpecNode['kind'];
  readonly inputs: readonly string[];
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Trainable parameters. */
  readonly trainableParams: number;
  /** Non-trainable parameters (batch-norm moving statistics). */
  readonly nonTrainableParams: number;
}

/**
 * The layer table of a spec at an input tile size (default: {@link defaultInputSize}).
 *
 * @throws {@link InvalidTileSizeError} when the size is not valid.
 * @example
 * ```ts
 * const rows = layerTable(unet(), 572);
 * rows.at(-1); // { name: 'output', height: 388, width: 388, channels: 2, ... }
 * ```
 */
export function layerTable(spec: Spec, inputSize: TileSize = defaultInputSize(spec)): LayerRow[] {
  outputSize(spec, inputSize); // throws a descriptive InvalidTileSizeError when invalid
  const [h, w] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
  const hs = walkAxis(spec, h);
  const ws = walkAxis(spec, w);
  if (hs.failure !== undefined || ws.failure !== undefined) throw new Error('unreachable: outputSize accepted the size');
  const inputs = inputIndices(spec);
  const channels: number[] = [];
  return spec.nodes.map((node, i) => {
    const inChannels = inputs[i]!.map((j) => channels[j]!);
    const kind = kindOf(node);
    const c = kind.channels(node, inChannels) as number; // graph() refused specs whose channels do not fit
    channels.push(c);
    const [trainableParams, nonTrainableParams] = kind.params(node, inChannels);
    return {
      name: node.name,
      kind: node.kind,
      inputs: nodeInputs(node),
      height: hs.sizes[i]!,
      width: ws.sizes[i]!,
      channels: c,
      trainableParams,
      nonTrainableParams,
    };
  });
}

/**
 * The channels of a spec's output: the class count of a softmax network.
 * The one source of the class count for training tiles and the loss.
 *
 * @example
 * ```ts
 * outputChannels(unet({ classes: 3 })); // 3
 * ```
 */
export function outputChannels(spec: Spec): number {
  const channels = new Map<string, number>();
  for (const node of spec.nodes) channels.set(node.name, kindOf(node).channels(node, nodeInputs(node).map((name) => channels.get(name)!)) as number);
  return channels.get(spec.output)!;
}

/**
 * Parameter totals of a spec (independent of the input size).
 *
 * @example
 * ```ts
 * countParams(unet()).total; // 31030658
 * ```
 */
export function countParams(spec: Spec): { readonly total: number; readonly trainable: number; readonly nonTrainable: number } {
  const rows = layerTable(spec);
  const trainable = rows.reduce((a, r) => a + r.trainableParams, 0);
  const nonTrainable = rows.reduce((a, r) => a + r.nonTrainableParams, 0);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
