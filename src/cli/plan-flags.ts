/**
 * The flags that override a plan, as one table: each row is a flag, how it is
 * parsed and checked, the plan field it sets and its help line. `train` and
 * `plan` parse with it, their usage lines and help are generated from it, and
 * so is the flag table of docs/cli.md (a test keeps them equal). Adding a
 * training option to the CLI is a plan field and a row here.
 */
import { intensityPercentiles, NORMALIZATION_KINDS, type Normalization } from '../core/normalization.js';
import { LOSS_PRESETS, type LossPreset } from '../loss/losses.js';
import type { Dataset } from '../node/images.js';
import { architectureSpec, TARGET_DIAMETER, type TrainingPlan } from '../plan/rules.js';
import { ARCHITECTURES, currentArchitectureName } from '../spec/presets.js';
import { supervisionPoints } from '../spec/supervision.js';
import type { Depth } from '../spec/options.js';
import { ENGINE_NAMES, unsupported, type EngineName } from '../train/engines.js';
import { SCHEDULE_KINDS } from '../train/schedule.js';
import { UsageError } from './args.js';

/** One flag of the table. */
export interface PlanFlag<V> {
  /** The flag without its dashes. */
  readonly flag: string;
  /** What follows it in the usage line (`N`, `adam|nesterov|sgd`); empty for a switch. */
  readonly values: string;
  /** One line of help. */
  readonly help: string;
  /** The checked value of the flag as given (a string, or `true` for a switch); throws a `UsageError` naming it. */
  readonly parse: (given: string | true) => V;
  /** The plan with the value applied. */
  readonly apply: (plan: TrainingPlan, value: V, data: Dataset) => TrainingPlan;
}

/** A row whose types line up (the table holds rows of different value types). */
const row = <V>(flag: PlanFlag<V>): PlanFlag<unknown> => flag as PlanFlag<unknown>;

/** A plan field set to the value as it is. */
const set =
  <K extends keyof TrainingPlan>(field: K) =>
  (plan: TrainingPlan, value: TrainingPlan[K]): TrainingPlan => ({ ...plan, [field]: value });

function oneOf<const T extends readonly string[]>(flag: string, allowed: T): (given: string | true) => T[number] {
  return (given) => {
    if (typeof given !== 'string' || !allowed.includes(given)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${String(given)}`);
    return given;
  };
}

function integer(flag: string, min: number, max: number): (given: string | true) => number {
  return (given) => {
    const n = Number(given);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be an integer between ${min} and ${max}, got ${String(given)}`);
    return n;
  };
}

function fraction(flag: string, what: string, accept: (n: number) => boolean): (given: string | true) => number {
  return (given) => {
    const n = Number(given);
    if (typeof given !== 'string' || !accept(n)) throw new UsageError(`--${flag} must be ${what}, got ${String(given)}`);
    return n;
  };
}

const on = () => true as const;

/** The spec a plan's architecture and depth give for the data (what deep supervision needs to attach to). */
function supervisable(plan: TrainingPlan, data: Dataset): boolean {
  const spec = architectureSpec(plan.architecture ?? 'unet', { depth: plan.depth, baseFilters: 1, padding: 'same', batchNorm: false, dropout: 0, inChannels: data.images[0]!.channels ?? 1, classes: Math.max(2, data.classes) });
  return supervisionPoints(spec).length > 0;
}

/** The plan flags, in the order of the usage line. */
export const PLAN_FLAG_TABLE: readonly PlanFlag<unknown>[] = [
  row({
    flag: 'architecture',
    values: ARCHITECTURES.join('|'),
    help: "the U-Net family member (resUnet: residual units; resEncUnet: nnU-Net's residual encoder; attentionUnet: attention gates on the skips; unetPlusPlus: nested skips; the names of 0.1, like resenc-unet, still work); the planner times its candidates as it",
    parse: (given) => oneOf('architecture', ARCHITECTURES)(typeof given === 'string' ? currentArchitectureName(given) : given),
    apply: set('architecture'),
  }),
  row({ flag: 'depth', values: '1..6', help: 'levels of the U-Net (planned: the shallowest whose receptive field spans twice the large objects)', parse: integer('depth', 1, 6) as (g: string | true) => Depth, apply: set('depth') }),
  row({ flag: 'base-filters', values: 'N', help: 'filters of the first level, doubled per level (planned: 16 or 32)', parse: integer('base-filters', 1, 1024), apply: set('baseFilters') }),
  row({ flag: 'padding', values: 'valid|same', help: "the convolutions' padding (planned: same)", parse: oneOf('padding', ['valid', 'same'] as const), apply: set('padding') }),
  row({ flag: 'batch-norm', values: '', help: 'batch normalisation after every convolution', parse: on, apply: (plan) => ({ ...plan, batchNorm: true }) }),
  row({ flag: 'tile', values: 'N', help: 'the training tile, px (planned: 256 or the image)', parse: integer('tile', 1, Number.MAX_SAFE_INTEGER), apply: set('tile') }),
  row({ flag: 'batch', values: 'N', help: 'tiles per step (planned: 1 or 2)', parse: integer('batch', 1, Number.MAX_SAFE_INTEGER), apply: set('batch') }),
  row({
    flag: 'deep-supervision',
    values: '',
    help: "heads on the decoder's coarser maps trained on pooled labels (nnU-Net's; planned); the saved model keeps one output",
    parse: on,
    apply: (plan) => ({ ...plan, deepSupervision: true }),
  }),
  row({ flag: 'no-deep-supervision', values: '', help: 'train the output alone', parse: on, apply: (plan) => ({ ...plan, deepSupervision: false }) }),
  row({
    flag: 'ema',
    values: 'MOMENTUM|off',
    help: 'validate, select and save a moving average of the weights (e.g. 0.999); off: the trained weights (planned)',
    parse: (given) => {
      if (given === 'off') return 0;
      const momentum = Number(given);
      if (!(momentum > 0 && momentum < 1)) throw new UsageError(`--ema must be a momentum between 0 and 1 (e.g. 0.999) or off, got ${String(given)}`);
      return momentum;
    },
    apply: set('ema'),
  }),
  row({
    flag: 'tta',
    values: '1..8|calibrate',
    help: 'flips/rotations the model is calibrated with and predicts with (1: none, planned); calibrate: all 8 if they do not worsen validation',
    parse: (given) => (given === 'calibrate' ? ('calibrate' as const) : integer('tta', 1, 8)(given)),
    apply: set('tta'),
  }),
  row({ flag: 'optimizer', values: 'adam|nesterov|sgd', help: 'the optimizer (planned: adam)', parse: oneOf('optimizer', ['adam', 'nesterov', 'sgd'] as const), apply: set('optimizer') }),
  row({
    flag: 'lr',
    values: 'X',
    help: 'the base learning rate (planned: 0.001)',
    parse: fraction('lr', 'a positive number', (n) => Number.isFinite(n) && n > 0),
    apply: set('learningRate'),
  }),
  row<(typeof SCHEDULE_KINDS)[number]>({
    flag: 'schedule',
    values: SCHEDULE_KINDS.join('|'),
    help: "how the rate changes over the run, keeping the plan's warm-up (planned: cosine)",
    parse: oneOf('schedule', SCHEDULE_KINDS),
    apply: (plan, kind) => ({ ...plan, schedule: kind === plan.schedule.kind ? plan.schedule : { kind, warmup: plan.schedule.warmup ?? 0 } }),
  }),
  row({
    flag: 'warmup',
    values: 'F',
    help: 'share of the run over which the learning rate ramps up linearly from a hundredth (planned: 0.02)',
    parse: fraction('warmup', 'a share of the run in [0, 1)', (n) => n >= 0 && n < 1),
    apply: (plan, warmup) => ({ ...plan, schedule: { ...plan.schedule, warmup } }),
  }),
  row({
    flag: 'loss',
    values: Object.keys(LOSS_PRESETS).join('|'),
    help: 'the loss (planned: crossEntropy for tissue, diceCrossEntropy for objects)',
    parse: oneOf('loss', Object.keys(LOSS_PRESETS) as LossPreset[]),
    apply: set('loss'),
  }),
  row({
    flag: 'weights',
    values: 'none|border|border-unbalanced',
    help: "per-pixel loss weights: the paper's border weight map, with or without class balancing (planned: border for tissue, border-unbalanced for objects)",
    parse: (given) => {
      const weights = oneOf('weights', ['none', 'border', 'border-unbalanced'] as const)(given);
      return weights === 'border-unbalanced' ? ('borderUnbalanced' as const) : weights;
    },
    apply: set('weights'),
  }),
  row<Normalization['kind']>({
    flag: 'normalization',
    values: NORMALIZATION_KINDS.join('|'),
    help: 'intensity normalisation, stored in the model (planned: zscore)',
    parse: oneOf('normalization', NORMALIZATION_KINDS),
    apply: (plan, kind, data) => {
      if (kind === plan.normalization.kind) return plan;
      const normalization: Normalization = kind === 'percentiles' ? { kind: 'percentiles', ...intensityPercentiles(data.images) } : { kind };
      return { ...plan, normalization };
    },
  }),
  row({
    flag: 'augment',
    values: '0..1',
    help: "augmentation strength: gray-value ranges and elastic deformation scaled from none to the paper's (planned: 1)",
    parse: fraction('augment', 'a number between 0 and 1', (n) => n >= 0 && n <= 1),
    apply: (plan, strength) => ({ ...plan, augmentation: { ...plan.augmentation, strength } }),
  }),
  row({
    flag: 'augment-ramp',
    values: 'F',
    help: 'share of the run over which the augmentation rises from none to its strength (planned: 0.25; 0: full from the start)',
    parse: fraction('augment-ramp', 'a share of the run in [0, 1)', (n) => n >= 0 && n < 1),
    apply: (plan, ramp) => ({ ...plan, augmentation: { ...plan.augmentation, ramp } }),
  }),
  row({ flag: 'elastic', values: '', help: "the paper's elastic deformation (planned)", parse: on, apply: (plan) => ({ ...plan, augmentation: { ...plan.augmentation, elastic: true } }) }),
  row({
    flag: 'val-share',
    values: '0.2',
    help: 'share of the images held out to validate and calibrate',
    parse: fraction('val-share', 'a number in (0, 0.5]', (n) => n > 0 && n <= 0.5),
    apply: set('validationShare'),
  }),
  row({
    flag: 'select-after',
    values: 'F',
    help: 'keep the best validated weights after this fraction of the run instead of the last (0: of all validations; default 1; 0 with --schedule constant)',
    parse: fraction('select-after', 'a fraction of the run between 0 and 1', (n) => n >= 0 && n <= 1),
    apply: set('selectAfter'),
  }),
  row({
    flag: 'scale',
    values: 'F',
    help: `the scale the network works at, in (0, 1]: images shrunk by it, predictions enlarged back (planned: objects shrunk to ${TARGET_DIAMETER} px across)`,
    parse: fraction('scale', 'a number in (0, 1]', (n) => n > 0 && n <= 1),
    apply: set('scale'),
  }),
  row({
    flag: 'foreground',
    values: 'F',
    help: 'share of training tiles centred on foreground (planned: a third for objects on a background, 0 for tissue)',
    parse: fraction('foreground', 'a share of the tiles between 0 and 1', (n) => n >= 0 && n <= 1),
    apply: set('foreground'),
  }),
  row<'auto' | EngineName>({
    flag: 'engine',
    values: 'auto|tfjs|onnx',
    help: 'what runs the steps: tfjs on the backend, or onnx (the training step as one ONNX graph in onnxruntime-node); auto times both and takes the faster',
    parse: oneOf('engine', ['auto', ...ENGINE_NAMES] as const),
    apply: (plan, engine) => (engine === 'auto' ? plan : { ...plan, engine }),
  }),
];

/** The flags the user gave, parsed and checked: a row and its value each. */
export type PlanFlags = ReadonlyMap<PlanFlag<unknown>, unknown>;

/** The parseArgs options of the table. */
export const PLAN_OPTIONS = Object.fromEntries(PLAN_FLAG_TABLE.map((f) => [f.flag, { type: f.values === '' ? ('boolean' as const) : ('string' as const) }]));

const byFlag = (flag: string) => PLAN_FLAG_TABLE.find((f) => f.flag === flag)!;

/**
 * Every plan flag of `values`, checked before any image is read or candidate
 * timed (usage errors name the flag, the constraint and the value), with the
 * checks that span flags.
 */
export function planFlags(values: Record<string, unknown>): PlanFlags {
  const flags = new Map<PlanFlag<unknown>, unknown>();
  for (const f of PLAN_FLAG_TABLE) {
    const given = values[f.flag];
    if (given === undefined || given === false) continue;
    flags.set(f, f.parse(given as string | true));
  }
  if (flags.has(byFlag('deep-supervision')) && flags.has(byFlag('no-deep-supervision'))) throw new UsageError('--deep-supervision and --no-deep-supervision contradict each other: give one');
  const engine = engineFlag(flags);
  const loss = flags.get(byFlag('loss')) as LossPreset | undefined;
  const missing = engine === 'auto' || loss === undefined ? undefined : unsupported(engine, { loss });
  if (missing !== undefined) throw new UsageError(`--engine ${engine} cannot train --loss ${loss}: ${missing.reason}`);
  return flags;
}

/** The `--engine` the user asked for (`'auto'` when none). */
export function engineFlag(flags: PlanFlags): 'auto' | EngineName {
  return (flags.get(byFlag('engine')) as 'auto' | EngineName | undefined) ?? 'auto';
}

/** The tile the user asked for, if any. */
export function tileFlag(flags: PlanFlags): number | undefined {
  return flags.get(byFlag('tile')) as number | undefined;
}

/** The architecture the user asked for, if any. */
export function architectureFlag(flags: PlanFlags): TrainingPlan['architecture'] {
  return flags.get(byFlag('architecture')) as TrainingPlan['architecture'];
}

/** Whether the user asked for deep supervision, against it, or neither. */
export function deepSupervisionFlag(flags: PlanFlags): boolean | undefined {
  return flags.has(byFlag('deep-supervision')) ? true : flags.has(byFlag('no-deep-supervision')) ? false : undefined;
}

/**
 * The plan with the user's flags applied (every flag given wins), and the
 * fields older plans lack filled with what they meant. Planned deep
 * supervision is dropped for a network with no place for heads; a loss the
 * planned engine cannot compute moves the run to an engine that can.
 */
export function withOverrides(plan: TrainingPlan, flags: PlanFlags, data: Dataset): TrainingPlan {
  let out: TrainingPlan = { ...plan, architecture: plan.architecture ?? 'unet', ema: plan.ema ?? 0, tta: plan.tta ?? 1, scale: plan.scale ?? 1, foreground: plan.foreground ?? 0 };
  for (const [f, value] of flags) out = f.apply(out, value, data);
  if (deepSupervisionFlag(flags) === undefined) out = { ...out, deepSupervision: out.deepSupervision === true && supervisable(out, data) };
  if (engineFlag(flags) === 'auto' && unsupported(out.engine, { loss: out.loss }) !== undefined) {
    out = { ...out, engine: ENGINE_NAMES.find((e) => unsupported(e, { loss: out.loss }) === undefined) ?? out.engine };
  }
  return out;
}

/** The usage line of the table: `[--flag VALUES] ...`, wrapped. */
export function planFlagsUsage(indent: string): string {
  const items = PLAN_FLAG_TABLE.map((f) => `[--${f.flag}${f.values === '' ? '' : ` ${f.values}`}]`);
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line.length + item.length + 1 > 100 && line !== '') {
      lines.push(line);
      line = '';
    }
    line = line === '' ? item : `${line} ${item}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The help lines of the table: `--flag VALUES: help`. */
export function planFlagsHelp(): string {
  return PLAN_FLAG_TABLE.map((f) => `--${f.flag}${f.values === '' ? '' : ` ${f.values}`}: ${f.help}`).join('\n');
}

/** The flag table of docs/cli.md, as markdown. */
export function planFlagsMarkdown(): string {
  return ['| flag | what it overrides |', '|---|---|', ...PLAN_FLAG_TABLE.map((f) => `| \`--${f.flag}${f.values === '' ? '' : ` ${f.values}`}\` | ${f.help.replace(/\|/g, '\\|')} |`)].join('\n');
}
