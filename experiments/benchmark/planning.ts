/**
 * What planning costs on images the size of the kept-back set (12 images of 1344 x 1024): the
 * fluorescence quadrants enlarged 3.5x and mirrored to that size, planned by `tfjs-unet plan
 * --minutes N` with an empty step-time cache (a fresh machine) and again with the cache it left.
 * Prints the CLI's planning line for each; appends nothing to results.json.
 *
 *   npx tsx experiments/benchmark/planning.ts [--minutes 10] [--cli dist/cli.js]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage, writeImage, type ImageArray } from '../../src/node/index.js';
import { DATASETS, prepared, WORK } from './datasets.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, cli: { type: 'string', default: join(import.meta.dirname, '..', '..', 'dist', 'cli.js') } } });

/** An image mirrored (reflected at its borders) to `width` x `height`. */
function mirrored<T extends ImageArray>(image: T, width: number, height: number): T {
  const Ctor = image.data.constructor as new (n: number) => T['data'] & { [i: number]: number };
  const data = new Ctor(width * height);
  const fold = (i: number, n: number) => {
    const period = 2 * n;
    const m = ((i % period) + period) % period;
    return m < n ? m : period - 1 - m;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = image.data[fold(y, image.height) * image.width + fold(x, image.width)]!;
  return { ...image, data, width, height };
}

const source = await prepared(DATASETS.find((d) => d.name === 'fluo-nuclei-large')!);
if (source === undefined) {
  console.log('skipped: the fluorescence example is not in the shared data');
  process.exit(0);
}
const dir = join(WORK, 'data', 'planning-1344x1024');
if (!existsSync(join(dir, 'masks', '11.png'))) {
  for (const sub of ['images', 'masks']) mkdirSync(join(dir, sub), { recursive: true });
  const names = ['q1', 'q2', 'q3'];
  for (let i = 0; i < 12; i++) {
    const name = names[i % 3]!;
    const image = await readImage(join(source, 'train', 'images', `${name}.png`));
    const mask = await readImage(join(source, 'train', 'masks', `${name}.png`));
    await writeImage(join(dir, 'images', `${String(i).padStart(2, '0')}.png`), mirrored(image, 1344, 1024));
    await writeImage(join(dir, 'masks', `${String(i).padStart(2, '0')}.png`), mirrored(mask, 1344, 1024));
  }
}
const cache = join(WORK, 'planning-cache');
rmSync(cache, { recursive: true, force: true });
for (const when of ['empty cache', 'cache of the first plan']) {
  const run = spawnSync(process.execPath, [resolve(values.cli), 'plan', '--images', join(dir, 'images'), '--masks', join(dir, 'masks'), '--minutes', values.minutes], {
    encoding: 'utf8',
    env: { ...process.env, TFJS_UNET_CACHE: cache },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  console.log(`${when}: ${run.stdout.split('\n').find((l) => l.startsWith('planning: ') && l.includes('% of the'))}`);
}
