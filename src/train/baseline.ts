/**
 * The no-learning baseline of a dataset: a global Otsu threshold of each
 * image's intensity, with the polarity (objects brighter or darker than the
 * rest) that fits the truth better. A trained model that does not beat it
 * has learnt nothing worth keeping.
 */
import { otsuThreshold } from '../core/threshold.js';
import { unitScale } from '../core/normalization.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import type { InstanceOptions } from '../regions/instances.js';
import { evaluateSegmentation, type EvaluationReport, type ScoredImage } from '../metrics/report.js';
import type { LabelledImages } from './validation.js';
import type { DataKind } from './calibrate.js';

/** What {@link thresholdBaseline} found. */
export interface ThresholdBaseline {
  /** Whether the foreground is above (`'bright'`) or below (`'dark'`) each image's Otsu threshold. */
  readonly polarity: 'bright' | 'dark';
  /** The scores of the thresholded images (objects formed as `instances` says). */
  readonly report: EvaluationReport;
}

/** The mean over channels of an image on the [0, 1] scale. */
function grayOf(image: ImageArray<TypedArray>): Float32Array {
  const unit = unitScale(image);
  const channels = unit.channels ?? 1;
  const gray = new Float32Array(unit.width * unit.height);
  for (let i = 0; i < gray.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += unit.data[i * channels + c]!;
    gray[i] = sum / channels;
  }
  return gray;
}

/**
 * Thresholds every image at its own Otsu threshold (gray values: the mean of
 * the channels), in the polarity with the higher mean foreground Dice, and
 * scores the result like a model's prediction.
 *
 * @param data - images with their labels (and true objects, for instance masks).
 * @param options - how objects are formed (default: connected regions, no thinning).
 * @example
 * ```ts
 * const { report } = thresholdBaseline({ images, labels });
 * report.mean.foregroundDice; // what a global threshold reaches
 * ```
 */
export function thresholdBaseline(data: LabelledImages, options: { readonly instances?: Omit<InstanceOptions, 'threshold'> } = {}): ThresholdBaseline {
  const masks = data.images.map((image) => {
    const gray = grayOf(image);
    const t = otsuThreshold(gray);
    return { gray, t };
  });
  const score = (polarity: 'bright' | 'dark') => {
    const scored: ScoredImage[] = masks.map(({ gray, t }, i) => {
      const probabilities = new Float32Array(2 * gray.length);
      for (let p = 0; p < gray.length; p++) {
        const on = polarity === 'bright' ? gray[p]! > t : gray[p]! <= t;
        probabilities[2 * p] = on ? 0 : 1;
        probabilities[2 * p + 1] = on ? 1 : 0;
      }
      const instances = data.instances?.[i];
      return { probabilities, truth: data.labels[i]!, ...(instances === undefined ? {} : { instances }) };
    });
    return evaluateSegmentation(scored, { threshold: 0.5, thresholds: [0.5], instances: options.instances ?? { thin: false } });
  };
  const bright = score('bright');
  const dark = score('dark');
  return bright.mean.foregroundDice >= dark.mean.foregroundDice ? { polarity: 'bright', report: bright } : { polarity: 'dark', report: dark };
}

/** What {@link compareWithBaseline} concludes. */
export interface BaselineComparison {
  /** Whether the model scores better than the baseline on every compared metric. */
  readonly beaten: boolean;
  /** The compared scores, e.g. `PQ 0.61, Dice 0.87 against PQ 0.25, Dice 0.60 for a global threshold`. */
  readonly summary: string;
}

/**
 * Compares a calibrated model's validation scores with the threshold
 * baseline's on the same images: for tissue the challenge Rand error, for
 * objects the panoptic quality and the foreground Dice (a model has to beat
 * both: finding the objects and their extent).
 *
 * @example
 * ```ts
 * const { beaten, summary } = compareWithBaseline('objects', result.calibration!, result.baseline!);
 * if (!beaten) console.warn(`no better than a threshold: ${summary}`);
 * ```
 */
export function compareWithBaseline(
  kind: DataKind,
  model: { readonly randError: number; readonly panopticQuality: number; readonly foregroundDice?: number },
  baseline: { readonly randError: number; readonly panopticQuality: number; readonly foregroundDice: number },
): BaselineComparison {
  if (kind === 'tissue') {
    return { beaten: model.randError < baseline.randError, summary: `Rand error ${model.randError.toFixed(4)} against ${baseline.randError.toFixed(4)} for a global threshold` };
  }
  const dice = model.foregroundDice ?? Number.NaN;
  return {
    beaten: model.panopticQuality > baseline.panopticQuality && dice > baseline.foregroundDice,
    summary: `PQ ${model.panopticQuality.toFixed(3)}, Dice ${dice.toFixed(3)} against PQ ${baseline.panopticQuality.toFixed(3)}, Dice ${baseline.foregroundDice.toFixed(3)} for a global threshold`,
  };
}
