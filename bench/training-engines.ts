/**
 * `npm run bench:engines` (and rows of `npm run bench`): one U-Net training step on the onnx
 * engine, on tfjs wasm (2 threads) and in PyTorch CPU (2 threads, when `import torch` works),
 * in the same run, each in its own process; median step and peak RSS.
 *   --full adds tfjs wasm on the larger rows (slow); --rss adds a 1000-step RSS check of the onnx engine;
 *   --loop N times the loop around the engine: N interleaved pairs (engine alone, then `train`) at 252 px.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './util.js';

export interface StepRow {
  readonly engine: string;
  readonly config: string;
  readonly stepSeconds: number;
  readonly peakRssMiB: number;
  readonly rssWarmMiB?: number;
  readonly rssLastMiB?: number;
}

const THREADS = 2;
const PYTHONS = [process.env.TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '');
const lastJson = <T>(out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as T;

type Config = readonly [depth: number, base: number, size: number, batch: number, padding: 'valid' | 'same', batchNorm: boolean, runs: number];

function node(engine: 'onnx' | 'train-onnx' | 'wasm', c: Config): StepRow {
  const [depth, base, size, batch, padding, bn, runs] = c;
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'train-step-run.ts'), engine, ...[depth, base, size, batch, padding, bn ? 1 : 0, runs, THREADS].map(String)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return lastJson<StepRow>(out);
}

function torch(c: Config): StepRow | undefined {
  const [depth, base, size, batch, padding, bn, runs] = c;
  for (const python of PYTHONS) {
    const result = spawnSync(python, [join(import.meta.dirname, 'torch-step.py'), ...[depth, base, size, batch, padding, bn ? 1 : 0, runs, THREADS].map(String)], { encoding: 'utf8' });
    if (result.status === 0) return { ...lastJson<StepRow>(result.stdout), config: '' };
  }
  return undefined;
}

export interface EngineComparison {
  readonly config: string;
  readonly onnx: StepRow;
  /** The same step as `train` runs it (the loop around the engine included). */
  readonly train: StepRow;
  readonly wasm?: StepRow;
  readonly torch?: StepRow;
}

/** The comparison rows: 252/base 32 valid; 256/base 32 same + batch norm, batch 4; the paper's 572/base 64. */
export function benchTrainingEngines(full: boolean): EngineComparison[] {
  const configs: { config: Config; wasm: boolean }[] = [
    { config: [4, 32, 252, 1, 'valid', false, 5], wasm: true },
    { config: [4, 32, 256, 4, 'same', true, 3], wasm: full },
    { config: [4, 64, 572, 1, 'valid', false, 3], wasm: full },
  ];
  return configs.map(({ config, wasm }) => {
    const onnx = node('onnx', config);
    const inTrain = node('train-onnx', config);
    const t = torch(config);
    const w = wasm ? node('wasm', config) : undefined;
    return { config: onnx.config, onnx, train: inTrain, ...(w === undefined ? {} : { wasm: w }), ...(t === undefined ? {} : { torch: t }) };
  });
}

export function formatEngineRows(rows: readonly EngineComparison[]) {
  return rows.map((r) => ({
    config: r.config,
    'onnx engine s': +r.onnx.stepSeconds.toFixed(3),
    'in train s': +r.train.stepSeconds.toFixed(3),
    'train / engine': +(r.train.stepSeconds / r.onnx.stepSeconds).toFixed(2),
    'tfjs wasm s': r.wasm === undefined ? '-' : +r.wasm.stepSeconds.toFixed(3),
    'PyTorch s': r.torch === undefined ? 'torch not importable' : +r.torch.stepSeconds.toFixed(3),
    'onnx / PyTorch': r.torch === undefined ? '-' : +(r.onnx.stepSeconds / r.torch.stepSeconds).toFixed(2),
    'onnx peak RSS MiB': Math.round(r.onnx.peakRssMiB),
    'PyTorch peak RSS MiB': r.torch === undefined ? '-' : Math.round(r.torch.peakRssMiB),
  }));
}

/** 1000 onnx-engine steps on a small net: RSS after 100 steps and after the last. */
export function onnxRss(): StepRow {
  return node('onnx', [3, 16, 128, 2, 'same', true, 1000]);
}

/** The loop's cost: `pairs` interleaved runs of the engine alone and of `train`, 30 steps each; the ratios of their median steps. */
export function loopOverhead(pairs: number): { engine: number[]; train: number[]; ratios: number[] } {
  const config: Config = [4, 32, 252, 1, 'valid', false, 30];
  const engine: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < pairs; i++) {
    engine.push(node('onnx', config).stepSeconds);
    train.push(node('train-onnx', config).stepSeconds);
  }
  return { engine, train, ratios: train.map((t, i) => t / engine[i]!) };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const loop = process.argv.indexOf('--loop');
  if (loop >= 0) {
    const pairs = Number(process.argv[loop + 1] ?? 6);
    if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--loop must be followed by a positive number of pairs; received ${process.argv[loop + 1]}`);
    const { engine, train, ratios } = loopOverhead(pairs);
    const list = (values: number[]) => values.map((v) => v.toFixed(3)).join(', ');
    console.log(`Step of depth 4, base 32, valid, 252 px, batch 1, 2 threads; engine alone: ${list(engine)} s; in train: ${list(train)} s`);
    console.log(`train / engine: ${list(ratios)}; median ${median(ratios).toFixed(3)}`);
    process.exit(0);
  }
  const full = process.argv.includes('--full');
  const rows = benchTrainingEngines(full);
  console.log(`Training step (batch as listed, median after a warm-up step, each engine in its own process, 2 threads${full ? '' : '; --full adds tfjs wasm on the larger rows'}):`);
  console.table(formatEngineRows(rows));
  if (process.argv.includes('--rss')) {
    const r = onnxRss();
    console.log(`onnx engine, 1000 steps of ${r.config}: RSS ${Math.round(r.rssWarmMiB ?? 0)} MiB after 100 steps, ${Math.round(r.rssLastMiB ?? 0)} MiB after the last (${(100 * ((r.rssLastMiB ?? 0) / (r.rssWarmMiB ?? 1) - 1)).toFixed(1)}%)`);
  }
}
