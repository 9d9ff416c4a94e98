/** The picture of a mask over its image. */
import type { ImageArray } from '../core/image.js';

/**
 * Gray 8-bit RGB of an image (first channel, min-max scaled) with the
 * contour of each labelled region in red: the overlay `predict` writes and a
 * package's cover.
 *
 * @example
 * ```ts
 * const rgb = overlay(image, mask); // { data: Uint8Array, width, height, channels: 3 }
 * ```
 */
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

/** Class indices as an 8-bit image spread over 0..255 (binary: 0 / 255): the mask `predict` writes. */
export function maskImage(labels: ArrayLike<number>, width: number, height: number, classes: number): ImageArray<Uint8Array> {
  const step = 255 / Math.max(1, classes - 1);
  return { data: Uint8Array.from(labels, (v) => Math.round(v * step)), width, height };
}
