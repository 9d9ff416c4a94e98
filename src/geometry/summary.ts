/**
 * A Keras-like summary table of a spec, from the spec alone.
 */
import type { Spec } from '../spec/graph.js';
import { NODE_KIND_TABLE } from '../spec/kinds.js';
import { layerTable } from './table.js';
import { defaultInputSize, margin, type TileSize } from './tiles.js';

/** Options of {@link summary}. */
export interface SummaryOptions {
  /** Input tile size for the size column (default: the valid size nearest 572). */
  readonly inputSize?: TileSize;
  /** Called with each line, like Keras's `print_fn` (the library itself prints nothing). */
  readonly printFn?: (line: string) => void;
}

const group = (n: number) => n.toLocaleString('en-US');

/**
 * Renders the layer table: name, type, output shape (for the input tile
 * size), parameter count and inputs, then totals and the tile geometry.
 *
 * @returns the table as text (also passed line by line to `printFn`).
 * @example
 * ```ts
 * console.log(summary(unet(), { inputSize: 572 }));
 * // ... Total params: 31,030,658 ...
 * ```
 */
export function summary(spec: Spec, options: SummaryOptions = {}): string {
  const inputSize = options.inputSize ?? defaultInputSize(spec);
  const rows = layerTable(spec, inputSize);
  const header = ['Layer (type)', 'Output shape', 'Param #', 'Connected to'];
  const body = rows.map((r) => [
    `${r.name} (${NODE_KIND_TABLE[r.kind].label})`,
    `[null, ${r.height}, ${r.width}, ${r.channels}]`,
    group(r.trainableParams + r.nonTrainableParams),
    r.inputs.join(', '),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const trainable = rows.reduce((a, r) => a + r.trainableParams, 0);
  const nonTrainable = rows.reduce((a, r) => a + r.nonTrainableParams, 0);
  const last = rows[rows.length - 1]!;
  const first = rows[0]!;
  let marginText: string;
  try {
    marginText = String(margin(spec));
  } catch {
    marginText = 'n/a';
  }
  const lines = [
    `Model: "${spec.name}"`,
    rule('_'),
    line(header),
    rule('='),
    ...body.map(line),
    rule('='),
    `Total params: ${group(trainable + nonTrainable)}`,
    `Trainable params: ${group(trainable)}`,
    `Non-trainable params: ${group(nonTrainable)}`,
    `Tile: input ${first.height}x${first.width} -> output ${last.height}x${last.width}, margin ${marginText} px per side`,
    rule('_'),
  ];
  for (const l of lines) options.printFn?.(l);
  return lines.join('\n');
}
