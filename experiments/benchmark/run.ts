/**
 * The benchmark every planning rule is judged on: several kinds of data, each scored by its field's
 * metric, the planned default (`tfjs-unet train --minutes N`, as a user runs it) beside a
 * no-learning baseline (Otsu) and a plain PyTorch script given the same time.
 *
 *   npx tsx experiments/benchmark/run.ts --methods otsu,planned,torch --datasets all --minutes 10 --seeds 1 [--flags "..."] [--label NAME]
 *
 * Each run appends one row to experiments/benchmark/results.json; `report.ts` writes the tables.
 * Runs must run alone on the machine (timing decides how many steps a budget buys). `planned` runs
 * the built CLI (`npm run build` first): train on train/, then `evaluate --json` on test/ with the
 * saved model (its calibrated threshold and object settings). `--flags` adds CLI flags to the
 * train command (a variant, recorded under `--label`); `--cli FILE` runs another build of the CLI (copy
 * dist/ into experiments/benchmark/work/ to keep measuring one version while the code changes; `--commit`
 * names the commit it was built from).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSegmentation, loadDataset, thresholdBaseline, type EvaluationReport, type ScoredImage } from '../../src/node/index.js';
import { DATASETS, prepared, WORK, type DatasetDefinition } from './datasets.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const RESULTS = join(import.meta.dirname, 'results.json');

/** One benchmark row. */
export interface Result {
  readonly dataset: string;
  readonly kind: DatasetDefinition['kind'];
  /** `otsu`, `torch`, `planned`, or a planned variant's label. */
  readonly method: string;
  readonly minutes?: number;
  readonly seed?: number;
  /** Extra train flags of a variant. */
  readonly flags?: string;
  readonly commit: string;
  readonly date: string;
  readonly steps?: number;
  /** What the plan chose, in one line. */
  readonly plan?: string;
  /** Seconds the command spent before training (loading, planning). */
  readonly planningSeconds?: number;
  readonly scores: {
    readonly ap50: number;
    readonly ap75: number;
    readonly panopticQuality: number;
    readonly foregroundDice: number;
    /** Challenge errors at the best threshold (as the ISBI challenge reports). */
    readonly randError: number;
    readonly infoError: number;
    readonly pixelError: number;
  };
}

function scoresOf(report: EvaluationReport): Result['scores'] {
  return {
    ap50: report.mean.ap50,
    ap75: report.mean.ap75,
    panopticQuality: report.mean.panopticQuality,
    foregroundDice: report.mean.foregroundDice,
    randError: report.best.randError.value,
    infoError: report.best.infoError.value,
    pixelError: report.best.pixelError.value,
  };
}

export function readResults(): Result[] {
  return existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Result[]) : [];
}

function append(result: Result): void {
  const rows = [...readResults(), result];
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(rows, null, 1)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
  console.log(JSON.stringify(result));
}

/** The commit the runs measure: `--commit` (with `--cli`, the build's), else HEAD when the process started. */
let measured = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const commit = () => measured;
const today = () => new Date().toISOString().slice(0, 10);
const instanceOptions = (definition: DatasetDefinition) => ({ thin: definition.kind === 'tissue' });

async function otsu(definition: DatasetDefinition, dir: string): Promise<void> {
  const test = await loadDataset({ images: join(dir, 'test', 'images'), masks: join(dir, 'test', 'masks') });
  const { report, polarity } = thresholdBaseline({ images: test.images, labels: test.masks, ...(test.instances === undefined ? {} : { instances: test.instances }) }, { instances: instanceOptions(definition) });
  append({ dataset: definition.name, kind: definition.kind, method: 'otsu', flags: polarity, commit: commit(), date: today(), scores: scoresOf(report) });
}

async function torch(definition: DatasetDefinition, dir: string, minutes: number, seed: number): Promise<void> {
  const out = join(WORK, 'runs', definition.name, `torch-${minutes}min-seed${seed}`);
  rmSync(out, { recursive: true, force: true });
  const run = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'torch_train.py'), '--data', dir, '--out', out, '--minutes', String(minutes), '--seed', String(seed)], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`torch_train.py failed (${run.status}): is python3-torch installed?`);
  const test = await loadDataset({ images: join(dir, 'test', 'images'), masks: join(dir, 'test', 'masks') });
  const scored: ScoredImage[] = test.names.map((name, i) => {
    const bytes = readFileSync(join(out, `${name}.f32`));
    const p = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const instances = test.instances?.[i];
    return { probabilities: Float32Array.from({ length: 2 * p.length }, (_, k) => (k % 2 === 0 ? 1 - p[k >> 1]! : p[k >> 1]!)), truth: test.masks[i]!, ...(instances === undefined ? {} : { instances }) };
  });
  const report = evaluateSegmentation(scored, { threshold: 0.5, instances: instanceOptions(definition) });
  const { steps } = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { steps: number };
  append({ dataset: definition.name, kind: definition.kind, method: 'torch', minutes, seed, commit: commit(), date: today(), steps, scores: scoresOf(report) });
}

/** The CLI the planned runs call: `--cli FILE` (e.g. a copy of dist/ taken before a change), else the built one. */
let cliPath = join(ROOT, 'dist', 'cli.js');

function cli(args: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env });
  writeFileSync(log, `${run.stdout}\n${run.stderr}`);
  if (run.status !== 0) throw new Error(`tfjs-unet ${args[0]} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return run.stdout;
}

async function planned(definition: DatasetDefinition, dir: string, minutes: number, seed: number, flags: readonly string[], label: string): Promise<void> {
  // The build is in the folder's name: a run of another build never replaces this one's model and logs.
  const out = join(WORK, 'runs', definition.name, `${label}-${commit()}-${minutes}min-seed${seed}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // Each run plans as on a fresh machine: its own, empty step-time cache.
  const env = { ...process.env, TFJS_UNET_CACHE: join(out, 'step-time-cache') };
  const log = cli(['train', '--images', join(dir, 'train', 'images'), '--masks', join(dir, 'train', 'masks'), '--out', out, '--minutes', String(minutes), '--seed', String(seed), ...flags], join(out, 'train.log'), env);
  const evaluation = JSON.parse(cli(['evaluate', '--model', join(out, 'model'), '--images', join(dir, 'test', 'images'), '--masks', join(dir, 'test', 'masks'), '--json'], join(out, 'evaluate.log'))) as EvaluationReport;
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { steps: number; seconds: number };
  const plan = log.split('\n').find((l) => l.startsWith('plan: '))?.slice('plan: '.length);
  // The planning time as printed (older builds: "candidates timed on ... in N s").
  const planning = /^planning: (\d+(?:\.\d+)?) s \(step times|candidates timed on .* in (\d+(?:\.\d+)?) s/m.exec(log);
  append({
    dataset: definition.name,
    kind: definition.kind,
    method: label,
    minutes,
    seed,
    ...(flags.length === 0 ? {} : { flags: flags.join(' ') }),
    commit: commit(),
    date: today(),
    steps: metrics.steps,
    ...(plan === undefined ? {} : { plan }),
    ...(planning === null ? {} : { planningSeconds: Number(planning[1] ?? planning[2]) }),
    scores: scoresOf(evaluation),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      methods: { type: 'string', default: 'otsu,planned' },
      datasets: { type: 'string', default: 'all' },
      minutes: { type: 'string', default: '10' },
      seeds: { type: 'string', default: '1' },
      flags: { type: 'string', default: '' },
      label: { type: 'string' },
      cli: { type: 'string' },
      commit: { type: 'string' },
    },
  });
  if (values.cli !== undefined) cliPath = resolve(values.cli);
  if (values.commit !== undefined) measured = values.commit;
  const chosen = values.datasets === 'all' ? DATASETS : values.datasets.split(',').map((name) => DATASETS.find((d) => d.name === name) ?? (() => { throw new Error(`unknown dataset ${name}: ${DATASETS.map((d) => d.name).join(', ')}`); })());
  const flags = values.flags.split(' ').filter((f) => f !== '');
  const label = values.label ?? (flags.length === 0 ? 'planned' : `planned ${values.flags}`);
  for (const definition of chosen) {
    const dir = await prepared(definition);
    if (dir === undefined) {
      console.log(`skipped ${definition.name}: ${definition.source} is not in the shared data`);
      continue;
    }
    for (const method of values.methods.split(',')) {
      if (method === 'otsu') await otsu(definition, dir);
      for (const minutes of values.minutes.split(',').map(Number)) {
        for (const seed of values.seeds.split(',').map(Number)) {
          if (method === 'torch') await torch(definition, dir, minutes, seed);
          if (method === 'planned') await planned(definition, dir, minutes, seed, flags, label);
        }
      }
    }
  }
}
