/**
 * An experiment, not a test: bench:isbi's saved models predict slices 16-19 (cached as raw float32
 * in /tmp/probs/RUN) and the cell probability is scored under the challenge protocol after a
 * grayscale erosion (min filter, square or plus, radius 0-2), which closes gaps in faint membranes.
 * Prints one line per run: `s0` is the plain score, `s1` the 3x3 square, `p1` the plus, ...
 *
 *   npx tsx experiments/isbi/isbi-erosion.ts plan-30min-seed1 plan-nods-30min-seed2 ...   (folders of experiments/isbi/isbi-runs)
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSegmentation, type ScoredImage } from '../../src/index.js';
import { loadModel, useBackend } from '../../src/node/index.js';
import { cellProbability, predictSlices, readSlices, testSlicesOf, twoClass } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';
const data = isbiDirectory();
if (data === undefined) {
  console.log('ISBI data not found (../shared/data/isbi2012-em/train)');
  process.exit(0);
}
await useBackend('wasm');
tf.env().set('IS_TEST', false);
const W = 512;
function erode(p: Float32Array, r: number, shape: 'square' | 'plus'): Float32Array {
  if (r === 0) return p;
  const out = new Float32Array(p.length);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    let m = 1;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      if (shape === 'plus' && dx !== 0 && dy !== 0) continue;
      const yy = Math.min(W - 1, Math.max(0, y + dy)), xx = Math.min(W - 1, Math.max(0, x + dx));
      m = Math.min(m, p[yy * W + xx]!);
    }
    out[y * W + x] = m;
  }
  return out;
}
for (const run of process.argv.slice(2)) {
  const cache = join('/tmp/probs', run);
  const ids = testSlicesOf(run);
  const slices = await readSlices(data, ids);
  if (!existsSync(join(cache, `${ids.at(-1)}.f32`))) {
    mkdirSync(cache, { recursive: true });
    const { model, spec } = await loadModel(join('experiments/isbi/isbi-runs', run, 'run', 'model'));
    const scored = await predictSlices(model, spec, slices, false);
    scored.forEach(({ probabilities }, i) => writeFileSync(join(cache, `${ids[i]}.f32`), cellProbability(probabilities)));
    model.dispose();
  }
  const cells = ids.map((id) => { const b = readFileSync(join(cache, `${id}.f32`)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); });
  const row: string[] = [];
  for (const [r, shape] of [[0, 'square'], [1, 'plus'], [1, 'square'], [2, 'plus'], [2, 'square']] as const) {
    const scored: ScoredImage[] = cells.map((c, i) => { const e = erode(c, r, shape); return { probabilities: twoClass(e), truth: slices[i]!.truth }; });
    const rep = evaluateSegmentation(scored);
    row.push(`${shape[0]}${r}:${rep.best.randError.value.toFixed(4)}`);
  }
  console.log(run, row.join(' '));
}
