/**
 * Where a bench:isbi model's Rand error comes from: the saved model of each run named predicts
 * slices 16-19 (no test-time augmentation, as bench:isbi scores), and at the best threshold of the
 * challenge protocol (one for the four slices) each slice's Rand error is split into its split and
 * merge parts, with the true segment whose splitting costs most and the predicted segment whose
 * merging costs most (area, centre, and their share of the slice's split or merge error). A script
 * for looking, not a test, not run in CI.
 *
 *   npx tsx experiments/isbi/isbi-slices.ts RUN... [--data DIR] [--runs experiments/isbi/isbi-runs]
 *
 * e.g. `npx tsx experiments/isbi/isbi-slices.ts plan-30min-seed1 plan-60min-seed1`.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSegmentation, loadModel, predictedSegments, segmentScores, trueSegments, useBackend } from '../../src/node/index.js';
import { cellProbability, predictSlices, readSlices, testSlicesOf } from './isbi-slices-io.js';
import { isbiDirectory } from '../../bench/util.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { data: { type: 'string' }, runs: { type: 'string', default: join('experiments', 'isbi', 'isbi-runs') } },
});
const data = values.data ?? isbiDirectory();
if (data === undefined) {
  console.log('ISBI data not found (../shared/data/isbi2012-em/train): pass --data DIR');
  process.exit(0);
}
if (positionals.length === 0) {
  console.error('usage: npx tsx experiments/isbi/isbi-slices.ts RUN... [--data DIR] [--runs DIR] (RUN: a folder of experiments/isbi/isbi-runs, e.g. plan-30min-seed1)');
  process.exit(2);
}

/** The segment (of the truth or of the prediction) that costs a Rand error part most. */
interface CostliestSegment {
  readonly area: number;
  readonly x: number;
  readonly y: number;
  /** Its share of the part (split or merge) of the error, 0..1. */
  readonly share: number;
  /** Segments of the other side holding at least 1% of it. */
  readonly pieces: number;
}

/**
 * The segment of `rows` whose squared size less the squared sizes of its
 * overlaps with `columns` is largest: the true segment split worst (rows =
 * truth) or the predicted segment merging worst (rows = prediction).
 */
function costliest(rows: Int32Array, columns: Int32Array, keep: Uint8Array, width: number): CostliestSegment {
  const size = new Map<number, number>();
  const joint = new Map<number, Map<number, number>>();
  const sumX = new Map<number, number>();
  const sumY = new Map<number, number>();
  for (let i = 0; i < rows.length; i++) {
    if (keep[i] === 0) continue;
    const r = rows[i]!;
    size.set(r, (size.get(r) ?? 0) + 1);
    sumX.set(r, (sumX.get(r) ?? 0) + (i % width));
    sumY.set(r, (sumY.get(r) ?? 0) + Math.floor(i / width));
    const overlaps = joint.get(r) ?? new Map<number, number>();
    overlaps.set(columns[i]!, (overlaps.get(columns[i]!) ?? 0) + 1);
    joint.set(r, overlaps);
  }
  let total = 0;
  let worst = { segment: 0, cost: -1 };
  for (const [r, n] of size) {
    let overlapSquares = 0;
    for (const c of joint.get(r)!.values()) overlapSquares += c * c;
    const cost = n * n - overlapSquares;
    total += cost;
    if (cost > worst.cost) worst = { segment: r, cost };
  }
  const n = size.get(worst.segment)!;
  return {
    area: n,
    x: Math.round(sumX.get(worst.segment)! / n),
    y: Math.round(sumY.get(worst.segment)! / n),
    share: total === 0 ? 0 : worst.cost / total,
    pieces: [...joint.get(worst.segment)!.values()].filter((c) => c >= 0.01 * n).length,
  };
}

await useBackend('wasm');
tf.env().set('IS_TEST', false);
const describe = (s: CostliestSegment) => `${s.area} px at (${s.x}, ${s.y}), ${s.pieces} pieces, ${(100 * s.share).toFixed(0)}% of it`;
for (const run of positionals) {
  const { model, spec } = await loadModel(join(values.runs, run, 'run', 'model'));
  const ids = testSlicesOf(run);
  const scored = await predictSlices(model, spec, await readSlices(data, ids), false);
  model.dispose();
  const { best } = evaluateSegmentation(scored);
  const threshold = best.randError.threshold;
  console.log(`${run}: Rand error ${best.randError.value.toFixed(4)} at threshold ${threshold}`);
  scored.forEach(({ probabilities, truth }, k) => {
    const { width, height } = truth;
    const predicted = predictedSegments(cellProbability(probabilities), width, height, { threshold });
    const trueLabels = trueSegments(truth);
    const keep = Uint8Array.from(trueLabels, (t) => (t === 0 ? 0 : 1));
    const s = segmentScores(predicted, trueLabels);
    console.log(
      `  slice ${ids[k]}: Rand error ${(1 - s.vRand).toFixed(4)} (split ${(1 - s.randSplit).toFixed(4)}, merge ${(1 - s.randMerge).toFixed(4)})` +
        `; worst split: true segment of ${describe(costliest(trueLabels, predicted, keep, width))}` +
        `; worst merge: predicted segment of ${describe(costliest(predicted, trueLabels, keep, width))}`,
    );
  });
}
