/** Pictures the CLI writes: overlays, mask images, the training curve. */
import type { ImageArray } from '../core/image.js';
import type { StepRecord } from '../train/checkpoint.js';
import type { ValidationRecord } from '../train/validation.js';

/** Gray 8-bit RGB of an image (first channel, min-max scaled) with the mask's contour in red. */
export function overlay(image: ImageArray, labels: ArrayLike<number>): ImageArray<Uint8Array> {
  const { width, height } = image;
  const channels = image.channels ?? 1;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < width * height; i++) {
    const v = image.data[i * channels]!;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const scale = max > min ? 255 / (max - min) : 0;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const l = labels[i]!;
      const edge =
        l !== 0 &&
        ((x > 0 && labels[i - 1] !== l) || (x < width - 1 && labels[i + 1] !== l) || (y > 0 && labels[i - width] !== l) || (y < height - 1 && labels[i + width] !== l));
      const g = Math.round((image.data[i * channels]! - min) * scale);
      out.set(edge ? [255, 32, 32] : [g, g, g], 3 * i);
    }
  return { data: out, width, height, channels: 3 };
}

/** Class indices as an 8-bit image spread over 0..255 (binary: 0 / 255). */
export function maskImage(labels: ArrayLike<number>, width: number, height: number, classes: number): ImageArray<Uint8Array> {
  const step = 255 / Math.max(1, classes - 1);
  return { data: Uint8Array.from(labels, (v) => Math.round(v * step)), width, height };
}

/** An SVG line chart of the loss (and a validation score, named `label`) against the step. */
export function trainingCurveSvg(
  history: readonly StepRecord[],
  validations: readonly ValidationRecord[],
  metric: 'randError' | 'pixelError' | 'panopticQuality' = 'randError',
  label = 'Rand error (ISBI 2012)',
): string {
  const width = 640;
  const height = 320;
  const pad = 48;
  const steps = Math.max(1, history.at(-1)?.step ?? 1);
  const losses = history.map((h) => h.loss);
  const top = Math.max(1e-6, ...losses, ...validations.map((v) => v[metric]));
  const x = (step: number) => pad + ((width - 2 * pad) * step) / steps;
  const y = (v: number) => height - pad - ((height - 2 * pad) * v) / top;
  const line = (points: [number, number][]) => points.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  const loss = line(history.map((h) => [x(h.step), y(h.loss)]));
  const val = line(validations.map((v) => [x(v.step), y(v[metric])]));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="black"/>`,
    `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="black"/>`,
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle">step (last ${steps})</text>`,
    `<text x="${pad - 6}" y="${pad}" text-anchor="end">${top.toPrecision(3)}</text>`,
    `<text x="${pad - 6}" y="${height - pad}" text-anchor="end">0</text>`,
    `<path d="${loss}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
    validations.length > 0 ? `<path d="${val}" fill="none" stroke="#d62728" stroke-width="2"/>` : '',
    `<text x="${width - pad}" y="${pad}" text-anchor="end" fill="#1f77b4">training loss</text>`,
    validations.length > 0 ? `<text x="${width - pad}" y="${pad + 16}" text-anchor="end" fill="#d62728">validation ${label}</text>` : '',
    '</svg>',
  ].join('\n');
}

/** A plain-text table. */
export function table(rows: readonly object[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  const cells = rows.map((row) => {
    const r = row as Record<string, unknown>;
    return headers.map((h) => (typeof r[h] === 'number' ? (r[h] as number).toFixed(4) : String(r[h])));
  });
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}
