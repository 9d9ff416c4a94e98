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
import { benchOnnx, formatOnnxRows } from './onnx.js';
import { benchTrainingEngines, formatEngineRows } from './training-engines.js';
import { benchWeightMap } from './weight-map.js';

const weightMapRows = await benchWeightMap();
console.log('\nBorder weight map (w0 = 10, sigma = 5, balanced classes), median of 5 runs:');
console.table(weightMapRows.map((r) => ({ case: r.case, size: r.size, instances: r.instances, 'median ms': +r.medianMs.toFixed(1) })));

const elasticRows = benchElastic();
console.log('\nElastic deformation (3x3 grid, sigma 10, mirror boundary), median of 15 interleaved runs:');
console.table(elasticRows.map((r) => ({ case: r.case, 'median ms': +r.medianMs.toFixed(1) })));

const full = process.argv.includes('--full');
const backendRows = benchBackends(full);
console.log(`\nBackends (batch 1, median of 3 after a warm-up, each config in its own process; 'wasm' is tfjs's single-threaded build, 'wasm, N threads' the threaded one from tfjs-unet/node${full ? '' : '; --full adds 572/base 64 and cpu 252/base 32'}):`);
console.table(formatBackendRows(backendRows));

const onnxRows = benchOnnx();
console.log('\nONNX Runtime (onnxruntime-node, 2 intra-op threads) vs PyTorch CPU (2 threads) in the same run, forward, batch 1, median:');
console.table(formatOnnxRows(onnxRows));

const engineRows = benchTrainingEngines(full);
console.log(`\nTraining step: onnx engine vs tfjs wasm vs PyTorch CPU (2 threads each) in the same run, median${full ? '' : '; --full adds tfjs wasm on the larger rows'}:`);
console.table(formatEngineRows(engineRows));

type TileRow = { engine: string; config: string; image: string; seconds: number; megapixelsPerSecond: number; peakRssMiB: number };
const overlapTile = (args: string[]): TileRow =>
  JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'overlap-tile-run.ts'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1)!,
  ) as TileRow;
const tilePlan = [['onnx', '4', '32', '572', '2048', '1', '2'], full ? ['wasm', '4', '32', '572', '2048', '1'] : ['wasm', '4', '16', '572', '1024', '1']];
if (full) tilePlan.push(['onnx', '4', '64', '572', '2048', '1', '2']);
const overlapTiles = tilePlan.map(overlapTile);
console.log(`\nOverlap-tile prediction (mirror extrapolation, tiles of 572, batch 1${full ? '' : '; --full: wasm on 2048x2048 and ORT at base 64'}):`);
console.table(overlapTiles.map((r) => ({ engine: r.engine, config: r.config, image: r.image, seconds: +r.seconds.toFixed(1), 'MP/s': +r.megapixelsPerSecond.toFixed(3), 'peak RSS MiB': Math.round(r.peakRssMiB) })));

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  weightMap: weightMapRows,
  elastic: elasticRows,
  backends: backendRows,
  onnx: onnxRows,
  trainingEngines: engineRows,
  overlapTile: overlapTiles,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('written: bench/results.json');
