/**
 * The README's picture: `tfjs-unet demo` as a user runs it, then `predict --instances` on its
 * held-out images, shown side by side: the image, the predicted mask's contour over it, and the
 * objects in colours; and the demo's training curve beside it (docs/images/demo-training-curve.svg).
 *
 *   npx tsx scripts/readme-picture.ts [--out docs/images/demo.png]
 */
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { main } from '../src/cli/main.js';
import { colouredLabels } from './colour-labels.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'images', 'demo.png') } } });
const work = await mkdtemp(join(tmpdir(), 'tfjs-unet-picture-'));
const run = async (argv: string[]) => {
  const code = await main(argv, (line) => console.log(line));
  if (code !== 0) throw new Error(`tfjs-unet ${argv.join(' ')} exited ${code}`);
};
await run(['demo', '--out', work, '--size', '192']);
await run(['predict', '--model', join(work, 'model'), '--images', join(work, 'data', 'test', 'images'), '--out', join(work, 'masks'), '--instances']);


const name = '0';
const panels = [
  await readFile(join(work, 'data', 'test', 'images', `${name}.png`)),
  await readFile(join(work, 'masks', `${name}-overlay.png`)),
  await colouredLabels(join(work, 'masks', `${name}-instances.png`)),
];
const size = (await sharp(panels[0]).metadata()).width!;
const gap = 8;
await sharp({ create: { width: 3 * size + 2 * gap, height: size, channels: 3, background: 'white' } })
  .composite(await Promise.all(panels.map(async (panel, i) => ({ input: await sharp(panel).toColourspace('srgb').png().toBuffer(), left: i * (size + gap), top: 0 }))))
  .png()
  .toFile(resolve(values.out));
await copyFile(join(work, 'training-curve.svg'), join(dirname(resolve(values.out)), 'demo-training-curve.svg'));
console.log(`wrote ${values.out}: image | predicted mask's contour | objects (from ${work})`);
