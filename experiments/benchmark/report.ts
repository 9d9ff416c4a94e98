/**
 * The benchmark's tables, from experiments/benchmark/results.json: one row per dataset, method,
 * build and budget, with the mean (and range, over seeds) of each score; a rerun of a seed replaces
 * the earlier run (which stays in results.json). Prints them; with
 * `--write`, replaces the part of docs/results.md between the benchmark markers (the narrative
 * around them is written by hand).
 *
 *   npx tsx experiments/benchmark/report.ts [--write]
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASETS } from './datasets.js';
import { readResults, type Result } from './run.js';

const BEGIN = '<!-- benchmark tables: written by experiments/benchmark/report.ts -->';
const END = '<!-- end of benchmark tables -->';

/** Mean of the values, with their range when there are several. */
function summary(values: readonly number[], digits: number): string {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return mean.toFixed(digits);
  return `${mean.toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/** How a method reads in a table: the no-learning and PyTorch baselines, or a build of `tfjs-unet train`. */
function methodName(row: Result): string {
  if (row.method === 'otsu') return `Otsu threshold (${row.flags ?? ''} objects), no learning`;
  if (row.method === 'torch') return 'plain PyTorch U-Net (torch_train.py)';
  const variant = row.flags === undefined ? '' : ` ${row.flags}`;
  return `\`tfjs-unet train\`${variant} @ ${row.commit}`;
}

const groupKey = (row: Result) => `${row.dataset}|${methodName(row)}|${row.minutes ?? ''}`;

/** The rows without those a later run of the same dataset, method, build, budget and seed replaces (a rerun of a run disturbed by other work). */
function latestPerSeed(rows: readonly Result[]): Result[] {
  const key = (r: Result) => `${groupKey(r)}|${r.seed ?? ''}`;
  return rows.filter((r, i) => !rows.slice(i + 1).some((later) => key(later) === key(r)));
}

/** The markdown tables of the results, one per dataset, in the benchmark's dataset order. */
export function tables(all: readonly Result[]): string {
  const rows = latestPerSeed(all);
  const groups = new Map<string, Result[]>();
  for (const row of rows) groups.set(groupKey(row), [...(groups.get(groupKey(row)) ?? []), row]);
  const out: string[] = [];
  for (const dataset of DATASETS) {
    const mine = [...groups.values()].filter((g) => g[0]!.dataset === dataset.name);
    if (mine.length === 0) continue;
    out.push(`### ${dataset.name}`, '', dataset.description, '');
    const objects = dataset.kind === 'objects';
    out.push(
      objects
        ? '| method | minutes | seeds | steps | AP50 | AP75 | PQ | Dice | planning s |\n|---|---|---|---|---|---|---|---|---|'
        : '| method | minutes | seeds | steps | Rand error | information error | pixel error | planning s |\n|---|---|---|---|---|---|---|---|',
    );
    const order = (g: Result[]) => (g[0]!.method === 'otsu' ? 0 : g[0]!.method === 'torch' ? 1 : 2);
    for (const group of mine.sort((a, b) => order(a) - order(b) || (a[0]!.minutes ?? 0) - (b[0]!.minutes ?? 0) || a[0]!.date.localeCompare(b[0]!.date))) {
      const first = group[0]!;
      const scores = (key: keyof Result['scores'], digits: number) => summary(group.map((r) => r.scores[key]), digits);
      const steps = group.every((r) => r.steps !== undefined) ? summary(group.map((r) => r.steps!), 0) : '-';
      const planning = group.every((r) => r.planningSeconds !== undefined) ? summary(group.map((r) => r.planningSeconds!), 0) : '-';
      const cells = objects
        ? [scores('ap50', 3), scores('ap75', 3), scores('panopticQuality', 3), scores('foregroundDice', 3)]
        : [scores('randError', 4), scores('infoError', 4), scores('pixelError', 4)];
      out.push(`| ${methodName(first)} | ${first.minutes ?? '-'} | ${first.seed === undefined ? '-' : group.length} | ${steps} | ${cells.join(' | ')} | ${planning} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The main score of a row, as the variants matrix shows it: Rand error for tissue, AP50 / Dice for objects. */
function mainScore(rows: readonly Result[]): string {
  const mean = (key: keyof Result['scores']) => rows.reduce((a, r) => a + r.scores[key], 0) / rows.length;
  return rows[0]!.kind === 'tissue' ? mean('randError').toFixed(4) : `${mean('ap50').toFixed(3)} / ${mean('foregroundDice').toFixed(3)}`;
}

/**
 * The variants of the planned default at each budget that has any, side by side: one row per
 * variant (its flags), one column per dataset, the main score (Rand error; AP50 / Dice) and steps,
 * of the build each was measured with last; a rerun of a seed replaces the earlier run.
 */
export function variantMatrix(results: readonly Result[]): string {
  const planned = latestPerSeed(results).filter((r) => r.method !== 'otsu' && r.method !== 'torch' && r.minutes !== undefined);
  const out: string[] = [];
  for (const minutes of [...new Set(planned.filter((r) => r.flags !== undefined).map((r) => r.minutes!))].sort((a, b) => a - b)) {
    const here = planned.filter((r) => r.minutes === minutes);
    const datasets = DATASETS.filter((d) => here.some((r) => r.dataset === d.name));
    const variants = [...new Set(here.map((r) => r.flags ?? ''))].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
    out.push(`### Variants at ${minutes} minutes`, '', `Rand error (lower is better) for tissue, AP50 / Dice for objects; steps in brackets; seeds averaged.`, '');
    out.push(`| variant | ${datasets.map((d) => d.name).join(' | ')} |`, `|---|${datasets.map(() => '---|').join('')}`);
    for (const variant of variants) {
      const cells = datasets.map((d) => {
        const all = here.filter((r) => r.dataset === d.name && (r.flags ?? '') === variant);
        if (all.length === 0) return '-';
        // The build measured last (rows of older builds are in the tables above).
        const mine = all.filter((r) => r.commit === all.at(-1)!.commit);
        const steps = Math.round(mine.reduce((a, r) => a + (r.steps ?? 0), 0) / mine.length);
        return `${mainScore(mine)} (${steps})`;
      });
      out.push(`| ${variant === '' ? 'the default' : `\`${variant}\``} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { write: { type: 'boolean' } } });
  const text = `${tables(readResults())}\n${variantMatrix(readResults())}`;
  if (values.write !== true) {
    console.log(text);
  } else {
    const path = join(import.meta.dirname, '..', '..', 'docs', 'results.md');
    const page = readFileSync(path, 'utf8');
    const begin = page.indexOf(BEGIN);
    const end = page.indexOf(END);
    if (begin < 0 || end < begin) throw new Error(`${path} must hold the markers ${BEGIN} and ${END}`);
    writeFileSync(`${path}.tmp`, `${page.slice(0, begin + BEGIN.length)}\n\n${text}\n${page.slice(end)}`);
    renameSync(`${path}.tmp`, path);
    console.log(`wrote the benchmark tables into ${path}`);
  }
}
