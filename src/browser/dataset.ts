/**
 * Images and masks chosen in a page (`<input type="file" multiple>`, a
 * dropped folder), paired and read as the Node loader reads folders: the same
 * pairing by name and the same mask rule (`interpretMasks`).
 */
import { ArgumentError } from '../core/errors.js';
import type { FileImage } from '../core/image.js';
import { interpretMasks, pairMasks, type MaskSet, type MaskSetOptions } from '../regions/masks.js';
import { decodeImage, imagePages, type ImageSource } from './images.js';

/** A file of the page: a `File` (it has a name), or bytes with the name they came under. */
export type NamedSource = File | { readonly name: string; readonly data: ImageSource };

/** A dataset read in the page: images and masks paired by name, the masks read as a {@link MaskSet}. */
export interface PageDataset extends MaskSet {
  readonly names: readonly string[];
  readonly images: readonly FileImage[];
}

const dataOf = (file: NamedSource): ImageSource => ('data' in file && !(file instanceof Blob) ? file.data : (file as File));

/**
 * Reads images and masks chosen in the page, pairing them by file name
 * without extension (one TIFF stack with one mask stack: page by page).
 * Masks may be binary, class, instance label or RGB/palette masks, told
 * apart as `loadDataset` does in Node (`interpretMasks`) unless
 * `options.maskType` states the type.
 *
 * @throws {@link ArgumentError} naming unpaired files, a mask of another size than its image, or a mask that fits no type.
 * @example
 * ```ts
 * const data = await loadDatasetFiles([...imagesInput.files!], [...masksInput.files!]);
 * console.log(data.maskType, data.maskReason); // 'instances', 'each value forms one region: ...'
 * ```
 */
export async function loadDatasetFiles(images: readonly NamedSource[], masks: readonly NamedSource[], options: MaskSetOptions = {}): Promise<PageDataset> {
  const byName = (files: readonly NamedSource[]) => new Map(files.map((f) => [f.name, f]));
  const imageFiles = byName(images);
  const maskFiles = byName(masks);
  const stacks = images.length === 1 && masks.length === 1;
  const imagePageCount = stacks ? await imagePages(dataOf(images[0]!), { name: images[0]!.name, argument: 'images' }) : 1;
  const maskPageCount = stacks && imagePageCount > 1 ? await imagePages(dataOf(masks[0]!), { name: masks[0]!.name, argument: 'masks' }) : 1;
  const pairs = pairMasks([...imageFiles.keys()].sort(), [...maskFiles.keys()], { imagePages: imagePageCount, maskPages: maskPageCount });
  const decoded: FileImage[] = [];
  const raw: FileImage[] = [];
  for (const pair of pairs) {
    const page = pair.page === undefined ? {} : { page: pair.page };
    const image = await decodeImage(dataOf(imageFiles.get(pair.image)!), { ...page, name: pair.image, argument: 'images' });
    const mask = await decodeImage(dataOf(maskFiles.get(pair.mask)!), { ...page, name: pair.mask, argument: 'masks' });
    if (image.width !== mask.width || image.height !== mask.height) {
      throw new ArgumentError('masks', `must match their images' sizes: ${pair.image} is ${image.width}x${image.height}`, `${pair.mask} is ${mask.width}x${mask.height}`);
    }
    decoded.push(image);
    raw.push(mask);
  }
  return { names: pairs.map((p) => p.name), images: decoded, ...interpretMasks(raw, pairs.map((p) => p.mask), options) };
}
