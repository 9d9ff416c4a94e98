/**
 * Training at a scale: images shrunk (area averaging, on their [0, 1]
 * scale), labels by nearest neighbour, and instance masks' objects kept apart
 * again at the new size, exactly as prediction shrinks its input
 * (`predictTiled`'s `scale`).
 */
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { unitScale } from '../core/normalization.js';
import { resizeImage } from '../core/resize.js';
import { separateInstances } from '../regions/masks.js';
import type { LabelledImages } from './validation.js';

/** The size an image of `width` x `height` has at `scale` (at least 2 px a side, as prediction makes it). */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(2, Math.round(width * scale)), height: Math.max(2, Math.round(height * scale)) };
}

/**
 * Labelled images at `scale` (in (0, 1]; 1 returns them unchanged). With
 * instances, the labels are made again from the shrunk objects
 * (`separateInstances`), so touching objects stay apart.
 *
 * @throws {@link ArgumentError} for a scale outside (0, 1].
 * @example
 * ```ts
 * const small = atScale({ images, labels }, 0.5);
 * ```
 */
export function atScale(data: LabelledImages, scale: number): LabelledImages {
  if (!(scale > 0 && scale <= 1)) throw new ArgumentError('scale', 'must be a number in (0, 1]', scale);
  if (scale === 1) return data;
  const sizes = data.images.map((image) => scaledSize(image.width, image.height, scale));
  const images = data.images.map((image, i) => resizeImage(unitScale(image), sizes[i]!.width, sizes[i]!.height, 'area'));
  const instances = data.instances?.map((objects, i) => resizeImage(objects, sizes[i]!.width, sizes[i]!.height, 'nearest'));
  const labels: ImageArray<TypedArray>[] = data.labels.map((label, i) =>
    instances === undefined ? resizeImage(label, sizes[i]!.width, sizes[i]!.height, 'nearest') : separateInstances(instances[i]!).labels,
  );
  return { images, labels, ...(instances === undefined ? {} : { instances }) };
}

/** Per-pixel weight maps at `scale` (linear). */
export function weightsAtScale(maps: readonly ImageArray<TypedArray>[], scale: number): readonly ImageArray<TypedArray>[] {
  if (scale === 1) return maps;
  return maps.map((map) => {
    const { width, height } = scaledSize(map.width, map.height, scale);
    return resizeImage(map, width, height, 'linear');
  });
}
