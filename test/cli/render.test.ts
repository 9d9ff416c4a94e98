import { describe, expect, it } from 'vitest';
import { niceTicks, smoothed, trainingCurveSvg } from '../../src/cli/render.js';
import type { ValidationRecord } from '../../src/index.js';

describe('training curve', () => {
  it('puts ticks at 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 0.73)).toEqual([0, 0.2, 0.4, 0.6]); // raw step 0.146 -> 0.2
    expect(niceTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]); // raw 16.7 -> 20
    expect(niceTicks(0, 1286, 6)).toEqual([0, 500, 1000]); // raw 214 -> 500
    expect(niceTicks(0.3, 0.3)).toEqual([0.3]);
  });

  it('smooths the loss by a centred moving average over a fiftieth of the run', () => {
    expect(smoothed([3, 1, 2])).toEqual([3, 1, 2]); // too few steps: raw
    const alternating = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0 : 2));
    const s = smoothed(alternating);
    expect(s[2]).toBeCloseTo(0.8, 12); // (0 + 2 + 0 + 2 + 0) / 5
    expect(s[3]).toBeCloseTo(1.2, 12);
    expect(s[0]).toBeCloseTo(2 / 3, 12); // the window shrinks at the ends: (0 + 2 + 0) / 3
    expect(smoothed(Array.from({ length: 300 }, () => 0.5)).every((v) => Math.abs(v - 0.5) < 1e-12)).toBe(true);
  });

  it('draws the score on its own labelled axis and the time beneath the steps', () => {
    const history = Array.from({ length: 100 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));
    const record = (step: number, seconds: number, randError: number) => ({ step, seconds, randError }) as unknown as ValidationRecord;
    const svg = trainingCurveSvg(history, [record(0, 10, 0.5), record(50, 160, 0.2), record(100, 310, 0.1)], 'randError', 'Rand error');
    expect(svg).toContain('validation Rand error');
    expect(svg).toContain('training loss (smoothed over raw)');
    // Steps 0, 20, ..., 100 at 0:10, 1:10, ..., 5:10 (interpolated between the validations' times).
    for (const [step, time] of [[0, '0:10'], [40, '2:10'], [60, '3:10'], [100, '5:10']] as const) {
      expect(svg).toMatch(new RegExp(`>${step}</text>`));
      expect(svg).toContain(`>${time}</text>`);
    }
    // The right axis's ticks: 0 .. 0.5 by 0.1, in the score's colour.
    for (const tick of ['0.1', '0.2', '0.3', '0.4', '0.5']) expect(svg).toMatch(new RegExp(`fill="#d62728">${tick.replace('.', '\\.')}</text>`));
    expect(svg.match(/<path /g)).toHaveLength(3); // raw loss, smoothed loss, score
    const untimed = trainingCurveSvg(history, [], 'randError');
    expect(untimed).not.toContain('validation');
    expect(untimed).not.toContain('minutes');
  });
});
