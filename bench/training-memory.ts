/**
 * `npm run bench:memory [-- <inputSize> <baseFilters>]` (default: the paper's
 * 572 / base 64): wasm memory of a training step with tfjs's stock ops and as
 * `train` runs it, each in its own process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const [size = '572', base = '64'] = process.argv.slice(2);
const rows = (['stock', 'lean'] as const).map((mode) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'training-memory-run.ts'), size, base, mode], { encoding: 'utf8' });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  return line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : { mode, error: `exit ${result.status}: ${result.stderr.trim().split('\n').at(-1)}` };
});
console.log(`Wasm memory of one training step (wasm memory is capped at 4096 MiB), depth 4, base ${base}, input ${size}:`);
console.table(rows);
