/**
 * ONNX Runtime rows of `npm run bench`: forward time of the exported U-Net
 * beside PyTorch CPU timed in the same run (when `python3 -c 'import torch'`
 * works; Debian's python3-torch here), each in its own process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface ForwardRow {
  readonly engine: string;
  readonly config: string;
  readonly forwardSeconds: number;
  readonly peakRssMiB?: number;
}

const THREADS = 2;

function lastJsonLine<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function ortForward(depth: number, base: number, size: number, runs: number): ForwardRow {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'onnx-run.ts'), ...[depth, base, size, runs, THREADS].map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return lastJsonLine<ForwardRow>(out);
}

/** Pythons to try for torch: $TORCH_PYTHON, the first python3 on PATH, then Debian's (python3-torch). */
const PYTHONS = [process.env.TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== undefined && p !== '');

/** PyTorch's forward time, or undefined when no python can import torch. */
function torchForward(depth: number, base: number, size: number, runs: number): ForwardRow | undefined {
  for (const python of PYTHONS) {
    const result = spawnSync(python, [join(import.meta.dirname, 'torch-forward.py'), ...[depth, base, size, runs, THREADS].map(String)], { encoding: 'utf8' });
    if (result.status === 0) return lastJsonLine<ForwardRow>(result.stdout);
  }
  return undefined;
}

export interface OnnxComparison {
  readonly config: string;
  readonly ort: ForwardRow;
  readonly torch?: ForwardRow;
}

/** ORT and PyTorch forward passes at 252/base 32 and the paper's 572/base 64, alternating engines. */
export function benchOnnx(): OnnxComparison[] {
  const configs = [
    [4, 32, 252, 7],
    [4, 64, 572, 3],
  ] as const;
  return configs.map(([depth, base, size, runs]) => {
    const ort = ortForward(depth, base, size, runs);
    const torch = torchForward(depth, base, size, runs);
    return { config: ort.config, ort, ...(torch === undefined ? {} : { torch }) };
  });
}

export function formatOnnxRows(rows: readonly OnnxComparison[]) {
  return rows.map((r) => ({
    config: r.config,
    'ORT forward s': +r.ort.forwardSeconds.toFixed(3),
    'PyTorch forward s': r.torch === undefined ? 'torch not importable' : +r.torch.forwardSeconds.toFixed(3),
    'ORT / PyTorch': r.torch === undefined ? '-' : +(r.ort.forwardSeconds / r.torch.forwardSeconds).toFixed(2),
    'ORT peak RSS MiB': Math.round(r.ort.peakRssMiB ?? 0),
  }));
}
