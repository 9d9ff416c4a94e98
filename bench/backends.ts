/**
 * Backend benchmark: forward and train-step time, GFLOP/s (% of the 210
 * GFLOP/s practical peak of this 2-core machine, see ../shared/PERF-NOTES.md)
 * and peak RSS, each configuration in its own process; plus overlap-tile
 * throughput.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const PEAK_GFLOPS = 210;

export interface BackendRow {
  readonly backend: string;
  readonly config: string;
  readonly forwardGflop: number;
  readonly forwardSeconds: number | null;
  readonly trainSeconds: number | null;
  readonly peakRssMiB: number;
  readonly error?: string;
}

function runOne(args: string[]): BackendRow {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'backend-run.ts'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as BackendRow;
}

export function benchBackends(full: boolean): BackendRow[] {
  const plan: string[][] = [
    ['wasm', '4', '32', '252', '3', 'train'],
    ['wasm-threads', '4', '32', '252', '3', 'train'],
    ['cpu', '4', '16', '252', '3', 'train'],
  ];
  if (full) plan.push(['wasm-threads', '4', '64', '572', '3', 'train'], ['wasm', '4', '64', '572', '3', 'train'], ['cpu', '4', '32', '252', '3', 'train']);
  return plan.map(runOne);
}

export function formatBackendRows(rows: readonly BackendRow[]) {
  return rows.map((r) => ({
    backend: r.backend,
    config: r.config,
    'fwd GFLOP': +r.forwardGflop.toFixed(2),
    'forward s': r.forwardSeconds === null ? r.error ?? '-' : +r.forwardSeconds.toFixed(3),
    'fwd GFLOP/s': r.forwardSeconds === null ? '-' : +(r.forwardGflop / r.forwardSeconds).toFixed(1),
    'fwd % peak': r.forwardSeconds === null ? '-' : +((100 * r.forwardGflop) / r.forwardSeconds / PEAK_GFLOPS).toFixed(1),
    'train step s': r.trainSeconds === null ? r.error ?? '-' : +r.trainSeconds.toFixed(3),
    'train GFLOP/s (3x fwd)': r.trainSeconds === null ? '-' : +((3 * r.forwardGflop) / r.trainSeconds).toFixed(1),
    'peak RSS MiB': Math.round(r.peakRssMiB),
  }));
}
