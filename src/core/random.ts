/**
 * A small seeded random generator (xoshiro128**, seeded by splitmix32):
 * the same seed gives the same numbers on every platform, and its state can
 * be saved and restored (for checkpoints).
 */
import { ArgumentError } from './errors.js';

/** The saved state of a {@link Random}: four 32-bit words and a cached Gaussian (or null). */
export type RandomState = readonly [number, number, number, number, number | null];

/**
 * Seeded uniform and Gaussian random numbers.
 *
 * @example
 * ```ts
 * const random = new Random(42);
 * random.uniform();   // [0, 1)
 * random.normal(10);  // N(0, 10^2)
 * const saved = random.state;
 * const again = Random.fromState(saved);
 * ```
 */
export class Random {
  private readonly s = new Uint32Array(4);
  private spare: number | undefined;

  /** @param seed - any integer (taken modulo 2^32). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new ArgumentError('seed', 'must be a finite number', seed);
    let x = Math.trunc(seed) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** Restores a generator from {@link Random.state}. */
  static fromState(state: RandomState): Random {
    const valid =
      Array.isArray(state) &&
      state.length === 5 &&
      state.slice(0, 4).every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) &&
      (state[4] === null || Number.isFinite(state[4]));
    if (!valid) throw new ArgumentError('state', 'must be a state array from Random.state', state);
    const random = new Random(0);
    random.s.set(state.slice(0, 4) as number[]);
    random.spare = state[4] ?? undefined;
    return random;
  }

  /** The full state as plain, JSON-safe numbers. */
  get state(): RandomState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!, this.spare ?? null];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A Gaussian N(mean, std^2) (Box-Muller; pairs are cached). */
  normal(std = 1, mean = 0): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
