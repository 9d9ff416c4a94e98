/**
 * Elastic deformation and the paper's augmentation pipeline on an image and
 * its label, written as before/after PNGs to examples/output/.
 *
 *   npx tsx examples/elastic-augment.ts [image.png label.png]
 *
 * Defaults to ISBI 2012 slice 00 from ../shared/data when present, else a
 * synthetic checkerboard (deformations are easy to see on straight lines).
 */
import sharp from 'sharp';
import { existsSync, mkdirSync } from 'node:fs';
import { augment, elasticDeform, PAPER_AUGMENTATION, type ImageArray } from 'tfjs-unet';

const isbi = '../shared/data/isbi2012-em/train';
const [imagePath, labelPath] =
  process.argv.length >= 4
    ? [process.argv[2]!, process.argv[3]!]
    : existsSync(isbi)
      ? [`${isbi}/images/00.png`, `${isbi}/labels/00.png`]
      : [undefined, undefined];
const out = 'examples/output';
mkdirSync(out, { recursive: true });

async function read(path: string): Promise<ImageArray<Uint8Array>> {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function checkerboard(size: number, cell: number): ImageArray<Uint8Array> {
  const data = Uint8Array.from({ length: size * size }, (_, i) => ((Math.floor(i / size / cell) + Math.floor((i % size) / cell)) % 2) * 255);
  return { data, width: size, height: size };
}

const write = (image: ImageArray<Uint8Array>, name: string) =>
  sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } }).png().toFile(`${out}/${name}`);

const image = imagePath === undefined ? checkerboard(256, 32) : await read(imagePath);
const label = labelPath === undefined ? checkerboard(256, 32) : await read(labelPath);

// One elastic deformation (3x3 grid, sigma 10 px) applied to image and label together.
const [deformed, deformedLabel] = elasticDeform([image, label], { seed: 3, order: ['cubic', 'nearest'] });
// The whole pipeline: shift, rotation, flips, elastic, gray values.
const augmented = augment({ image, label }, PAPER_AUGMENTATION, 3);

await write(image, 'elastic-before.png');
await write(deformed, 'elastic-after.png');
await write(deformedLabel, 'elastic-label-after.png');
await write(augmented.image, 'augmented.png');
await write(augmented.label!, 'augmented-label.png');
const labelValues = [...new Set(deformedLabel.data)].sort((a, b) => a - b);
console.log(`${imagePath ?? 'checkerboard'}: wrote 5 PNGs to ${out}/; deformed label values ${labelValues.join(', ')} (nearest keeps them)`);
