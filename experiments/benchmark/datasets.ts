/**
 * The benchmark's datasets, prepared from `../shared/data` into
 * `experiments/benchmark/work/data/NAME/{train,test}/{images,masks}` (never committed): what every
 * planning rule is judged on, together.
 */
import sharp from 'sharp';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cropImage, readImage, syntheticCells, writeImage, type ImageArray } from '../../src/node/index.js';

/** Where the shared data lives (a sibling of the repository). */
export const SHARED = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
/** Where prepared datasets and runs go (git-ignored). */
export const WORK = resolve(import.meta.dirname, 'work');

/** What a dataset's images show: tissue that fills the image (scored by the ISBI challenge errors) or objects on a background (AP, PQ, Dice). */
export type Kind = 'tissue' | 'objects';

export interface DatasetDefinition {
  readonly name: string;
  readonly kind: Kind;
  /** One sentence: what it is and how it is split. */
  readonly description: string;
  /** Writes the train/test folders into `dir`; undefined when its shared data is missing. */
  readonly prepare: (dir: string) => Promise<void>;
  /** The shared folder it needs. */
  readonly source?: string;
}

const pad2 = (i: number) => String(i).padStart(2, '0');

async function folders(dir: string): Promise<void> {
  for (const part of ['train', 'test']) for (const sub of ['images', 'masks']) mkdirSync(join(dir, part, sub), { recursive: true });
}

/** 16-bit image resized by `factor` (cubic) and 16-bit labels (nearest), with sharp. */
async function upscale(image: ImageArray, labels: ImageArray, factor: number): Promise<{ image: ImageArray<Uint16Array>; labels: ImageArray<Uint16Array> }> {
  const width = Math.round(image.width * factor);
  const height = Math.round(image.height * factor);
  const resize = async (a: ImageArray, kernel: 'cubic' | 'nearest') => {
    const { data } = await sharp(Uint16Array.from(a.data as ArrayLike<number>), { raw: { width: a.width, height: a.height, channels: 1 } })
      .resize(width, height, { kernel })
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice(), width, height };
  };
  return { image: await resize(image, 'cubic'), labels: await resize(labels, 'nearest') };
}

/** The fluorescence example's quadrants (train: top-left, top-right, bottom-left; test: bottom-right). */
async function fluoQuadrants() {
  const dir = join(SHARED, 'nuclei-fluo-dsb2018-example');
  const image = await readImage(join(dir, 'image.tif'));
  const labels = await readImage(join(dir, 'mask.tif'));
  const half = image.width / 2;
  return [
    ['q1', 0, 0],
    ['q2', half, 0],
    ['q3', 0, half],
    ['q4', half, half],
  ].map(([name, x, y]) => ({ name: name as string, test: name === 'q4', image: cropImage(image, x as number, y as number, half, half), labels: cropImage(labels, x as number, y as number, half, half) }));
}

export const DATASETS: readonly DatasetDefinition[] = [
  {
    name: 'em-membranes',
    kind: 'tissue',
    source: 'isbi2012-em/train',
    description: 'ISBI 2012 EM slices, binary membrane masks (cells 255): train 00-15, test 16-19.',
    async prepare(dir) {
      await folders(dir);
      const from = join(SHARED, 'isbi2012-em', 'train');
      for (let i = 0; i < 20; i++) {
        const part = i < 16 ? 'train' : 'test';
        await writeImage(join(dir, part, 'images', `${pad2(i)}.png`), await readImage(join(from, 'images', `${pad2(i)}.png`)));
        await writeImage(join(dir, part, 'masks', `${pad2(i)}.png`), await readImage(join(from, 'labels', `${pad2(i)}.png`)));
      }
    },
  },
  {
    name: 'he-nuclei',
    kind: 'objects',
    source: 'nuclei-he-miccai2015',
    description: 'MICCAI 2015 H&E tiles (RGB, 20x and 40x), 16-bit instance labels: test 02, 06, 10, 14, train the other 11 (the shared masks of 04 and 05 are swapped back).',
    async prepare(dir) {
      await folders(dir);
      const from = join(SHARED, 'nuclei-he-miccai2015');
      for (let i = 1; i <= 15; i++) {
        const part = i % 4 === 2 ? 'test' : 'train';
        // The shared copy holds the masks of tiles 04 and 05 under each other's names (their sizes differ).
        const maskOf = i === 4 ? 5 : i === 5 ? 4 : i;
        await writeImage(join(dir, part, 'images', `image${pad2(i)}.png`), await readImage(join(from, 'images', `image${pad2(i)}.png`)));
        await writeImage(join(dir, part, 'masks', `image${pad2(i)}.png`), await readImage(join(from, 'masks', `image${pad2(maskOf)}.png`)));
      }
    },
  },
  {
    name: 'fluo-nuclei',
    kind: 'objects',
    source: 'nuclei-fluo-dsb2018-example',
    description: 'The DSB 2018 fluorescence example (16-bit, 125 nuclei, instance labels) cut into 256 px quadrants: train three, test the bottom-right one.',
    async prepare(dir) {
      await folders(dir);
      for (const q of await fluoQuadrants()) {
        const part = q.test ? 'test' : 'train';
        await writeImage(join(dir, part, 'images', `${q.name}.png`), q.image);
        await writeImage(join(dir, part, 'masks', `${q.name}.png`), q.labels);
      }
    },
  },
  {
    name: 'fluo-nuclei-large',
    kind: 'objects',
    source: 'nuclei-fluo-dsb2018-example',
    description:
      'The same quadrants enlarged 3.5x (896 px, nuclei about 83 px across, like the kept-back set) with binary masks (touching nuclei merge, as in hand-drawn masks), train and test alike: objects are their connected regions.',
    async prepare(dir) {
      await folders(dir);
      for (const q of await fluoQuadrants()) {
        const part = q.test ? 'test' : 'train';
        const big = await upscale(q.image, q.labels, 3.5);
        await writeImage(join(dir, part, 'images', `${q.name}.png`), big.image);
        await writeImage(join(dir, part, 'masks', `${q.name}.png`), { ...big.labels, data: Uint8Array.from(big.labels.data, (v) => (v === 0 ? 0 : 255)) });
      }
    },
  },
  {
    name: 'synthetic-cells',
    kind: 'objects',
    description: "The demo's synthetic touching cells (256 px, binary masks with 1-px gaps): 8 train, 4 test images.",
    async prepare(dir) {
      await folders(dir);
      for (let i = 0; i < 12; i++) {
        const cells = syntheticCells(256, 1000 + i);
        const part = i < 8 ? 'train' : 'test';
        await writeImage(join(dir, part, 'images', `${pad2(i)}.png`), cells.image);
        await writeImage(join(dir, part, 'masks', `${pad2(i)}.png`), { ...cells.mask, data: Uint8Array.from(cells.mask.data, (v) => 255 * v) });
      }
    },
  },
];

/** The prepared folder of a dataset, preparing it on first use; undefined when its shared data is absent. */
export async function prepared(definition: DatasetDefinition): Promise<string | undefined> {
  const dir = join(WORK, 'data', definition.name);
  if (existsSync(join(dir, 'test', 'masks')) && readdirSync(join(dir, 'test', 'masks')).length > 0) return dir;
  if (definition.source !== undefined && !existsSync(join(SHARED, definition.source))) return undefined;
  await definition.prepare(dir);
  return dir;
}
