/**
 * Elastic deformation benchmark: one random 3x3-grid deformation (sigma 10)
 * of a 512x512 image (cubic), its label (nearest) and weight map (linear),
 * versus the image alone. Medians of 15 interleaved runs after a warm-up.
 */
import { elasticDeform, Random } from '../src/index.js';
import { median } from './util.js';

export interface ElasticRow {
  readonly case: string;
  readonly medianMs: number;
}

export function benchElastic(size = 512, runs = 15): ElasticRow[] {
  const image = { data: Float32Array.from({ length: size * size }, (_, i) => Math.sin(i * 0.01)), width: size, height: size };
  const label = { data: Uint8Array.from({ length: size * size }, (_, i) => (i >> 4) % 2), width: size, height: size };
  const weights = { data: Float32Array.from({ length: size * size }, (_, i) => 1 + (i % 10)), width: size, height: size };
  const random = new Random(1);
  const all = () => elasticDeform([image, label, weights], { random, order: ['cubic', 'nearest', 'linear'] });
  const alone = () => elasticDeform([image], { random, order: 'cubic' });
  all();
  alone();
  const times = { all: [] as number[], alone: [] as number[] };
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of [['all', all], ['alone', alone]] as const) {
      const start = performance.now();
      fn();
      times[name].push(performance.now() - start);
    }
  }
  return [
    { case: `image (cubic) + label (nearest) + weights (linear), ${size}x${size}`, medianMs: median(times.all) },
    { case: `image alone (cubic), ${size}x${size}`, medianMs: median(times.alone) },
  ];
}
