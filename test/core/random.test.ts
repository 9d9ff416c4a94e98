import { describe, expect, it } from 'vitest';
import { Random } from '../../src/index.js';

describe('Random', () => {
  it('is deterministic per seed and restorable from its state', () => {
    const a = new Random(42);
    const b = new Random(42);
    const xs = Array.from({ length: 100 }, () => a.uniform());
    expect(Array.from({ length: 100 }, () => b.uniform())).toEqual(xs);
    expect(new Random(43).uniform()).not.toBe(xs[0]);
    a.normal();
    const state = JSON.parse(JSON.stringify(a.state));
    const c = Random.fromState(state);
    expect(Array.from({ length: 10 }, () => c.normal(3))).toEqual(Array.from({ length: 10 }, () => a.normal(3)));
    expect(() => Random.fromState([1, 2] as never)).toThrow('`state` must be a state array from Random.state');
  });

  it('draws uniforms in [0, 1) and Gaussians with the asked moments', () => {
    const random = new Random(7);
    const n = 200_000;
    let sum = 0;
    let sum2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = random.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const g = random.normal(10, 2);
      sum += g;
      sum2 += g * g;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const mean = sum / n;
    const std = Math.sqrt(sum2 / n - mean * mean);
    expect(Math.abs(mean - 2)).toBeLessThan(0.1); // 5 standard errors
    expect(Math.abs(std - 10)).toBeLessThan(0.1);
  });
});
