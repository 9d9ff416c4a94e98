/**
 * Model selection during a run: which validation is the best so far, the
 * weights and predictions kept from it, and when early stopping asks to stop.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ScoredImage } from '../metrics/report.js';
import { weightValues } from './checkpoint.js';
import { lowerIsBetter, type ValidationMetric } from './validation.js';

/** A model's weights by name, as kept for the best model. */
export type NamedWeights = { name: string; shape: number[]; values: Float32Array }[];

/** What a run knows about its best validation (restored from a checkpoint on resume). */
export interface SelectionState {
  readonly best: { readonly step: number; readonly value: number } | null;
  readonly sinceBest: number;
  readonly bestWeights: NamedWeights | null;
}

/** Tracks the best validation of a run on one metric, keeping its weights and scored predictions. */
export class ModelSelection {
  best: { step: number; value: number } | null;
  sinceBest: number;
  bestWeights: NamedWeights | null;
  /** The best model's scored validation predictions, for the calibration. */
  bestScored: ScoredImage[] | null = null;

  constructor(
    private readonly metric: ValidationMetric,
    private readonly keep: { readonly weights: boolean; readonly predictions: boolean },
    start: SelectionState = { best: null, sinceBest: 0, bestWeights: null },
  ) {
    this.best = start.best === null ? null : { ...start.best };
    this.sinceBest = start.sinceBest;
    this.bestWeights = start.bestWeights;
  }

  /**
   * Considers a validation of `model` at `step`; only validations that
   * `compete` can become the best. Returns whether it is the new best.
   */
  consider(step: number, value: number, competes: boolean, model: tf.LayersModel, scored: ScoredImage[]): boolean {
    const improved = competes && (this.best === null || (lowerIsBetter(this.metric) ? value < this.best.value : value > this.best.value));
    if (improved) {
      this.best = { step, value };
      this.sinceBest = 0;
      if (this.keep.weights) this.bestWeights = weightValues(model);
      if (this.keep.predictions) this.bestScored = scored;
    } else if (competes) this.sinceBest++;
    return improved;
  }

  /** Whether `patience` validations in a row failed to improve. */
  exhausted(patience: number | undefined): boolean {
    return patience !== undefined && this.sinceBest >= patience;
  }
}
