/**
 * The border weight map of this tree against another checkout's, interleaved in one process (so
 * both see the same machine at the same moments): the ISBI 2012 label 00, medians of 21 after
 * 3 warm-ups. Make the other checkout with `git worktree add /tmp/before COMMIT` and link this
 * tree's node_modules into it.
 *
 *   npx tsx bench/weight-map-ab.ts --before /tmp/before
 */
import sharp from 'sharp';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { weightMap } from '../src/index.js';
import { isbiDirectory, median } from './util.js';

const { values } = parseArgs({ options: { before: { type: 'string' }, runs: { type: 'string', default: '21' } } });
if (values.before === undefined) throw new Error('give --before DIR (a checkout of the commit to compare with)');
const dir = isbiDirectory();
if (dir === undefined) {
  console.log('weight map A/B skipped: ../shared/data/isbi2012-em/train is absent');
  process.exit(0);
}
const before = ((await import(resolve(values.before, 'src', 'index.ts'))) as { weightMap: typeof weightMap }).weightMap;
const { data, info } = await sharp(join(dir, 'labels', '00.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
const image = { data: new Uint8Array(data), width: info.width, height: info.height };
const now: number[] = [];
const then: number[] = [];
for (let i = 0; i < 3; i++) {
  weightMap(image);
  before(image);
}
for (let i = 0; i < Number(values.runs); i++) {
  let start = performance.now();
  weightMap(image);
  now.push(performance.now() - start);
  start = performance.now();
  before(image);
  then.push(performance.now() - start);
}
console.log(`weight map of ISBI label 00: this tree ${median(now).toFixed(1)} ms, ${values.before} ${median(then).toFixed(1)} ms (medians of ${now.length}, interleaved)`);
