import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/train/calibrate.js';
import type { ScoredImage } from '../../src/metrics/report.js';

/** Two discs of radius 10 whose edges overlap by 4 px, predicted with certainty as one blob (no valley in the probability). */
function touchingDiscs(): ScoredImage {
  const width = 64;
  const height = 40;
  const centres = [
    [20, 20],
    [36, 20],
  ] as const;
  const instances = new Int32Array(width * height);
  const probabilities = new Float32Array(2 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = centres.map(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2 <= 100);
      // Each pixel of the overlap belongs to the nearer centre.
      const id = inside[0] && inside[1] ? (x < 28 ? 1 : 2) : inside[0] ? 1 : inside[1] ? 2 : 0;
      instances[i] = id;
      probabilities[2 * i] = id === 0 ? 1 : 0;
      probabilities[2 * i + 1] = id === 0 ? 0 : 1;
    }
  }
  const truth = { data: Uint8Array.from(instances, (v) => (v === 0 ? 0 : 1)), width, height };
  return { probabilities, truth, instances: { data: instances, width, height } };
}

describe('calibrate (objects)', () => {
  it('does not try the distance-transform watershed, which a certain blob of two touching objects would reward', () => {
    const { info, panopticQuality } = calibrate([touchingDiscs()], { kind: 'objects' });
    // No valley in the probability: only the distance watershed could split the blob, and it is not a candidate.
    expect(info.instances?.split).not.toBe(true);
    // The blob stays one object, matched to one disc at IoU 0.52: PQ = 0.52 * 1 / (1 + 0.5) = 0.34 (split, it would be near 1).
    expect(panopticQuality).toBeCloseTo(0.34, 2);
    expect(info.instances?.thin).toBe(false);
  });
});
