import { describe, expect, it } from 'vitest';
import { ArgumentError, labelComponents } from '../../src/index.js';
import { randomImage, rng } from '../helpers/random.js';

/** Brute force: repeatedly merge equal-valued neighbours until nothing changes (no union-find, no flood fill). */
function bruteForceComponents(data: ArrayLike<number>, width: number, height: number, connectivity: 4 | 8): Int32Array {
  const id = new Int32Array(width * height);
  for (let i = 0; i < id.length; i++) id[i] = data[i] === 0 ? 0 : i + 1;
  const offsets = connectivity === 4 ? [[0, 1], [1, 0], [0, -1], [-1, 0]] : [[0, 1], [1, 0], [0, -1], [-1, 0], [1, 1], [1, -1], [-1, 1], [-1, -1]];
  let changed = true;
  while (changed) {
    changed = false;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (id[i] === 0) continue;
        for (const [dy, dx] of offsets) {
          const yy = y + dy!;
          const xx = x + dx!;
          if (yy < 0 || xx < 0 || yy >= height || xx >= width) continue;
          const j = yy * width + xx;
          if (data[j] === data[i] && id[j]! < id[i]!) {
            id[i] = id[j]!;
            changed = true;
          }
        }
      }
  }
  return id;
}

/** Whether two labelings define the same partition (with 0 meaning "no component" in both). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === 0) !== (b[i] === 0)) return false;
    if (a[i] === 0) continue;
    if ((ab.get(a[i]!) ?? b[i]) !== b[i] || (ba.get(b[i]!) ?? a[i]) !== a[i]) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

describe('labelComponents', () => {
  it('labels a hand-made image', () => {
    // 1 1 0 2
    // 0 1 0 2
    // 3 0 1 1   (the bottom-right 1s touch the top 1s only diagonally)
    const data = [1, 1, 0, 2, 0, 1, 0, 2, 3, 0, 1, 1];
    expect(Array.from(labelComponents({ data, width: 4, height: 3 }).labels)).toEqual([1, 1, 0, 2, 0, 1, 0, 2, 3, 0, 4, 4]);
    expect(labelComponents({ data, width: 4, height: 3 }).count).toBe(4);
    expect(Array.from(labelComponents({ data, width: 4, height: 3 }, { connectivity: 8 }).labels)).toEqual([1, 1, 0, 2, 0, 1, 0, 2, 3, 0, 1, 1]);
  });

  it.each([4, 8] as const)('matches brute force on random images (%i-connectivity)', (connectivity) => {
    const random = rng(connectivity);
    for (let trial = 0; trial < 40; trial++) {
      const width = 1 + Math.floor(random() * 24);
      const height = 1 + Math.floor(random() * 24);
      const image = randomImage(random, width, height, [0, 1, 2], [2, 2, 1]);
      const { labels, count } = labelComponents(image, { connectivity });
      const reference = bruteForceComponents(image.data, width, height, connectivity);
      expect(samePartition(labels, reference)).toBe(true);
      expect(count).toBe(new Set(Array.from(reference).filter((v) => v !== 0)).size);
    }
  });

  it('rejects malformed input', () => {
    expect(() => labelComponents({ data: [1, 2, 3], width: 2, height: 2 })).toThrow(
      '`image.data` must hold width * height = 4 values. Received: image.data="array of length 3".',
    );
    expect(() => labelComponents({ data: [1], width: 1, height: 1 }, { connectivity: 6 as 4 })).toThrow(ArgumentError);
  });
});
