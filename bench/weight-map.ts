/**
 * Weight-map benchmark: the paper's border weight map (w0 = 10, sigma = 5)
 * on the ISBI 2012 label 00 (when ../shared/data is present) and on a
 * synthetic 2048x2048 image of about 2000 touching cells. Median of 5 runs
 * after a warm-up, single-threaded.
 */
import sharp from 'sharp';
import { join } from 'node:path';
import { labelComponents, weightMap } from '../src/index.js';
import { isbiDirectory, median, syntheticCells, time } from './util.js';

export interface WeightMapRow {
  readonly case: string;
  readonly size: string;
  readonly instances: number;
  readonly medianMs: number;
  readonly runs: number[];
}

export async function benchWeightMap(runs = 5): Promise<WeightMapRow[]> {
  const rows: WeightMapRow[] = [];
  const dir = isbiDirectory();
  if (dir === undefined) {
    console.log('weight map: ISBI case skipped: ../shared/data/isbi2012-em/train is absent');
  } else {
    const { data, info } = await sharp(join(dir, 'labels', '00.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    const image = { data: new Uint8Array(data), width: info.width, height: info.height };
    const times = time(() => weightMap(image), runs);
    rows.push({ case: 'ISBI 2012 label 00', size: `${info.width}x${info.height}`, instances: labelComponents(image).count, medianMs: median(times), runs: times });
  }
  const size = 2048;
  const image = { data: syntheticCells(size, 45), width: size, height: size };
  const times = time(() => weightMap(image), runs);
  rows.push({ case: 'synthetic touching cells', size: `${size}x${size}`, instances: labelComponents(image).count, medianMs: median(times), runs: times });
  return rows;
}
