/**
 * Boundary rules: how an index outside an image maps back into it (the
 * overlap-tile mirroring among them).
 */

/** How samples outside the image are filled. */
export const BOUNDARIES = ['mirror', 'reflect', 'nearest', 'constant'] as const;
/**
 * - `'mirror'` (default): reflect about the edge pixel, `d c b | a b c d | c b a` (the overlap-tile mirroring);
 * - `'reflect'`: reflect about the edge, repeating it, `c b a | a b c d | d c b`;
 * - `'nearest'`: repeat the edge pixel;
 * - `'constant'`: a constant value (`cval`).
 */
export type Boundary = (typeof BOUNDARIES)[number];

/**
 * Maps index `i` into `[0, n)` by the boundary rule; -1 means "use cval".
 *
 * @example
 * ```ts
 * boundaryIndex(-1, 4, 'mirror');  // 1  (d c b | a b c d)
 * boundaryIndex(-1, 4, 'reflect'); // 0
 * boundaryIndex(4, 4, 'nearest');  // 3
 * ```
 */
export function boundaryIndex(i: number, n: number, boundary: Boundary): number {
  if (i >= 0 && i < n) return i;
  switch (boundary) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'mirror': {
      if (n === 1) return 0;
      const period = 2 * n - 2;
      let j = i % period;
      if (j < 0) j += period;
      return j < n ? j : period - j;
    }
    case 'reflect': {
      const period = 2 * n;
      let j = i % period;
      if (j < 0) j += period;
      return j < n ? j : period - 1 - j;
    }
  }
}
