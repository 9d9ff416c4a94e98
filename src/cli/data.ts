/** The data flags `train`, `plan` and `evaluate` share: image and mask folders, what the masks encode. */
import { loadDataset, type Dataset, type DatasetOptions } from '../node/images.js';
import { MASK_TYPES, type Color } from '../regions/masks.js';
import { choice, required, UsageError } from './args.js';

/** Flags of the masks: `--mask-type` and `--mask-colors`. */
export const MASK_FLAGS = { 'mask-type': { type: 'string' }, 'mask-colors': { type: 'string' } } as const;

/** Help lines of {@link MASK_FLAGS}. */
export const MASK_HELP = `Masks are paired with images by file name: binary (0/1, 0/255), class masks (class indices, or a
few gray values such as 0/128/255), instance label masks (8/16-bit, 0 = background, one id per
object, as Cellpose, StarDist, napari and QuPath export them) or RGB/palette masks. What they encode
is decided for the whole set (one foreground value: binary; each value one connected region:
instances; values forming many regions: classes), printed and saved; --mask-type
binary|classes|instances states it. --mask-colors "0,0,0 255,0,0 0,255,0": the colour of each class
of RGB masks, background first (default: their colours sorted, black first).`;

/** `--mask-colors "R,G,B R,G,B ..."`, checked. */
function colorsFlag(value: unknown): Color[] | undefined {
  if (value === undefined) return undefined;
  const colors = String(value)
    .trim()
    .split(/\s+/)
    .map((triple) => triple.split(',').map(Number));
  if (colors.length < 2 || colors.some((c) => c.length !== 3 || c.some((v) => !Number.isInteger(v) || v < 0 || v > 255))) {
    throw new UsageError(`--mask-colors must list at least two R,G,B colours (0..255) separated by spaces, background first, got ${String(value)}`);
  }
  return colors as unknown as Color[];
}

/** The mask options the flags ask for, checked before any file is read. */
export function maskOptions(values: Record<string, unknown>): DatasetOptions {
  const maskType = choice(values, 'mask-type', MASK_TYPES, undefined);
  const colors = colorsFlag(values['mask-colors']);
  return { ...(maskType === undefined ? {} : { maskType }), ...(colors === undefined ? {} : { colors }) };
}

/** Loads `--{prefix}images` and `--{prefix}masks` with the mask options. */
export function loadData(values: Record<string, unknown>, options: DatasetOptions, prefix = ''): Promise<Dataset> {
  return loadDataset({ images: required(values, `${prefix}images`), masks: required(values, `${prefix}masks`) }, options);
}

/** One line on what the masks are: `instance masks (each value forms one region: ...), 2 classes`. */
export function describeMasks(data: Dataset): string {
  return `${data.maskType === 'instances' ? 'instance' : data.maskType === 'classes' ? 'class' : 'binary'} masks (${data.maskReason}), ${data.classes} classes`;
}

/** What plan.json records about the masks, so a resumed run and a reader know how they were read. */
export function maskRecord(data: Dataset) {
  return {
    type: data.maskType,
    reason: data.maskReason,
    classes: data.classes,
    ...(data.valueTable === undefined ? {} : { valueTable: data.valueTable }),
    ...(data.colorTable === undefined ? {} : { colorTable: data.colorTable }),
  };
}
