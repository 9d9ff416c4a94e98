/** `tfjs-unet train` and `tfjs-unet plan`: plan a run for the data and the budget, then train. */
import type { EngineName } from '../train/engines.js';
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spec } from '../spec/graph.js';
import { currentArchitectureName, type Architecture } from '../spec/presets.js';
import { ArgumentError } from '../core/errors.js';
import { progressBar } from './progress.js';
import { buildModel } from '../compile/build.js';
import { saveModel } from '../compile/persist.js';
import { defaultSelectAfter, train, type TrainResult } from '../train/train.js';
import { compareWithBaseline } from '../train/baseline.js';
import type { InstanceOptions } from '../regions/instances.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import { trainOptionsFor } from '../plan/options.js';
import { planTraining } from '../plan/planner.js';
import { fileStepTimes, machineSignature, stepTimesFile } from '../node/step-times.js';
import { architectureSpec, MIN_STEPS, snapTile, type StartingNetwork, type TrainingPlan } from '../plan/rules.js';
import { ARCHITECTURES } from '../spec/presets.js';
import type { LoadedModel } from '../compile/persist.js';
import { loadStartingModel } from '../node/zoo-files.js';
import { modelPath } from '../node/ready-made.js';
import { UsageError } from './args.js';
import type { DatasetFingerprint } from '../plan/fingerprint.js';
import { fileCheckpoints } from '../node/checkpoint-files.js';
import type { Dataset } from '../node/images.js';
import type { LabelledImages } from '../train/validation.js';
import { describeMasks, loadData, MASK_FLAGS, MASK_HELP, maskOptions, maskRecord } from './data.js';
import { modelDirectory } from '../node/model-files.js';
import { importOnnxRuntime } from '../node/onnx-files.js';
import type { OnnxRuntimeLike } from '../train/engine.js';
import { writeFileAtomic } from '../node/atomic.js';
import { integer, number, parse, required } from './args.js';
import { architectureFlag, deepSupervisionFlag, engineFlag, PLAN_OPTIONS, tileFlag, planFlags, planFlagsHelp, planFlagsUsage, withOverrides, type PlanFlags } from './plan-flags.js';
import { selectBackend } from './backend.js';
import { trainingCurveSvg } from './render.js';

export const TRAIN_HELP = `Usage: tfjs-unet train --images DIR --masks DIR --out DIR [--minutes 10 | --steps N] [--mask-type T] [--mask-colors C]
                      [--val-images DIR --val-masks DIR] [--every N] [--seed 1] [--backend cpu|wasm|tensorflow] [--resume] [--retime]
                      [--from MODEL]
       ${planFlagsUsage('       ')}

Plans a run for your data and your machine within --minutes (default 10): reads what the masks
encode, tells tissue from objects on a background and picks the recipe for it, times a few training
steps of the candidate networks that could win on the backend, and picks the network, tile and batch
that best use the time (printed, and saved as DIR/plan.json). A fifth of the images is held out (or
--val-images/--val-masks used) to calibrate the decision threshold and object settings on the run's
last (annealed) weights; they are saved in the model and used by predict. The run ends on time, and
says whether the model beats a global threshold of the held-out images.
${MASK_HELP}
Writes DIR/model (load it with predict/evaluate), DIR/plan.json, DIR/checkpoint (--resume continues
from it), DIR/metrics.json and DIR/training-curve.svg. Ctrl-C saves a checkpoint and exits.
--steps N trains N steps instead of a time budget (the plan is still made for --minutes).
--from MODEL fine-tunes a model instead of starting from random weights: a model or run folder
written by 'tfjs-unet train', a bioimage.io package exported by tfjs-unet, or a ready-made model's
name ('tfjs-unet models'). Its network,
normalisation and scale are kept (the flags that would change them are refused); the batch, the
training and the calibration are planned for your data and budget as usual. Packages from elsewhere
predict (--model) but cannot be fine-tuned: their ONNX graphs map onto no spec here.
--retime: measure the candidates' step times again instead of reusing those measured before on this
machine (kept in ~/.cache/tfjs-unet/step-times.json, or $TFJS_UNET_CACHE; valid for one library
version on one machine).

Every flag below overrides the plan's choice:
${planFlagsHelp()}`;

export const PLAN_HELP = `Usage: tfjs-unet plan --images DIR --masks DIR [--minutes 10] [--json] [--backend B] [--mask-type T] [--mask-colors C] [--retime] [--from MODEL]
       ${planFlagsUsage('       ')}

Prints the plan 'tfjs-unet train' would follow for this data, budget and machine (the data's
fingerprint, each candidate network's measured step time and what the budget buys with it, and the
choice with its reasons) without training. The flags override the plan as in 'tfjs-unet train'.

${MASK_HELP}`;

/** A run as the CLI trains it. */
export interface RunTraining {
  readonly images: readonly ImageArray<TypedArray>[];
  readonly labels: readonly ImageArray<TypedArray>[];
  /** The objects of instance masks (see `TrainData.instances`). */
  readonly instances?: readonly ImageArray<TypedArray>[];
  readonly validation?: LabelledImages;
  readonly spec: Spec;
  readonly plan: TrainingPlan;
  /** Training seconds (a time budget), or a step count. */
  readonly length: { readonly seconds: number } | { readonly steps: number };
  readonly every?: number;
  readonly seed: number;
  readonly out: string;
  readonly resume: boolean;
  readonly print: (line: string) => void;
  /** Stops the run after the current step (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** ONNX Runtime, when the plan's engine is onnx. */
  readonly onnx?: OnnxRuntimeLike;
  /** The model to start from (`--from`): its weights are the run's first. */
  readonly start?: LoadedModel;
}

const minutesText = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

/** Trains with a progress bar, checkpoints, Ctrl-C handling; writes the model, metrics and curve. */
export async function runTraining(run: RunTraining): Promise<TrainResult> {
  await mkdir(run.out, { recursive: true });
  const model = buildModel(run.spec, { inputSize: run.plan.tile, seed: run.seed });
  // Fine-tuning: the same spec at the run's tile has the same weights, in the same order.
  if (run.start !== undefined && !run.resume) model.setWeights(run.start.model.getWeights());
  const result = await trainWithProgress(run, model);
  await saveModel(model, run.spec, modelDirectory(join(run.out, 'model')));
  model.dispose();
  await writeRunFiles(run, result);
  reportRun(run, result);
  return result;
}

/** `train` with the plan's options, checkpoints in DIR/checkpoint (resumed from with `--resume`) and a progress bar. */
async function trainWithProgress(run: RunTraining, model: tf.LayersModel): Promise<TrainResult> {
  const { plan } = run;
  const checkpoints = fileCheckpoints(join(run.out, 'checkpoint'));
  const resume = run.resume ? await checkpoints.load() : undefined;
  const timed = 'seconds' in run.length;
  const objects = plan.kind === 'objects';
  const bar = await progressBar(
    `training [{bar}] {value}/{total} steps | loss {loss} | val ${objects ? 'PQ' : 'Rand error'} {val} | {speed} steps/s | ${timed ? 'time left' : 'ETA'} {left}`,
  );
  bar.start(timed ? 1 : (run.length as { steps: number }).steps, resume?.step ?? 0, { loss: '-', val: '-', speed: '-', left: '-' });
  try {
    const { weights, options } = trainOptionsFor(plan, { seed: run.seed, ...(run.onnx === undefined ? {} : { onnx: run.onnx }) });
    return await train(model, { images: run.images, labels: run.labels, ...(run.instances === undefined ? {} : { instances: run.instances }), weights }, {
      ...options,
      ...(timed ? { budget: { minutes: (run.length as { seconds: number }).seconds / 60 } } : { steps: (run.length as { steps: number }).steps }),
      validation: {
        ...(run.validation === undefined ? { holdOut: plan.validationShare } : run.validation),
        ...(run.every === undefined ? {} : { every: run.every }),
      },
      checkpoint: { ...(run.every === undefined ? {} : { every: run.every }), save: checkpoints.save },
      ...(resume === undefined ? {} : { resume }),
      ...(run.signal === undefined ? {} : { signal: run.signal }),
      onStep: ({ step, steps, loss, stepsPerSecond, etaSeconds }) => {
        if (timed) bar.setTotal(Math.max(step, steps));
        bar.update(step, { loss: loss.toFixed(4), speed: stepsPerSecond.toFixed(2), left: minutesText(etaSeconds) });
      },
      onValidation: (record) => bar.update({ val: (objects ? record.panopticQuality : record.randError).toFixed(4) }),
    });
  } finally {
    bar.stop();
  }
}

/** DIR/metrics.json and DIR/training-curve.svg. */
async function writeRunFiles(run: RunTraining, result: TrainResult): Promise<void> {
  await writeFileAtomic(
    join(run.out, 'metrics.json'),
    JSON.stringify(
      {
        steps: result.steps,
        seconds: result.seconds,
        stopped: result.stopped,
        kind: result.kind,
        metric: result.metric,
        best: result.best,
        info: result.info,
        calibration: result.calibration,
        baseline: result.baseline,
        validations: result.validations,
        history: result.history,
        backend: tf.getBackend(),
        engine: run.plan.engine ?? 'tfjs',
      },
      null,
      2,
    ),
  );
  const curve = result.kind === 'objects' ? 'panopticQuality' : 'randError';
  await writeFile(join(run.out, 'training-curve.svg'), trainingCurveSvg(result.history, result.validations, curve, METRIC_NAMES[curve]));
}

/** What the run did, printed: steps and loss, the validation, the calibration, the comparison with a threshold, where the files are. */
function reportRun(run: RunTraining, result: TrainResult): void {
  const last = result.history.slice(-10);
  run.print(
    `${result.stopped === 'aborted' ? 'stopped (checkpoint saved)' : 'done'}: ${result.steps} steps in ${minutesText(result.seconds)} on ${engineName(run.plan.engine)}, mean loss of the last ${last.length} steps ${(last.reduce((a, h) => a + h.loss, 0) / Math.max(1, last.length)).toFixed(4)}`,
  );
  if (result.best !== null) run.print(`validation ${METRIC_NAMES[result.metric]} ${result.best.value.toFixed(4)} at step ${result.best.step}`);
  if (result.calibration !== undefined) {
    const c = result.calibration;
    run.print(
      `calibrated on the validation images: threshold ${c.info.threshold} (Rand error ${c.randError.toFixed(4)}, pixel error ${c.pixelError.toFixed(4)}), objects: ${objectsText(c.info.instances)}, smallest ${c.info.instances?.minSize ?? 0} px`,
    );
    if (c.tta !== undefined) {
      run.print(`test-time augmentation (${c.tta.count} flips/rotations): ${c.tta.kept ? 'kept' : 'left out'}, validation ${c.tta.with.toFixed(4)} with, ${c.tta.without.toFixed(4)} without`);
    }
    if (result.baseline !== undefined) reportAgainstBaseline(run, result);
  }
  run.print(`model: ${join(run.out, 'model')}; metrics: ${join(run.out, 'metrics.json')}; curve: ${join(run.out, 'training-curve.svg')}`);
}

/** How the CLI names the validation metrics. */
const METRIC_NAMES: Record<TrainResult['metric'], string> = {
  randError: 'Rand error (ISBI 2012)',
  infoError: 'information error (ISBI 2012)',
  pixelError: 'pixel error',
  iou: 'mean IoU',
  dice: 'mean Dice',
  skimageRandError: 'adapted Rand error',
  ap50: 'AP at IoU 0.5',
  panopticQuality: 'panoptic quality',
};

/** How the calibration forms objects, in words. */
function objectsText(instances: InstanceOptions | undefined): string {
  if (instances?.thin === true) return 'borders thinned';
  const split = instances?.split;
  if (split === undefined || split === false) return 'connected regions';
  return typeof split === 'object' && split.seedThreshold !== undefined ? `touching objects split at seeds above ${split.seedThreshold}` : 'touching objects split (distance watershed)';
}

/** Says whether the model beats a global threshold on the held-out images and, when it does not, what to try. */
function reportAgainstBaseline(run: RunTraining, result: TrainResult): void {
  const { beaten, summary } = compareWithBaseline(result.kind, result.calibration!, result.baseline!);
  if (beaten) {
    run.print(`on the held-out images: ${summary}`);
    return;
  }
  run.print(
    `warning: the model is no better than a global threshold of the image on the held-out images (${summary}). It was saved, but its masks may be poor. ` +
      `To do better: train longer (--minutes; this run trained ${result.steps} steps), annotate more or better masks (${run.images.length} training images), ` +
      `or check how the masks were read (printed at the start; --mask-type states it).`,
  );
}

const DATA_FLAGS = { images: { type: 'string' }, masks: { type: 'string' }, minutes: { type: 'string' }, backend: { type: 'string' }, retime: { type: 'boolean' }, ...MASK_FLAGS } as const;

/** Refuses a mask set with no foreground at all, naming the files. */
function checkForeground(data: Dataset): void {
  if (data.masks.some((m) => m.data.some((v) => v !== 0))) return;
  const names = data.names.slice(0, 5).join(', ') + (data.names.length > 5 ? `, ... (${data.names.length} masks)` : '');
  throw new ArgumentError('masks', 'must mark some foreground: every mask is all background (0), so there is nothing to learn', names);
}

/** Which validated weights the run keeps (`train`'s `selectAfter`; its default when the plan has none). */
function keptWeights(plan: TrainingPlan): string {
  const after = plan.selectAfter ?? defaultSelectAfter(plan.schedule);
  return after >= 1 ? 'the last weights' : after <= 0 ? 'the best validated weights' : `the best weights validated after ${Math.round(100 * after)}% of the run`;
}

/** Prints a plan: the data, the candidates with their cost, the choice and why. */
function printPlan(fp: DatasetFingerprint, plan: TrainingPlan, print: (line: string) => void): void {
  print(
    `data: ${fp.images} image(s), ${fp.width.median}x${fp.height.median} px (median), ${fp.channels} channel(s), ${fp.classes} classes (${fp.classFrequencies.map((f) => `${(100 * f).toFixed(0)}%`).join(' / ')}), ` +
      `${fp.objects.total} objects (median ${fp.objects.area.median} px, ${fp.objects.diameter.median.toFixed(0)} px across), thin background ${(100 * fp.thinBackgroundShare).toFixed(0)}%`,
  );
  print(`candidates on ${engineName(plan.engine)} (seconds per step -> steps in ${plan.minutes} min):`);
  for (const c of plan.candidates) {
    print(`  ${c.padding} depth ${c.depth} base ${c.baseFilters} tile ${c.tile} batch ${c.batch}: ${c.secondsPerStep.toFixed(3)} s -> ${c.steps} steps`);
  }
  print(
    `plan: ${plan.padding} U-Net depth ${plan.depth}, base ${plan.baseFilters}${plan.batchNorm ? ', batch norm' : ''}${plan.deepSupervision === true ? ', deep supervision' : ''}, tile ${plan.tile}, batch ${plan.batch}${(plan.scale ?? 1) !== 1 ? ` at scale ${plan.scale}` : ''}${(plan.foreground ?? 0) > 0 ? `, ${Math.round(100 * plan.foreground!)}% of tiles on foreground` : ''}; ${plan.optimizer} ${plan.learningRate} with ${plan.schedule.kind} schedule${(plan.ema ?? 0) > 0 ? `, weights averaged (momentum ${plan.ema})` : ''}; ` +
      `loss ${plan.loss}, weights ${plan.weights}; ${plan.normalization.kind} intensities; augmentation ${plan.augmentation.strength}${plan.augmentation.elastic ? ' + elastic' : ''}${(plan.augmentation.ramp ?? 0) > 0 ? ` (ramped up over ${Math.round(100 * plan.augmentation.ramp!)}% of the run)` : ''}; ${Math.round(100 * plan.validationShare)}% held out, ${keptWeights(plan)} kept${plan.tta === 'calibrate' ? '; test-time augmentation if it helps on them' : (plan.tta ?? 1) > 1 ? `; predictions average ${plan.tta} flips/rotations` : ''}`,
  );
  for (const reason of plan.reasons) print(`  - ${reason}`);
}

/** The engine as printed: `onnx` or `tfjs (wasm)`. */
const engineName = (engine: EngineName | undefined) => (engine === 'onnx' ? 'the onnx engine (onnxruntime-node)' : `tfjs (${tf.getBackend()})`);

/** onnxruntime-node for `--engine auto|onnx`: required for onnx, optional (tfjs without it) for auto. */
async function onnxRuntimeFor(engine: 'auto' | EngineName, print: (line: string) => void): Promise<OnnxRuntimeLike | undefined> {
  if (engine === 'tfjs') return undefined;
  try {
    return await importOnnxRuntime('the onnx training engine');
  } catch (error) {
    if (engine === 'onnx') throw error;
    print('onnxruntime-node is not installed: training on tfjs (install it for the faster onnx engine)');
    return undefined;
  }
}

async function planFor(flags: PlanFlags, data: Dataset, minutes: number, print: (line: string) => void, options: { signal?: AbortSignal; loadSeconds: number; retime: boolean; start?: StartingNetwork }) {
  const engine = engineFlag(flags);
  const onnx = await onnxRuntimeFor(engine, print);
  print(`planning: timing candidate networks on ${engine === 'onnx' ? engineName('onnx') : onnx === undefined || engine === 'tfjs' ? engineName('tfjs') : `${engineName('tfjs')} and ${engineName('onnx')}`}...`);
  const runtime = onnx === undefined ? '' : `onnxruntime-node ${(onnx as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? ''}`.trim();
  const cache = fileStepTimes(stepTimesFile(), machineSignature(runtime));
  const timed = {
    get: (key: string) => (options.retime ? undefined : cache.get(key)),
    set: (key: string, seconds: number) => cache.set(key, seconds),
  };
  const result = await planTraining(data.images, data.masks, minutes, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(onnx === undefined ? {} : { onnx }),
    engine: onnx === undefined ? 'tfjs' : engine,
    architecture: architectureFlag(flags) ?? 'unet',
    deepSupervision: deepSupervisionFlag(flags),
    cache: timed,
    backend: tf.getBackend(),
    ...(options.start === undefined ? {} : { start: options.start }),
  });
  // A cache that cannot be written costs the next plan its timings, never this run.
  await cache.save().catch((error: Error) => print(`note: step times not cached (${error.message})`));
  const chosen = withOverrides(result.plan, flags, data);
  printPlan(result.fingerprint, chosen, print);
  const overhead = options.loadSeconds + result.seconds;
  print(
    `planning: ${result.seconds.toFixed(1)} s (step times: ${result.measured} measured, ${result.cached} from ${cache.path}${result.skipped > 0 ? `; ${result.skipped} candidate(s) skipped, slower than one that cannot reach ${MIN_STEPS} steps` : ''}); ` +
      `with loading (${options.loadSeconds.toFixed(1)} s) ${(100 * overhead / (60 * minutes)).toFixed(1)}% of the ${minutes} min budget`,
  );
  return { fp: result.fingerprint, plan: chosen, seconds: result.seconds };
}

export async function planCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { ...DATA_FLAGS, ...PLAN_OPTIONS, from: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help === true) return print(PLAN_HELP), 0;
  const started = performance.now();
  const minutes = number(values, 'minutes', 10);
  const flags = planFlags(values);
  const data = await loadData(values, maskOptions(values));
  checkForeground(data);
  await selectBackend(values);
  const start = typeof values.from === 'string' ? await startingModel(values.from, flags, data, undefined) : undefined;
  start?.model.dispose();
  const lines: string[] = [`${data.images.length} images, ${describeMasks(data)}`];
  const { fp, plan } = await planFor(flags, data, minutes, (l) => lines.push(l), { loadSeconds: (performance.now() - started) / 1000, retime: values.retime === true, ...(start === undefined ? {} : { start: start.network }) });
  print(values.json === true ? JSON.stringify({ fingerprint: fp, masks: maskRecord(data), plan }, null, 2) : lines.join('\n'));
  return 0;
}

export async function trainCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  // Ctrl-C: during planning, stop before anything is written; during training, checkpoint and stop.
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    return await trainWith(argv, print, controller.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

const TRAIN_FLAGS = {
  ...DATA_FLAGS,
  ...PLAN_OPTIONS,
  'val-images': { type: 'string' },
  'val-masks': { type: 'string' },
  out: { type: 'string' },
  steps: { type: 'string' },
  every: { type: 'string' },
  seed: { type: 'string' },
  resume: { type: 'boolean' },
  from: { type: 'string' },
} as const;

type TrainValues = ReturnType<typeof parse>;

async function trainWith(argv: readonly string[], print: (line: string) => void, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const values = parse(argv, TRAIN_FLAGS);
  if (values.help === true) return print(TRAIN_HELP), 0;
  const out = required(values, 'out');
  const minutes = number(values, 'minutes', 10);
  const flags = planFlags(values);
  const steps = values.steps === undefined ? undefined : integer(values, 'steps', 1000);
  const every = values.every === undefined ? undefined : integer(values, 'every', 50);
  const seed = integer(values, 'seed', 1, 0);
  const saved = values.resume === true ? await readSavedPlan(join(out, 'plan.json')) : undefined;
  const { data, validation } = await loadTrainingData(values, saved);
  const backend = await selectBackend(values);
  print(`${data.images.length} training images, ${describeMasks(data)}; backend ${backend}, budget ${minutes} min`);
  if (typeof values.from === 'string' && values.resume === true) throw new UsageError('--from starts a run from a model and --resume continues one from its checkpoint: give one');
  const start = typeof values.from === 'string' ? await startingModel(values.from, flags, data, validation) : undefined;
  if (start !== undefined) print(`starting from ${values.from as string}: ${start.network.architecture}, depth ${start.network.depth}, base ${start.network.baseFilters}, ${start.network.normalization?.kind ?? 'scale'} normalisation`);
  const planned =
    saved?.plan ??
    (await planAndSave(flags, data, { out, minutes, print, signal, retime: values.retime === true, loadSeconds: (performance.now() - started) / 1000, ...(start === undefined ? {} : { start: start.network }) }));
  if (planned === undefined) return 130;
  const { spec, plan } = start === undefined ? networkFor(planned, flags, data, validation) : { spec: start.spec, plan: { ...planned, tile: snapTile(start.spec, planned.tile) } };
  const onnx = plan.engine === 'onnx' ? await importOnnxRuntime('the onnx training engine') : undefined;
  const result = await runTraining({
    images: data.images,
    labels: data.masks,
    ...(data.instances === undefined ? {} : { instances: data.instances }),
    ...(validation === undefined ? {} : { validation: { images: validation.images, labels: validation.masks, ...(validation.instances === undefined ? {} : { instances: validation.instances }) } }),
    spec,
    plan,
    length: steps === undefined ? { seconds: trainingSeconds(minutes, started) } : { steps },
    ...(every === undefined ? {} : { every }),
    seed,
    out,
    resume: values.resume === true,
    print,
    signal,
    ...(onnx === undefined ? {} : { onnx }),
    ...(start === undefined ? {} : { start }),
  });
  start?.model.dispose();
  return result.stopped === 'aborted' ? 130 : 0;
}

/** The plan a resumed run follows (plans of earlier versions name their architecture the old way). */
async function readSavedPlan(planFile: string): Promise<SavedPlan> {
  const text = await readFile(planFile, 'utf8').catch(() => {
    throw new ArgumentError('out', 'must hold the plan.json of the run to resume', planFile);
  });
  const saved = JSON.parse(text) as SavedPlan;
  const { architecture } = saved.plan;
  return architecture === undefined ? saved : { ...saved, plan: { ...saved.plan, architecture: currentArchitectureName(architecture) as Architecture } };
}

/** The training masks (read as a resumed run read them) and the validation masks, read as the training masks are. */
async function loadTrainingData(values: TrainValues, saved: SavedPlan | undefined): Promise<{ data: Dataset; validation: Dataset | undefined }> {
  const data = await loadData(values, { ...(saved?.masks === undefined ? {} : { maskType: saved.masks.type }), ...maskOptions(values) });
  checkForeground(data);
  const validation =
    values['val-images'] === undefined
      ? undefined
      : await loadData(values, { maskType: data.maskType, ...(data.colorTable === undefined ? {} : { colors: data.colorTable }) }, 'val-');
  return { data, validation };
}

/** Plans the run and saves the plan as DIR/plan.json; undefined when Ctrl-C stopped the planning (nothing written). */
async function planAndSave(
  flags: PlanFlags,
  data: Dataset,
  run: { out: string; minutes: number; print: (line: string) => void; signal: AbortSignal; retime: boolean; loadSeconds: number; start?: StartingNetwork },
): Promise<TrainingPlan | undefined> {
  let planned: Awaited<ReturnType<typeof planFor>>;
  try {
    planned = await planFor(flags, data, run.minutes, run.print, { signal: run.signal, loadSeconds: run.loadSeconds, retime: run.retime, ...(run.start === undefined ? {} : { start: run.start }) });
  } catch (error) {
    if (!run.signal.aborted) throw error;
    run.print('stopped while planning: nothing was written');
    return undefined;
  }
  await mkdir(run.out, { recursive: true });
  await writeFileAtomic(join(run.out, 'plan.json'), JSON.stringify({ fingerprint: planned.fp, masks: maskRecord(data), plan: planned.plan } satisfies SavedPlan, null, 2));
  return planned.plan;
}

/** The plan's network for the data, with the tile snapped to one it takes and the engine `--engine` asks for. */
function networkFor(planned: TrainingPlan, flags: PlanFlags, data: Dataset, validation: Dataset | undefined): { spec: Spec; plan: TrainingPlan } {
  const spec = architectureSpec(planned.architecture ?? 'unet', {
    depth: planned.depth,
    baseFilters: planned.baseFilters,
    padding: planned.padding,
    batchNorm: planned.batchNorm,
    dropout: planned.dropout,
    inChannels: data.images[0]!.channels ?? 1,
    classes: Math.max(data.classes, validation?.classes ?? 2),
  });
  // A planned tile that the overridden network cannot take (e.g. --padding valid) snaps to a size it can.
  const tile = tileFlag(flags) === undefined ? snapTile(spec, planned.tile) : planned.tile;
  // Checkpoints move between engines, so --engine also applies to a resumed run (plans before engines: tfjs).
  const engine = engineFlag(flags);
  return { spec, plan: { ...planned, tile, engine: engine === 'auto' ? (planned.engine ?? 'tfjs') : engine } };
}

/** Flags that choose the network, which a `--from` model already has. */
const NETWORK_FLAGS = ['architecture', 'depth', 'base-filters', 'padding', 'batch-norm', 'normalization', 'scale'] as const;

/**
 * The model `--from` names, checked against the data (channels, classes) and
 * the flags (none may change its network), with what planning keeps of it.
 */
async function startingModel(path: string, flags: PlanFlags, data: Dataset, validation: Dataset | undefined): Promise<LoadedModel & { network: StartingNetwork }> {
  const given = NETWORK_FLAGS.filter((f) => [...flags.keys()].some((row) => row.flag === f));
  if (given.length > 0) throw new UsageError(`--from keeps the model's network, normalisation and scale: drop ${given.map((f) => `--${f}`).join(', ')}`);
  const loaded = await loadStartingModel(await modelPath(path, 'from'));
  try {
    const { spec, info, model } = loaded;
    const architecture = spec.builder as (typeof ARCHITECTURES)[number] | null;
    const options = spec.options as { depth?: number; baseFilters?: number; padding?: 'valid' | 'same'; batchNorm?: boolean } | null;
    if (architecture === null || !ARCHITECTURES.includes(architecture) || options?.depth === undefined || options.baseFilters === undefined) {
      throw new ArgumentError('from', `must be a model of one of the architectures (${ARCHITECTURES.join(', ')}); this one is a hand-built graph`, path);
    }
    const channels = model.inputs[0]!.shape[3]!;
    const classes = model.outputs[0]!.shape[3]!;
    const dataChannels = data.images[0]!.channels ?? 1;
    if (channels !== dataChannels) throw new ArgumentError('from', `must take images of the data's ${dataChannels} channel(s)`, `a model of ${channels} channel(s): ${path}`);
    const dataClasses = Math.max(data.classes, validation?.classes ?? 2);
    if (classes !== dataClasses) throw new ArgumentError('from', `must predict the masks' ${dataClasses} classes`, `a model of ${classes} classes: ${path}`);
    const network: StartingNetwork = {
      architecture,
      depth: options.depth as StartingNetwork['depth'],
      baseFilters: options.baseFilters,
      padding: options.padding ?? 'same',
      batchNorm: options.batchNorm ?? false,
      ...(info.normalization === undefined ? {} : { normalization: info.normalization }),
      ...(info.scale === undefined ? {} : { scale: info.scale }),
      source: path,
    };
    return { ...loaded, network };
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
}

/** The training seconds of a `--minutes` budget: what loading and planning took is spent, and saving needs a moment. */
function trainingSeconds(minutes: number, started: number): number {
  const spent = (performance.now() - started) / 1000;
  const seconds = minutes * 60 - spent - Math.max(2, 0.01 * minutes * 60);
  if (seconds <= 0) {
    throw new ArgumentError('minutes', `is too small: loading and planning took ${spent.toFixed(0)} s; give at least ${Math.ceil(((spent + 30) / 60) * 10) / 10} minutes`, minutes);
  }
  return seconds;
}

/** What `train` writes to DIR/plan.json (plans written before masks were recorded have none). */
interface SavedPlan {
  readonly fingerprint: DatasetFingerprint;
  readonly masks?: ReturnType<typeof maskRecord>;
  readonly plan: TrainingPlan;
}
