/**
 * Fine-tuning from a model (`train --from`) against the model it starts from and a run from random
 * weights, on the benchmark's EM membranes: the starting model was trained on slices 00-15 (the
 * benchmark's planned 10-minute run); each run trains on four slices only, for the same minutes, and
 * every model is scored on slices 16-19 (challenge Rand error at the best threshold, as the benchmark).
 *
 *   npx tsx experiments/zoo/fine-tune.ts --start experiments/benchmark/work/runs/em-membranes/planned-3a6ef71-10min-seed1 \
 *     --slices 00,01,02,03 --minutes 5 --seeds 1 [--methods start,from,fresh] [--flags="--lr 0.0001"] [--cli work/dist-X/cli.js --commit X]
 *
 * Runs must run alone on the machine. Each run appends a row to experiments/zoo/results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASETS, prepared, WORK } from '../benchmark/datasets.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RESULTS = join(import.meta.dirname, 'results.json');

const { values } = parseArgs({
  options: {
    start: { type: 'string' },
    slices: { type: 'string', default: '00,01,02,03' },
    minutes: { type: 'string', default: '5' },
    seeds: { type: 'string', default: '1' },
    methods: { type: 'string', default: 'start,from,fresh' },
    cli: { type: 'string', default: join(ROOT, 'dist', 'cli.js') },
    commit: { type: 'string' },
    /** Extra train flags for the runs (a variant, recorded with the row). */
    flags: { type: 'string', default: '' },
  },
});
const extra = values.flags.split(' ').filter((f) => f !== '');
if (values.start === undefined) throw new Error('--start RUN_DIR is required (a model trained on the EM membranes)');
const commit = values.commit ?? execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
const definition = DATASETS.find((d) => d.name === 'em-membranes')!;
const found = await prepared(definition);
if (found === undefined) throw new Error('the EM membranes are not in the shared data (../shared/data/isbi2012-em)');
const data: string = found;
const slices = values.slices.split(',');
const minutes = Number(values.minutes);

function cli(args: string[], log: string): string {
  const result = spawnSync(process.execPath, [values.cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(log, `${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}); see ${log}`);
  return result.stdout;
}

function score(model: string, log: string): { randError: number; infoError: number; pixelError: number } {
  const report = JSON.parse(cli(['evaluate', '--model', model, '--images', join(data, 'test', 'images'), '--masks', join(data, 'test', 'masks'), '--json'], log)) as {
    best: { randError: { value: number }; infoError: { value: number }; pixelError: { value: number } };
  };
  return { randError: report.best.randError.value, infoError: report.best.infoError.value, pixelError: report.best.pixelError.value };
}

function append(row: Record<string, unknown>): void {
  const rows = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as unknown[]) : [];
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify([...rows, row], null, 1)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
  console.log(JSON.stringify(row));
}

// The few slices the runs train on, as a folder of links.
const few = join(WORK, 'fine-tune', `slices-${slices.join('-')}`);
for (const sub of ['images', 'masks']) {
  mkdirSync(join(few, sub), { recursive: true });
  for (const s of slices) if (!existsSync(join(few, sub, `${s}.png`))) symlinkSync(join(data, 'train', sub, `${s}.png`), join(few, sub, `${s}.png`));
}
const date = new Date().toISOString().slice(0, 10);
const methods = values.methods.split(',');
if (methods.includes('start')) {
  const out = join(WORK, 'fine-tune', 'start');
  mkdirSync(out, { recursive: true });
  append({ method: 'start', model: values.start, commit, date, scores: score(values.start, join(out, 'evaluate.log')) });
}
for (const seed of values.seeds.split(',').map(Number)) {
  for (const method of methods.filter((m) => m !== 'start')) {
    const out = join(WORK, 'fine-tune', `${method}${extra.length === 0 ? '' : ` ${extra.join(' ')}`}-${minutes}min-seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const env = { TFJS_UNET_CACHE: join(out, 'step-time-cache') };
    Object.assign(process.env, env);
    const args = ['train', '--images', join(few, 'images'), '--masks', join(few, 'masks'), '--out', out, '--minutes', String(minutes), '--seed', String(seed), ...(method === 'from' ? ['--from', values.start] : []), ...extra];
    cli(args, join(out, 'train.log'));
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { steps: number };
    append({ method, ...(extra.length === 0 ? {} : { flags: extra.join(' ') }), slices, minutes, seed, commit, date, steps: metrics.steps, scores: score(join(out, 'model'), join(out, 'evaluate.log')) });
  }
}
