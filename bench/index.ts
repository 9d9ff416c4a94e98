/**
 * `npm run bench`: prints each benchmark's table and writes bench/results.json.
 * A script, not a test: numbers depend on the machine and its load.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchBackends, formatBackendRows } from './backends.js';
import { benchElastic } from './elastic.js';
import { benchWeightMap } from './weight-map.js';

const weightMapRows = await benchWeightMap();
console.log('\nBorder weight map (w0 = 10, sigma = 5, balanced classes), median of 5 runs:');
console.table(weightMapRows.map((r) => ({ case: r.case, size: r.size, instances: r.instances, 'median ms': +r.medianMs.toFixed(1) })));

const elasticRows = benchElastic();
console.log('\nElastic deformation (3x3 grid, sigma 10, mirror boundary), median of 15 interleaved runs:');
console.table(elasticRows.map((r) => ({ case: r.case, 'median ms': +r.medianMs.toFixed(1) })));

const full = process.argv.includes('--full');
const backendRows = benchBackends(full);
console.log(`\nBackends (batch 1, median of 3 after a warm-up, each config in its own process${full ? '' : '; --full adds 572/base 64 and cpu 252/base 32'}):`);
console.table(formatBackendRows(backendRows));

const tileArgs = full ? ['wasm', '4', '32', '572', '2048', '1'] : ['wasm', '4', '16', '572', '1024', '1'];
const overlapTile = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'overlap-tile-run.ts'), ...tileArgs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1)!,
) as { config: string; image: string; seconds: number; megapixelsPerSecond: number };
console.log(`\nOverlap-tile prediction on wasm, ${overlapTile.config}, ${overlapTile.image}: ${overlapTile.seconds.toFixed(1)} s, ${overlapTile.megapixelsPerSecond.toFixed(3)} MP/s`);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  weightMap: weightMapRows,
  elastic: elasticRows,
  backends: backendRows,
  overlapTile,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written: bench/results.json');
