/**
 * One backend benchmark in its own process (so peak RSS is its own):
 *   tsx bench/backend-run.ts <cpu|wasm|wasm-threads|tensorflow> <depth> <baseFilters> <inputSize> <runs> [train]
 * Prints one JSON line: forward and train-step times (median of `runs` after a warm-up, alternating).
 */
import { forwardFlops } from './flops.js';
import { selectBackend, unetBench } from './training-step.js';
import { median } from './util.js';

const [backendArg, depth, base, size, runs, withTrain] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
const backend = await selectBackend(backendArg);
const inputSize = Number(size);
const { spec, forward, step } = unetBench(Number(depth), Number(base), inputSize);
const timed = (f: () => void) => {
  const start = performance.now();
  f();
  return (performance.now() - start) / 1000;
};
let error: string | undefined;
const fwd: number[] = [];
const train: number[] = [];
try {
  forward();
  if (withTrain === 'train') step();
  for (let r = 0; r < Number(runs); r++) {
    fwd.push(timed(forward));
    if (withTrain === 'train') train.push(timed(step));
  }
} catch (e) {
  error = (e as Error).message.slice(0, 200);
}
const flops = forwardFlops(spec, inputSize);
console.log(
  JSON.stringify({
    backend,
    config: `depth ${depth}, base ${base}, input ${inputSize}`,
    forwardGflop: flops / 1e9,
    forwardSeconds: fwd.length > 0 ? median(fwd) : null,
    trainSeconds: train.length > 0 ? median(train) : null,
    runs: { forward: fwd, train },
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    error,
  }),
);
