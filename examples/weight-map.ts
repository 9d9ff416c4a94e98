/**
 * Compute the paper's border weight map for a label image and write it as a
 * PNG heat map (dark = weight 0, bright = the largest weight).
 *
 *   npx tsx examples/weight-map.ts [labels.png | --synthetic] [out.png]
 *
 * Defaults to the ISBI 2012 label 00 from ../shared/data when present, else
 * (or with --synthetic) synthetic touching cells. The picture in
 * docs/loss-and-weight-maps.md is
 * `npx tsx examples/weight-map.ts --synthetic docs/images/weight-map.png`.
 */
import sharp from 'sharp';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { labelComponents, syntheticCells, weightMap } from 'tfjs-unet';

const isbi = '../shared/data/isbi2012-em/train/labels/00.png';
const synthetic = process.argv[2] === '--synthetic';
const input = synthetic ? undefined : process.argv[2] || (existsSync(isbi) ? isbi : undefined);
const output = process.argv[3] ?? 'examples/output/weight-map.png';
mkdirSync(dirname(output), { recursive: true });

async function readMask(path: string) {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Synthetic touching cells: the weight map peaks in the thin gaps between them. */
function syntheticMask() {
  return syntheticCells(256, 3).mask;
}

const mask = input === undefined ? syntheticMask() : await readMask(input);
const weights = weightMap(mask); // w0 = 10, sigma = 5, balanced class weights
let max = 0;
let min = Infinity;
for (const w of weights) {
  max = Math.max(max, w);
  min = Math.min(min, w);
}
const pixels = Uint8Array.from(weights, (w) => Math.round((255 * w) / max));
await sharp(pixels, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toFile(output);
console.log(
  `${input ?? 'synthetic cells'}: ${labelComponents(mask).count} cells, weights in [${min.toFixed(2)}, ${max.toFixed(2)}] -> ${output}`,
);
