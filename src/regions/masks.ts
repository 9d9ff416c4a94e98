/**
 * Masks as people have them: binary masks, class masks and instance label
 * masks (0 = background, 1..N = one id per object, as Cellpose, StarDist,
 * napari and QuPath export them), told apart by one documented rule, and
 * turned into what training needs.
 */
import { ArgumentError } from '../core/errors.js';
import { labelComponents } from '../core/components.js';
import type { ImageArray, LabelImage, TypedArray } from '../core/image.js';

/** What a set of masks encodes. */
export const MASK_TYPES = ['binary', 'classes', 'instances'] as const;
/**
 * - `'binary'`: one foreground value (0/1, 0/255, ...);
 * - `'classes'`: semantic classes, each value one class wherever it occurs;
 * - `'instances'`: each value one object (0 = background).
 */
export type MaskType = (typeof MASK_TYPES)[number];

/** Most classes a class mask may hold (background included). */
export const MAX_CLASSES = 32;

/**
 * Share of the (mask, value) pairs that must form exactly one connected
 * region for a mask set to read as instances: an object is one region, a
 * class usually many. A tenth is left for objects an annotator drew in two
 * pieces.
 */
export const SINGLE_REGION_SHARE = 0.9;

/** What {@link maskEvidence} counts in one mask. */
export interface MaskEvidence {
  /** Distinct non-zero values. */
  readonly values: number;
  /** The largest value. */
  readonly maxValue: number;
  /** 8-connected regions of equal non-zero value, summed over the values. */
  readonly regions: number;
  /** Non-zero values that form exactly one region. */
  readonly singleRegionValues: number;
}

/**
 * Counts what tells mask types apart: the non-zero values of a mask and the
 * connected regions (8-connected, equal value) each forms.
 *
 * @example
 * ```ts
 * maskEvidence({ data: [0, 1, 0, 2], width: 2, height: 2 }); // { values: 2, regions: 2, singleRegionValues: 2, maxValue: 2 }
 * ```
 */
export function maskEvidence(mask: LabelImage): MaskEvidence {
  const { labels, count } = labelComponents(mask, { connectivity: 8 });
  const regionsOf = new Map<number, number>();
  const valueOf = new Int32Array(count + 1).fill(-1);
  let maxValue = 0;
  for (let i = 0; i < labels.length; i++) {
    const region = labels[i]!;
    if (region === 0 || valueOf[region] !== -1) continue;
    const value = mask.data[i]!;
    valueOf[region] = value;
    regionsOf.set(value, (regionsOf.get(value) ?? 0) + 1);
    if (value > maxValue) maxValue = value;
  }
  let singleRegionValues = 0;
  for (const regions of regionsOf.values()) if (regions === 1) singleRegionValues++;
  return { values: regionsOf.size, maxValue, regions: count, singleRegionValues };
}

/** What {@link decideMaskType} chose and why. */
export interface MaskDecision {
  readonly type: MaskType;
  /** One sentence for the user: what was counted. */
  readonly reason: string;
}

/**
 * Decides what a set of masks encodes, by this rule:
 * 1. every mask holds at most one non-zero value: **binary**;
 * 2. otherwise, when at least {@link SINGLE_REGION_SHARE} of the (mask,
 *    value) pairs form exactly one connected region: **instances** (an
 *    object is one region; 25 touching cells numbered 1..25 are 25
 *    objects, never 26 classes);
 * 3. otherwise, with at most {@link MAX_CLASSES} - 1 distinct non-zero values
 *    over the set: **classes** (a class forms many regions);
 * 4. otherwise the set fits no rule (an anti-aliased mask or a photograph):
 *    an {@link ArgumentError} names the file with the most values and what
 *    was found.
 * A `given` type always wins (it is checked only for what it cannot hold).
 *
 * @param evidence - one {@link maskEvidence} per mask.
 * @param names - the masks' names (files), for messages.
 * @param options - `given`: the type the user stated (`--mask-type`); `distinctValues`: distinct
 *   non-zero values over the whole set (class masks allow {@link MAX_CLASSES} - 1).
 * @example
 * ```ts
 * decideMaskType(masks.map(maskEvidence), files).type; // 'instances'
 * ```
 */
export function decideMaskType(
  evidence: readonly MaskEvidence[],
  names: readonly string[],
  options: { readonly given?: MaskType; readonly distinctValues?: number } = {},
): MaskDecision {
  const { given, distinctValues } = options;
  if (evidence.length === 0) throw new ArgumentError('masks', 'must hold at least one mask', 0);
  const pairs = evidence.reduce((sum, e) => sum + e.values, 0);
  const single = evidence.reduce((sum, e) => sum + e.singleRegionValues, 0);
  const most = evidence.reduce((best, e, i) => (e.values > evidence[best]!.values ? i : best), 0);
  const share = pairs === 0 ? 1 : single / pairs;
  const counted = `${pairs} (mask, value) pairs over ${evidence.length} mask(s), ${(100 * share).toFixed(0)}% of them one connected region, up to ${evidence[most]!.values} values in a mask`;
  if (given !== undefined) {
    if (given === 'classes' && (distinctValues ?? 0) > MAX_CLASSES - 1) {
      throw new ArgumentError('maskType', `'classes' allows at most ${MAX_CLASSES - 1} foreground classes`, `${distinctValues} distinct values`);
    }
    return { type: given, reason: `as stated (${counted})` };
  }
  if (evidence.every((e) => e.values <= 1)) return { type: 'binary', reason: `every mask holds one foreground value (${evidence.length} mask(s))` };
  if (share >= SINGLE_REGION_SHARE) return { type: 'instances', reason: `each value forms one region: ${counted}` };
  if ((distinctValues ?? MAX_CLASSES) <= MAX_CLASSES - 1) return { type: 'classes', reason: `values form many regions each: ${counted}` };
  throw new ArgumentError(
    names[most] ?? 'masks',
    `must be a binary mask, a class mask (at most ${MAX_CLASSES - 1} classes) or an instance label mask (each value one object); its values fit none (anti-aliased or a photo?): ${counted}. Give --mask-type if it is one of them`,
    `${evidence[most]!.values} values in ${evidence[most]!.regions} regions`,
  );
}

/**
 * Training labels from instance labels: foreground 1 and background 0, with
 * touching objects kept apart by a one-pixel gap (where two objects are
 * 4-neighbours, the pixel of the larger id becomes background), so that the
 * 4-connected regions of the labels are the objects. Returns the labels and
 * the instances with the gap removed (what the border weight map is computed
 * on: the gap is background between two objects).
 *
 * @example
 * ```ts
 * const { labels } = separateInstances({ data: [1, 2], width: 2, height: 1 }); // labels.data: [1, 0]
 * ```
 */
export function separateInstances(instances: LabelImage): { labels: ImageArray<Uint8Array>; instances: ImageArray<Int32Array> } {
  const { data, width, height } = instances;
  const labels = new Uint8Array(width * height);
  const kept = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const id = data[i]!;
      if (id === 0) continue;
      const yields = (j: number) => {
        const other = data[j]!;
        return other !== 0 && other < id;
      };
      if ((x > 0 && yields(i - 1)) || (x < width - 1 && yields(i + 1)) || (y > 0 && yields(i - width)) || (y < height - 1 && yields(i + width))) continue;
      labels[i] = 1;
      kept[i] = id;
    }
  }
  return { labels: { data: labels, width, height }, instances: { data: kept, width, height } };
}

/**
 * Class indices of a class mask: values that are already small integers
 * (all at most {@link MAX_CLASSES} - 1) are their own class; other value sets
 * (e.g. 0/128/255) are numbered in increasing order by `table` (0 stays
 * background).
 *
 * @example
 * ```ts
 * classTable([0, 128, 255]); // [0, 128, 255]: 128 -> class 1, 255 -> class 2
 * ```
 */
export function classTable(values: readonly number[]): readonly number[] | undefined {
  const sorted = [...new Set([0, ...values])].sort((a, b) => a - b);
  return sorted.at(-1)! <= MAX_CLASSES - 1 ? undefined : sorted;
}

/**
 * One mask as training labels of its type: binary and instances give 0/1
 * (instances with touching objects separated, see {@link separateInstances}),
 * classes give class indices (through `table` when given).
 *
 * @example
 * ```ts
 * maskLabels({ data: [0, 255], width: 2, height: 1 }, 'binary').data; // [0, 1]
 * ```
 */
export function maskLabels(mask: LabelImage, type: MaskType, table?: readonly number[]): ImageArray<Uint8Array> {
  const { data, width, height } = mask;
  if (type === 'instances') return separateInstances(mask).labels;
  const labels = new Uint8Array(width * height);
  if (type === 'binary') {
    for (let i = 0; i < labels.length; i++) labels[i] = data[i] === 0 ? 0 : 1;
    return { data: labels, width, height };
  }
  const index = table === undefined ? undefined : new Map(table.map((v, k) => [v, k]));
  for (let i = 0; i < labels.length; i++) {
    const v = data[i]!;
    const c = index === undefined ? v : index.get(v);
    if (c === undefined || c > MAX_CLASSES - 1) throw new ArgumentError('mask', `must hold class values of the table ${table?.join(', ') ?? `0..${MAX_CLASSES - 1}`}`, v);
    labels[i] = c;
  }
  return { data: labels, width, height };
}

/** An RGB colour. */
export type Color = readonly [number, number, number];

/**
 * The colours of RGB masks as ids: black is 0, every other colour its index
 * in `table` (default: the masks' colours sorted by their packed value, black
 * first). Returns the id images and the table (index = id).
 *
 * @throws {@link ArgumentError} for a colour missing from a given table.
 * @example
 * ```ts
 * const { ids, table } = colorIds([{ data: rgb, width, height, channels: 3 }]);
 * ```
 */
export function colorIds(masks: readonly ImageArray[], table?: readonly Color[]): { ids: ImageArray<Int32Array>[]; table: readonly Color[] } {
  const pack = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;
  let colours = table;
  if (colours === undefined) {
    const seen = new Set<number>([0]);
    for (const mask of masks) for (let i = 0; i < mask.data.length; i += 3) seen.add(pack(mask.data[i]!, mask.data[i + 1]!, mask.data[i + 2]!));
    colours = [...seen].sort((a, b) => a - b).map((v) => [(v >> 16) & 255, (v >> 8) & 255, v & 255] as const);
  }
  const index = new Map(colours.map((c, k) => [pack(c[0], c[1], c[2]), k]));
  const ids = masks.map((mask, m) => {
    if ((mask.channels ?? 1) !== 3) throw new ArgumentError(`masks[${m}].channels`, 'must be 3 (RGB) for a colour mask', mask.channels ?? 1);
    const out = new Int32Array(mask.width * mask.height);
    for (let i = 0; i < out.length; i++) {
      const v = pack(mask.data[3 * i]!, mask.data[3 * i + 1]!, mask.data[3 * i + 2]!);
      const id = index.get(v);
      if (id === undefined) throw new ArgumentError(`masks[${m}]`, `must use the colours of the table (${colours.map((c) => c.join(',')).join('; ')})`, `${(v >> 16) & 255},${(v >> 8) & 255},${v & 255}`);
      out[i] = id;
    }
    return { data: out, width: mask.width, height: mask.height };
  });
  return { ids, table: colours };
}

/** A set of masks read as what they encode: training labels, and what was decided about them. */
export interface MaskSet {
  /** Training labels: class indices (0 = background); for instance masks, foreground 1 with touching objects kept apart (`separateInstances`). */
  readonly masks: readonly ImageArray<Uint8Array>[];
  /** Classes of the labels (at least 2). */
  readonly classes: number;
  /** What the mask files encode, decided by `decideMaskType` or stated. */
  readonly maskType: MaskType;
  /** Why: what was counted in the masks. */
  readonly maskReason: string;
  /** The objects of instance masks as the files number them (0 = background); absent for other types. */
  readonly instances?: readonly ImageArray<Int32Array>[];
  /** Class masks whose values are not class indices: the value of each class index (e.g. 0, 128, 255). */
  readonly valueTable?: readonly number[];
  /** RGB masks: the colour of each class index or object id (black first). */
  readonly colorTable?: readonly Color[];
}

/** Options of {@link interpretMasks}. */
export interface MaskSetOptions {
  /** What the masks encode; always wins over the rule of `decideMaskType`. */
  readonly maskType?: MaskType;
  /** RGB masks: the colour of each class index (or object id), background first; default the masks' colours, sorted. */
  readonly colors?: readonly Color[];
}

/**
 * Reads decoded mask images (gray 8/16/32-bit or RGB) as one set: RGB
 * colours become ids ({@link colorIds}; gray masks among them read as their
 * gray colour), the set's type is decided by {@link decideMaskType} unless
 * `options.maskType` states it, and each mask becomes training labels
 * ({@link maskLabels}). The Node loader and the browser's both read masks
 * through this.
 *
 * @param raw - the decoded masks, one per image.
 * @param names - their names (files), for messages.
 * @throws {@link ArgumentError} naming the mask that fits no type.
 * @example
 * ```ts
 * const { maskType, masks } = interpretMasks([{ data: [0, 1, 2, 0], width: 2, height: 2 }], ['a.png']); // 'instances'
 * ```
 */
export function interpretMasks(raw: readonly ImageArray<TypedArray | readonly number[]>[], names: readonly string[], options: MaskSetOptions = {}): MaskSet {
  const coloured = raw.some((m) => (m.channels ?? 1) === 3);
  let colorTable: readonly Color[] | undefined;
  let values: readonly ImageArray<ArrayLike<number>>[] = raw;
  if (coloured) {
    const rgb = raw.map((m) => ((m.channels ?? 1) === 3 ? m : { ...m, data: Uint8Array.from({ length: 3 * m.data.length }, (_, i) => m.data[Math.floor(i / 3)]!), channels: 3 }));
    const ids = colorIds(rgb, options.colors);
    values = ids.ids;
    colorTable = ids.table;
  }
  const distinct = new Set<number>();
  for (const mask of values) for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== 0 && distinct.size < 65536) distinct.add(mask.data[i]!);
  const decision = decideMaskType(values.map(maskEvidence), names, { ...(options.maskType === undefined ? {} : { given: options.maskType }), distinctValues: distinct.size });
  const valueTable = decision.type === 'classes' && !coloured ? classTable([...distinct]) : undefined;
  const masks = values.map((mask) => maskLabels(mask, decision.type, valueTable));
  const classes = decision.type === 'classes' ? Math.max(2, ...masks.map((m) => m.data.reduce((a, v) => (v > a ? v : a), 0) + 1)) : 2;
  return {
    masks,
    classes,
    maskType: decision.type,
    maskReason: decision.reason,
    ...(decision.type === 'instances' ? { instances: values.map((m) => ({ data: Int32Array.from(m.data), width: m.width, height: m.height })) } : {}),
    ...(valueTable === undefined ? {} : { valueTable }),
    ...(colorTable === undefined ? {} : { colorTable }),
  };
}

/** An image and its mask: names of the two files, with the page of a TIFF stack when both are stacks. */
export interface MaskPair {
  /** The pair's name: the file name without extension (with `-NNN` for a stack page). */
  readonly name: string;
  readonly image: string;
  readonly mask: string;
  readonly page?: number;
}

/**
 * A file name without its folder and extension: the name images and masks are paired by.
 *
 * @example
 * ```ts
 * fileStem('data/masks/07.png'); // '07'
 * ```
 */
export const fileStem = (path: string): string => {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
};

/**
 * Pairs image files with mask files by name without extension (`img/07.tif`
 * with `masks/07.png`); one multi-page image with one multi-page mask pairs
 * page by page (`imagePages` > 1). Every image needs a mask and every mask an
 * image.
 *
 * @param options - `imagePages`/`maskPages`: the pages of a lone image and mask file; `where`: what
 *   the two lists are called in messages (their folders).
 * @throws {@link ArgumentError} naming the unpaired files, or stacks of unequal length.
 * @example
 * ```ts
 * pairMasks(['a/01.png'], ['b/01.png']); // [{ name: '01', image: 'a/01.png', mask: 'b/01.png' }]
 * ```
 */
export function pairMasks(
  images: readonly string[],
  masks: readonly string[],
  options: { readonly imagePages?: number; readonly maskPages?: number; readonly where?: { readonly images: string; readonly masks: string } } = {},
): MaskPair[] {
  const where = options.where ?? { images: 'the images', masks: 'the masks' };
  const base = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (images.length === 1 && masks.length === 1 && (options.imagePages ?? 1) > 1) {
    const pages = options.imagePages!;
    if ((options.maskPages ?? 1) !== pages) throw new ArgumentError('masks', `must have as many pages as ${images[0]} (${pages})`, `${masks[0]}: ${options.maskPages ?? 1} pages`);
    return Array.from({ length: pages }, (_, page) => ({ name: `${fileStem(images[0]!)}-${String(page).padStart(3, '0')}`, image: images[0]!, mask: masks[0]!, page }));
  }
  const byName = new Map(masks.map((m) => [fileStem(m), m]));
  const pairs = images.map((image) => {
    const mask = byName.get(fileStem(image));
    if (mask === undefined) throw new ArgumentError('masks', `must contain a mask named like ${base(image)}`, where.masks);
    byName.delete(fileStem(image));
    return { name: fileStem(image), image, mask };
  });
  if (byName.size > 0) throw new ArgumentError('images', `must contain an image for every mask; none for ${[...byName.values()].map(base).join(', ')}`, where.images);
  if (pairs.length === 0) throw new ArgumentError('images', 'must hold PNG, JPEG or TIFF images, and there are none', where.images);
  return pairs;
}
