/**
 * The planning rules: which networks are worth timing for a dataset, and
 * which of them best uses a time budget on this machine. Pure functions of
 * the fingerprint, the budget and a table of measured step times, so the
 * rules are testable with synthetic fingerprints and fake speeds.
 */
import type { EngineName } from '../train/engines.js';
import { ArgumentError } from '../core/errors.js';
import { alignment, isValidInputSize, margin, nearestValidInputSize, outputSize } from '../geometry/tiles.js';
import { unet } from '../spec/unet.js';
import type { Depth, UNetOptions } from '../spec/options.js';
import type { Spec } from '../spec/graph.js';
import { attentionUnet, resUnet, unetPlusPlus } from '../spec/family.js';
import type { Architecture } from '../spec/presets.js';
import { match } from 'ts-pattern';
import type { Normalization } from '../core/normalization.js';
import type { LossPreset } from '../loss/losses.js';
import type { Schedule } from '../train/schedule.js';
import { TISSUE_SHARE, type DataKind } from '../train/calibrate.js';
import type { DatasetFingerprint } from './fingerprint.js';

/**
 * The spec of a family member with U-Net options (the architecture's own
 * options, like `residualDecoder`, follow from its name).
 *
 * @example
 * ```ts
 * architectureSpec('resEncUnet', { depth: 4, baseFilters: 32, padding: 'same' }).builder; // 'resUnet'
 * ```
 */
export function architectureSpec(architecture: Architecture, options: UNetOptions): Spec {
  return match(architecture)
    .with('unet', () => unet(options) as Spec)
    .with('resUnet', () => resUnet(options))
    .with('resEncUnet', () => resUnet({ ...options, residualDecoder: false }))
    .with('attentionUnet', () => attentionUnet(options))
    .with('unetPlusPlus', () => unetPlusPlus(options))
    .exhaustive();
}

/**
 * Objects are trained at the scale that makes their median diameter this
 * many pixels (Cellpose rescales cells to 30 px for the same reason): enough
 * for their shape, small enough that a shallow network sees whole objects and
 * a step covers many of them.
 */
export const TARGET_DIAMETER = 32;

/** A scale above this is not worth resampling for: objects are trained at full size. */
const LEAST_SHRINK = 0.75;

/** Share of training tiles centred on a foreground pixel for objects on a background (nnU-Net's 1/3). */
export const FOREGROUND_SHARE = 1 / 3;

/** What the kind of data decides, with one reason per choice. */
export interface Recipe {
  readonly kind: DataKind;
  /** The scale the network works at (`train`'s `scale`). */
  readonly scale: number;
  /** Share of tiles centred on foreground (`train`'s `foreground`). */
  readonly foreground: number;
  readonly loss: LossPreset;
  readonly weights: 'none' | 'border' | 'borderUnbalanced';
  readonly reasons: readonly string[];
}

/**
 * The recipe for a dataset, from its fingerprint. Tissue (thin boundaries
 * fill the image, `thinBackgroundShare` above `TISSUE_SHARE`): full
 * resolution, uniform tiles, the paper's class-balanced border weights,
 * validation by the challenge Rand error. Objects on a background: shrunk so
 * the median object is {@link TARGET_DIAMETER} px across (when that shrinks
 * by more than a quarter), {@link FOREGROUND_SHARE} of the tiles centred on
 * objects, Dice + cross-entropy with the border term between close objects
 * (without class balancing: Dice already balances), validation by the
 * objects' panoptic quality.
 *
 * @example
 * ```ts
 * recipeFor(fingerprint(images, labels)).scale; // 0.38 for nuclei 85 px across
 * ```
 */
export function recipeFor(fp: DatasetFingerprint): Recipe {
  const share = `${Math.round(100 * fp.thinBackgroundShare)}% of the background is thin boundary`;
  if (fp.thinBackgroundShare > TISSUE_SHARE) {
    return {
      kind: 'tissue',
      scale: 1,
      foreground: 0,
      loss: 'crossEntropy',
      weights: 'border',
      reasons: [
        `kind tissue: ${share} (objects fill the image): validated by the challenge Rand error, borders thinned`,
        'scale 1: boundaries are a few pixels thin',
        "loss: the paper's cross-entropy with class-balanced border weights",
      ],
    };
  }
  const median = fp.objects.diameter.median;
  const fit = median > 0 ? TARGET_DIAMETER / median : 1;
  const scale = fit <= LEAST_SHRINK ? +fit.toFixed(3) : 1;
  return {
    kind: 'objects',
    scale,
    foreground: FOREGROUND_SHARE,
    loss: 'diceCrossEntropy',
    weights: 'borderUnbalanced',
    reasons: [
      `kind objects: ${share} (objects on a background): validated by the objects' panoptic quality`,
      scale < 1
        ? `scale ${scale}: objects ${median.toFixed(0)} px across are trained at ${TARGET_DIAMETER} px (predictions are enlarged back)`
        : `scale 1: objects ${median.toFixed(0)} px across need full resolution`,
      `tiles: ${Math.round(100 * FOREGROUND_SHARE)}% centred on objects (${(100 * (1 - (fp.classFrequencies[0] ?? 0))).toFixed(0)}% of the pixels are foreground)`,
      'loss: Dice + cross-entropy, border weights between close objects',
    ],
  };
}

/** How a plan trains, apart from the network and the engine: the part `trainOptionsFor` turns into `train`'s options. */
export interface TrainerSettings {
  /** Drop-out of the deepest levels. */
  readonly dropout: number;
  readonly normalization: Normalization;
  readonly optimizer: 'adam' | 'nesterov' | 'sgd';
  readonly learningRate: number;
  readonly schedule: Schedule;
  readonly loss: LossPreset;
  readonly weights: 'none' | 'border' | 'borderUnbalanced';
  /** Deep supervision (`train`'s `deepSupervision: true`); plans written before it existed: off (planned: `PLANNED_DEEP_SUPERVISION` (on)). */
  readonly deepSupervision?: boolean;
  /** Momentum of the weights' moving average (`train`'s `ema`; 0: none); plans written before it existed: none. */
  readonly ema?: number;
  /** Test-time augmentation (`train`'s `tta`): a count of flips/rotations (1: none), or `'calibrate'` (8 if they do not worsen validation); plans written before it existed: none. */
  readonly tta?: number | 'calibrate';
  /** Augmentation strength 0..1, elastic deformation (see `augmentationFor`), and the share of the run over which the strength ramps up from none (`train`'s `augmentationRamp`; absent: 0). */
  readonly augmentation: { readonly strength: number; readonly elastic: boolean; readonly ramp?: number };
  /** What the images show (`recipeFor`); plans written before it existed: from the labels. */
  readonly kind?: DataKind;
  /** The scale the network works at (`train`'s `scale`); plans written before it existed: 1. */
  readonly scale?: number;
  /** Share of tiles centred on foreground (`train`'s `foreground`); plans written before it existed: 0. */
  readonly foreground?: number;
  /** Share of the images held out for calibration (and model selection, with `selectAfter` below 1). */
  readonly validationShare: number;
}

/**
 * The planned way to train for a recipe (rules 3-10 of `choosePlan`): Adam
 * 1e-3 with a cosine decay after a 2% warm-up, per-image z-score, drop-out
 * 0.1, full augmentation with elastic deformation (rising from none over the
 * first quarter of the run), a fifth held out, deep
 * supervision; the loss, weights, scale and foreground tiles of the recipe.
 * The planner times candidates with it and `choosePlan` plans it.
 *
 * @example
 * ```ts
 * plannedTrainer(recipeFor(fp)).loss; // 'diceCrossEntropy' for objects
 * ```
 */
export function plannedTrainer(recipe: Recipe): TrainerSettings {
  return {
    dropout: 0.1,
    normalization: { kind: 'zscore' },
    optimizer: 'adam',
    learningRate: 1e-3,
    schedule: { kind: 'cosine', warmup: 0.02 },
    loss: recipe.loss,
    weights: recipe.weights,
    kind: recipe.kind,
    scale: recipe.scale,
    foreground: recipe.foreground,
    deepSupervision: PLANNED_DEEP_SUPERVISION,
    ema: PLANNED_EMA,
    tta: PLANNED_TTA,
    augmentation: { strength: 1, elastic: true, ramp: PLANNED_AUGMENTATION_RAMP },
    validationShare: 0.2,
  };
}

/** A network and batch shape the planner may choose. */
export interface PlanCandidate {
  readonly depth: Depth;
  readonly baseFilters: number;
  readonly padding: 'valid' | 'same';
  readonly batchNorm: boolean;
  /** Training tile (input) size. */
  readonly tile: number;
  readonly batch: number;
}

/** Measured seconds per training step, by {@link candidateKey}. */
export type SpeedTable = ReadonlyMap<string, number>;

/** A candidate with what the budget buys with it. */
export interface RatedCandidate extends PlanCandidate {
  readonly secondsPerStep: number;
  /** Steps the training time buys. */
  readonly steps: number;
}

/**
 * Test-time augmentation of planned runs: none. On ISBI it lowered pixel and
 * information errors but not the segmentation's Rand error, for 4-8x the
 * prediction time (evidence: docs/results-isbi.md); `--tta` asks for it.
 */
export const PLANNED_TTA = 1;

/**
 * The weights' moving average of planned runs (`train`'s `ema` momentum; 0:
 * none): under the plan's cosine decay the last weights already settle
 * (evidence: docs/results-isbi.md); `--ema` asks for it.
 */
export const PLANNED_EMA = 0;

/**
 * The share of a planned run over which augmentation rises from none to full
 * strength (`train`'s `augmentationRamp`): the first steps learn from plain
 * tiles. Across the benchmark at 5 and 10 minutes it was far better on tissue
 * and even on objects (evidence: docs/results.md).
 */
export const PLANNED_AUGMENTATION_RAMP = 0.25;

/**
 * Deep supervision in planned runs (`train`'s `deepSupervision: true`,
 * nnU-Net's default): on, for steadier results across seeds at a few percent
 * of a step (evidence: docs/results-isbi.md); `--no-deep-supervision` turns
 * it off.
 */
export const PLANNED_DEEP_SUPERVISION = true;

/** The network and batch shape a plan trains: a timed candidate, and the family member it is of. */
export interface PlannedNetwork extends PlanCandidate {
  /** The family member (plans written before it existed: the U-Net). */
  readonly architecture?: Architecture;
}

/** Why a plan is what it is: what its candidate costs and buys, every candidate timed, one reason per decision. */
export interface PlanExplanation {
  /** What the chosen candidate costs and buys. */
  readonly estimate: { readonly secondsPerStep: number; readonly steps: number };
  /** Every candidate timed, with its cost. */
  readonly candidates: readonly RatedCandidate[];
  /** Why: one line per decision. */
  readonly reasons: readonly string[];
}

/**
 * Everything a run needs, chosen for a dataset, a budget and a machine; every
 * field can be overridden. It is made of named parts: the network
 * ({@link PlannedNetwork}), how it trains ({@link TrainerSettings}), what runs
 * the steps and which weights are kept, and the explanation
 * ({@link PlanExplanation}); `plan.json` stores them as one flat object.
 */
export interface TrainingPlan extends PlannedNetwork, TrainerSettings, PlanExplanation {
  /** Time budget of the whole run (planning and final calibration included), minutes. */
  readonly minutes: number;
  /** `train`'s `selectAfter` when a flag set it; planned: absent, train's default (the last weights under a decaying schedule). */
  readonly selectAfter?: number;
  /** What runs the steps: tfjs on the backend, or the ONNX training graph in ONNX Runtime (the faster measured). */
  readonly engine: EngineName;
}

/**
 * Below this many steps a run is too short to converge, so the planner
 * shrinks the network (fewer base filters) before it buys fewer steps
 * (evidence: docs/results-isbi.md, docs/planning.md).
 */
export const MIN_STEPS = 6000;

/** Share of the budget kept for planning, validation and calibration. */
export const OVERHEAD_SHARE = 0.12;

/**
 * A fine-tuning run (`train --from`) trains at this share of the planned
 * learning rate, so the few new images adjust what the network learned
 * instead of overwriting it (evidence: docs/results.md, "Fine-tuning from a
 * model").
 */
export const FINE_TUNE_RATE_SHARE = 0.03;

/** Base filter counts the planner considers, smallest first. */
export const BASE_FILTERS = [16, 32] as const;

/** Batch sizes the planner considers. */
export const BATCHES = [1, 2] as const;

/**
 * A larger batch is chosen over a smaller one only when it sees this many
 * times the labelled pixels in the budget: measured step times vary by up to
 * a third between runs, which without a margin flips the batch from run to
 * run; on a CPU a second tile is rarely worth its optimizer steps
 * (evidence: docs/planning.md).
 */
export const BATCH_MARGIN = 1.5;

/**
 * The key of a candidate in a {@link SpeedTable}.
 *
 * @example
 * ```ts
 * candidateKey({ depth: 4, baseFilters: 16, padding: 'same', batchNorm: false, tile: 256, batch: 1 });
 * // 'same/depth 4/base 16/tile 256/batch 1'
 * ```
 */
export const candidateKey = (c: PlanCandidate): string => `${c.padding}/depth ${c.depth}/base ${c.baseFilters}/tile ${c.tile}/batch ${c.batch}${c.batchNorm ? '/bn' : ''}`;

/**
 * The receptive field of a U-Net of this depth, in pixels: what one output
 * pixel sees (the same for valid and same padding).
 *
 * @example
 * ```ts
 * receptiveField(4); // 185
 * ```
 */
export function receptiveField(depth: Depth): number {
  return 2 * margin(unet({ depth, baseFilters: 1, padding: 'valid' })) + 1;
}

/**
 * The depth for the objects: the smallest of 3..5 whose receptive field
 * spans twice the large (90th percentile) objects' diameter at the network's
 * `scale`, so a pixel sees its whole object and the neighbours'; 5 when none does.
 *
 * @example
 * ```ts
 * depthFor(fingerprint(images, labels)); // 4 for ISBI 2012 cells (70 px across)
 * ```
 */
export function depthFor(fp: DatasetFingerprint, scale = 1): Depth {
  for (const depth of [3, 4, 5] as const) if (receptiveField(depth) >= 2 * scale * fp.objects.diameter.p90) return depth;
  return 5;
}

/**
 * The training tile: same padding, 256 px (a multiple of 2^depth) or the
 * smallest image side (at the network's `scale`) rounded down to one when
 * images are smaller, and at least 8 px at the bottom level.
 *
 * @example
 * ```ts
 * tileFor(fp, 4); // 256 for 512 px images
 * ```
 */
export function tileFor(fp: DatasetFingerprint, depth: Depth, scale = 1): number {
  const unit = 2 ** depth;
  const side = Math.max(2, Math.round(scale * Math.min(fp.width.min, fp.height.min)));
  return Math.max(8 * unit, Math.floor(Math.min(256, side) / unit) * unit);
}

/**
 * The candidates worth timing: same-padding U-Nets of the depth the objects
 * need ({@link depthFor}) on the tile of {@link tileFor}, at the recipe's
 * scale, with every base filter count of {@link BASE_FILTERS} and batch of
 * {@link BATCHES}, cheapest first.
 *
 * @example
 * ```ts
 * planCandidates(fingerprint(images, labels)); // 4 candidates to time
 * ```
 */
export function planCandidates(fp: DatasetFingerprint, scale = recipeFor(fp).scale): PlanCandidate[] {
  const depth = depthFor(fp, scale);
  const tile = tileFor(fp, depth, scale);
  return BASE_FILTERS.flatMap((baseFilters) => BATCHES.map((batch) => ({ depth, baseFilters, padding: 'same' as const, batchNorm: false, tile, batch })));
}

/**
 * Chooses the plan. Documented rules, in order:
 * 1. the network: of the timed candidates whose steps in the training time
 *    (the budget less {@link OVERHEAD_SHARE}) reach {@link MIN_STEPS}, the
 *    widest base, with the smallest batch unless a larger one sees
 *    {@link BATCH_MARGIN} times its labelled pixels (steps x batch x tile
 *    area); when none reaches it, the one with the most steps;
 * 2. intensity: per-image z-score (nnU-Net's default for non-CT images);
 * 3. optimisation: Adam 1e-3 with a cosine decay over the budget after a 2% warm-up;
 * 4. loss: the paper's weighted cross-entropy with its border weight map
 *    (balanced classes, w0 10, sigma 5): on ISBI 2012 it scored a clearly
 *    lower challenge Rand error than no weights or the border term without
 *    class balancing (docs/results.md); the shift it gives the probabilities
 *    is undone by the calibrated threshold;
 * 5. augmentation: flips, rotations, gray values and the paper's elastic
 *    deformation (on ISBI 2012 it lowered the challenge Rand error for 2%
 *    fewer steps), rising from none to full strength over the first quarter
 *    of the run (`PLANNED_AUGMENTATION_RAMP`);
 * 6. validation: a fifth of the images held out, calibrating the threshold
 *    on the last weights (`train`'s `selectAfter` default under the cosine
 *    decay; docs/planning.md rule 7);
 * 7. deep supervision on (`PLANNED_DEEP_SUPERVISION`).
 *
 * @param fp - the dataset's fingerprint.
 * @param minutes - the whole run's budget.
 * @param speeds - measured seconds per step of the candidates (missing ones are skipped).
 * @param candidates - the candidates (default {@link planCandidates}).
 * @param architecture - the family member the speeds were measured on (default the U-Net).
 * @throws {@link ArgumentError} when no candidate was timed.
 * @example
 * ```ts
 * const plan = choosePlan(fp, 30, new Map([[candidateKey(c), 0.8]]));
 * ```
 */
export function choosePlan(
  fp: DatasetFingerprint,
  minutes: number,
  speeds: SpeedTable,
  candidates: readonly PlanCandidate[] = planCandidates(fp),
  architecture: Architecture = 'unet',
): TrainingPlan {
  const recipe = recipeFor(fp);
  if (!(minutes > 0)) throw new ArgumentError('minutes', 'must be a positive number', minutes);
  const trainSeconds = minutes * 60 * (1 - OVERHEAD_SHARE);
  const rated: RatedCandidate[] = candidates.flatMap((c) => {
    const secondsPerStep = speeds.get(candidateKey(c));
    return secondsPerStep === undefined || !(secondsPerStep > 0) ? [] : [{ ...c, secondsPerStep, steps: Math.floor(trainSeconds / secondsPerStep) }];
  });
  if (rated.length === 0) throw new ArgumentError('speeds', 'must hold a step time for at least one candidate', [...speeds.keys()]);
  const pixels = (c: RatedCandidate) => c.steps * c.batch * c.tile * c.tile;
  const eligible = rated.filter((c) => c.steps >= MIN_STEPS);
  const reasons: string[] = [];
  let chosen: RatedCandidate;
  if (eligible.length > 0) {
    const widest = Math.max(...eligible.map((c) => c.baseFilters));
    const byBatch = eligible.filter((c) => c.baseFilters === widest).sort((a, b) => a.batch - b.batch);
    chosen = byBatch.reduce((best, c) => (pixels(c) >= BATCH_MARGIN * pixels(best) ? c : best));
    const smallest = byBatch[0]!;
    reasons.push(
      `network: base ${chosen.baseFilters}, batch ${chosen.batch}: the widest candidate that still gets ${MIN_STEPS}+ steps (${chosen.steps}) in ${minutes} min` +
        (chosen === smallest
          ? byBatch.length > 1
            ? `; a larger batch would not see ${BATCH_MARGIN}x the labelled pixels`
            : ''
          : `; batch ${chosen.batch} sees ${(pixels(chosen) / pixels(smallest)).toFixed(2)}x the labelled pixels of batch ${smallest.batch}`),
    );
  } else {
    chosen = rated.reduce((best, c) => (c.steps > best.steps ? c : best));
    reasons.push(`network: base ${chosen.baseFilters}, batch ${chosen.batch}: no candidate reaches ${MIN_STEPS} steps in ${minutes} min, so the fastest (${chosen.steps} steps)`);
  }
  const p90 = recipe.scale * fp.objects.diameter.p90;
  reasons.push(`depth ${chosen.depth}: receptive field ${receptiveField(chosen.depth)} px ${receptiveField(chosen.depth) >= 2 * p90 ? 'spans' : 'is the widest; it does not span'} twice the large objects (${p90.toFixed(0)} px across${recipe.scale < 1 ? ' at the scale' : ''})`);
  reasons.push(`tile ${chosen.tile} px, same padding: every pixel of the tile is labelled output`);
  return {
    minutes,
    architecture,
    depth: chosen.depth,
    baseFilters: chosen.baseFilters,
    padding: chosen.padding,
    batchNorm: chosen.batchNorm,
    tile: chosen.tile,
    batch: chosen.batch,
    ...plannedTrainer(recipe),
    engine: 'tfjs',
    estimate: { secondsPerStep: chosen.secondsPerStep, steps: chosen.steps },
    candidates: rated,
    reasons: [...recipe.reasons, ...reasons],
  };
}

/**
 * The valid input size nearest `tile` whose output still covers the network's
 * alignment (2^depth), the least that overlap-tile prediction can stitch;
 * `tile` itself when it already qualifies.
 *
 * @example
 * ```ts
 * snapTile(unet({ depth: 4 }), 256); // 252: the nearest valid tile of the paper's U-Net
 * ```
 */
export function snapTile(spec: Spec, tile: number): number {
  const tiles = (size: number) => isValidInputSize(spec, size) && outputSize(spec, size) >= alignment(spec);
  if (tiles(tile)) return tile;
  let size = nearestValidInputSize(spec, tile);
  while (size !== undefined && !tiles(size)) size = nearestValidInputSize(spec, size + 1, 'up');
  return size ?? tile;
}

/**
 * A network to fine-tune (`train --from`): planning keeps it, with the
 * normalisation and scale it was trained with, and plans the rest (batch,
 * optimisation, loss, augmentation, validation) for the data as usual.
 */
export interface StartingNetwork {
  readonly architecture: Architecture;
  readonly depth: Depth;
  readonly baseFilters: number;
  readonly padding: 'valid' | 'same';
  readonly batchNorm: boolean;
  /** Its normalisation (the model's `ModelInfo.normalization`). */
  readonly normalization?: Normalization;
  /** Its scale (the model's `ModelInfo.scale`). Default 1. */
  readonly scale?: number;
  /** Where it came from, for the plan's reasons. */
  readonly source: string;
}

/**
 * The candidates of a fine-tuning run: the starting network at each batch of
 * {@link BATCHES}, on the tile {@link tileFor} gives at its scale (snapped to
 * a size it takes).
 *
 * @example
 * ```ts
 * startCandidates(fp, { architecture: 'unet', depth: 4, baseFilters: 16, padding: 'same', batchNorm: false, source: 'runs/em' });
 * ```
 */
export function startCandidates(fp: DatasetFingerprint, start: StartingNetwork): PlanCandidate[] {
  const spec = architectureSpec(start.architecture, { depth: start.depth, baseFilters: start.baseFilters, padding: start.padding, batchNorm: start.batchNorm, inChannels: fp.channels });
  const tile = snapTile(spec, tileFor(fp, start.depth, start.scale ?? 1));
  return BATCHES.map((batch) => ({ depth: start.depth, baseFilters: start.baseFilters, padding: start.padding, batchNorm: start.batchNorm, tile, batch }));
}
