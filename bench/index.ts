/**
 * `npm run bench`: prints each benchmark's table and writes bench/results.json.
 * A script, not a test: numbers depend on the machine and its load.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchElastic } from './elastic.js';
import { benchWeightMap } from './weight-map.js';

const weightMapRows = await benchWeightMap();
console.log('\nBorder weight map (w0 = 10, sigma = 5, balanced classes), median of 5 runs:');
console.table(weightMapRows.map((r) => ({ case: r.case, size: r.size, instances: r.instances, 'median ms': +r.medianMs.toFixed(1) })));

const elasticRows = benchElastic();
console.log('\nElastic deformation (3x3 grid, sigma 10, mirror boundary), median of 15 interleaved runs:');
console.table(elasticRows.map((r) => ({ case: r.case, 'median ms': +r.medianMs.toFixed(1) })));

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  weightMap: weightMapRows,
  elastic: elasticRows,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written: bench/results.json');
