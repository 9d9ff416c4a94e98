/** Pictures the CLI writes: overlays, mask images, the training curve. */
export { maskImage, overlay } from '../regions/overlay.js';
import type { StepRecord } from '../train/checkpoint.js';
import type { ValidationRecord } from '../train/validation.js';

/** Round tick values spanning [low, high]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The loss smoothed by a centred moving average over about a fiftieth of the run (raw values where there are few). */
export function smoothed(values: readonly number[]): number[] {
  const half = Math.floor(values.length / 100);
  if (half === 0) return [...values];
  const prefix = new Float64Array(values.length + 1);
  values.forEach((v, i) => (prefix[i + 1] = prefix[i]! + v));
  return values.map((_, i) => {
    const a = Math.max(0, i - half);
    const b = Math.min(values.length, i + half + 1);
    return (prefix[b]! - prefix[a]!) / (b - a);
  });
}

/** Seconds into the run at `step`, interpolated between the validations that recorded their time (undefined without two of them). */
function timeAt(validations: readonly ValidationRecord[]): ((step: number) => number) | undefined {
  const timed = validations.filter((v) => v.seconds !== undefined).map((v) => [v.step, v.seconds!] as const);
  if (timed.length < 2) return undefined;
  return (step) => {
    let i = 1;
    while (i < timed.length - 1 && timed[i]![0] < step) i++;
    const [s0, t0] = timed[i - 1]!;
    const [s1, t1] = timed[i]!;
    return s1 === s0 ? t1 : t0 + ((t1 - t0) * (step - s0)) / (s1 - s0);
  };
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
const label = (v: number) => (Math.abs(v) >= 1000 ? v.toExponential(0) : String(Number(v.toPrecision(3))));

/**
 * An SVG chart of a run: the raw per-step loss (pale) with its smoothed
 * curve on the left axis, the validation score (named `name`) on its own
 * right axis, ticks on both, steps along the bottom with the run's time
 * beneath them when the validations recorded it.
 */
export function trainingCurveSvg(
  history: readonly StepRecord[],
  validations: readonly ValidationRecord[],
  metric: 'randError' | 'pixelError' | 'panopticQuality' = 'randError',
  name = 'Rand error (ISBI 2012)',
): string {
  const width = 720;
  const height = 360;
  const [left, right, top, bottom] = [64, 72, 28, 64];
  const steps = Math.max(1, history.at(-1)?.step ?? validations.at(-1)?.step ?? 1);
  const losses = history.map((h) => h.loss);
  const smooth = smoothed(losses);
  // The loss axis spans the smoothed curve and most raw steps: a few spikes do not flatten the rest.
  const sorted = [...losses].sort((a, b) => a - b);
  const lossTop = Math.max(1e-6, ...smooth, sorted[Math.floor(0.98 * (sorted.length - 1))] ?? 0);
  const lossTicks = niceTicks(0, lossTop);
  const lossMax = Math.max(lossTop, lossTicks.at(-1)!);
  const scores = validations.map((v) => v[metric]);
  const scoreTicks = scores.length === 0 ? [] : niceTicks(0, Math.max(1e-6, ...scores));
  const scoreMax = Math.max(1e-6, ...scores, ...scoreTicks);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (step: number) => left + (plotW * step) / steps;
  const yLoss = (v: number) => top + plotH - (plotH * Math.min(v, lossMax)) / lossMax;
  const yScore = (v: number) => top + plotH - (plotH * v) / scoreMax;
  const path = (points: readonly (readonly [number, number])[]) => points.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  const stepTicks = niceTicks(0, steps, 6);
  const time = timeAt(validations);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...lossTicks.map((t) => `<line x1="${left}" y1="${yLoss(t).toFixed(1)}" x2="${width - right}" y2="${yLoss(t).toFixed(1)}" stroke="#eee"/>`),
    `<path d="${path(history.map((h) => [x(h.step), yLoss(h.loss)]))}" fill="none" stroke="#9ecae1" stroke-width="1"/>`,
    `<path d="${path(history.map((h, i) => [x(h.step), yLoss(smooth[i]!)]))}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    scores.length === 0 ? '' : `<path d="${path(validations.map((v) => [x(v.step), yScore(v[metric])]))}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    ...validations.map((v) => `<circle cx="${x(v.step).toFixed(1)}" cy="${yScore(v[metric]).toFixed(1)}" r="2.5" fill="#d62728"/>`),
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="black"/>`,
    // Left axis: the loss.
    ...lossTicks.map((t) => `<text x="${left - 6}" y="${(yLoss(t) + 4).toFixed(1)}" text-anchor="end" fill="#1f77b4">${label(t)}</text>`),
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">training loss (smoothed over raw)</text>`,
    // Bottom axis: steps, and the run's time beneath.
    ...stepTicks.map((t) => `<line x1="${x(t).toFixed(1)}" y1="${top + plotH}" x2="${x(t).toFixed(1)}" y2="${top + plotH + 4}" stroke="black"/>`),
    ...stepTicks.map((t) => `<text x="${x(t).toFixed(1)}" y="${top + plotH + 17}" text-anchor="middle">${t}</text>`),
    ...(time === undefined ? [] : stepTicks.map((t) => `<text x="${x(t).toFixed(1)}" y="${top + plotH + 31}" text-anchor="middle" fill="#555">${clock(time(t))}</text>`)),
    `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${time === undefined ? 'step' : 'step (minutes:seconds into the run beneath)'}</text>`,
  ];
  if (scores.length > 0) {
    // Right axis: the validation score.
    parts.push(
      ...scoreTicks.map((t) => `<line x1="${width - right}" y1="${yScore(t).toFixed(1)}" x2="${width - right + 4}" y2="${yScore(t).toFixed(1)}" stroke="#d62728"/>`),
      ...scoreTicks.map((t) => `<text x="${width - right + 7}" y="${(yScore(t) + 4).toFixed(1)}" fill="#d62728">${label(t)}</text>`),
      `<text transform="translate(${width - 14} ${top + plotH / 2}) rotate(90)" text-anchor="middle" fill="#d62728">validation ${name}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.filter((p) => p !== '').join('\n');
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
