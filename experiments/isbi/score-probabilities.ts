/**
 * Scores cell-probability maps written by another tool (raw float32, one file per ISBI 2012 slice,
 * `16.f32` ... `19.f32`, row-major 512x512) against the shared labels with the library's
 * evaluation: the ISBI 2012 challenge protocol, pixel errors, instances.
 *
 *   npx tsx experiments/isbi/score-probabilities.ts --probabilities DIR [--data DIR] [--slices 16,17,18,19]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSegmentation, readMask } from '../../src/node/index.js';
import { isbiDirectory } from '../../bench/util.js';

const { values } = parseArgs({ options: { probabilities: { type: 'string' }, data: { type: 'string' }, slices: { type: 'string', default: '16,17,18,19' } } });
const data = values.data ?? isbiDirectory();
if (data === undefined || values.probabilities === undefined) {
  console.log('usage: --probabilities DIR (and the ISBI data in ../shared/data/isbi2012-em/train or --data DIR)');
  process.exit(data === undefined ? 0 : 2);
}
const scored = [];
for (const slice of values.slices.split(',')) {
  const { mask } = await readMask(join(data, 'labels', `${slice.padStart(2, '0')}.png`));
  const bytes = readFileSync(join(values.probabilities, `${Number(slice)}.f32`));
  const cell = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (cell.length !== mask.width * mask.height) throw new Error(`${slice}.f32 holds ${cell.length} values, the label ${mask.width * mask.height}`);
  scored.push({ probabilities: Float32Array.from({ length: cell.length * 2 }, (_, i) => (i % 2 === 0 ? 1 - cell[i >> 1]! : cell[i >> 1]!)), truth: mask });
}
const report = evaluateSegmentation(scored);
console.log(JSON.stringify({ best: report.best, atHalf: report.mean }, null, 1));
