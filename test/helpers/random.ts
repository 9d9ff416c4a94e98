/** A seeded uniform generator (mulberry32) for reproducible test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random image with values drawn from `values` with the given probabilities. */
export function randomImage(random: () => number, width: number, height: number, values: readonly number[], weights?: readonly number[]) {
  const w = weights ?? values.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const data = new Int32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    let r = random() * total;
    let k = 0;
    while (r >= w[k]! && k < values.length - 1) r -= w[k++]!;
    data[i] = values[k]!;
  }
  return { data, width, height };
}
