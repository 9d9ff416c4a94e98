/**
 * Learning-rate schedules as functions of training progress (0 at the first
 * step, 1 at the end of the run, whether the run is counted in steps or in
 * minutes), with an optional linear warm-up.
 */
import { ArgumentError } from '../core/errors.js';

/** The schedule kinds. */
export const SCHEDULE_KINDS = ['constant', 'poly', 'cosine'] as const;

/**
 * A learning-rate schedule:
 * - `'constant'`: the base rate throughout;
 * - `'poly'`: `base * (1 - progress)^exponent` (nnU-Net: exponent 0.9);
 * - `'cosine'`: `final + (base - final) * (1 + cos(pi * progress)) / 2`.
 * `warmup` (a fraction of the run) ramps the rate linearly from `base / 100`
 * up to the schedule's value first.
 */
export interface Schedule {
  readonly kind: (typeof SCHEDULE_KINDS)[number];
  /** Fraction of the run spent warming up, in [0, 1). Default 0. */
  readonly warmup?: number;
  /** Exponent of `'poly'`. Default 0.9. */
  readonly exponent?: number;
  /** Final rate of `'cosine'` as a fraction of the base rate. Default 0. */
  readonly final?: number;
}

/**
 * Checks a schedule, naming the offending field.
 *
 * @example
 * ```ts
 * checkSchedule({ kind: 'cosine', warmup: 0.05 });
 * ```
 */
export function checkSchedule(schedule: Schedule): Schedule {
  if (typeof schedule !== 'object' || schedule === null || !SCHEDULE_KINDS.includes(schedule.kind)) {
    throw new ArgumentError('schedule.kind', `must be one of ${SCHEDULE_KINDS.map((k) => `'${k}'`).join(', ')}`, (schedule as Partial<Schedule> | null)?.kind);
  }
  const warmup = schedule.warmup ?? 0;
  if (!(warmup >= 0 && warmup < 1)) throw new ArgumentError('schedule.warmup', 'must be a fraction of the run in [0, 1)', warmup);
  if (schedule.exponent !== undefined && !(schedule.exponent > 0)) throw new ArgumentError('schedule.exponent', 'must be > 0', schedule.exponent);
  if (schedule.final !== undefined && !(schedule.final >= 0 && schedule.final <= 1)) throw new ArgumentError('schedule.final', 'must be in [0, 1]', schedule.final);
  return schedule;
}

/**
 * The learning rate at a point of the run.
 *
 * @param base - the peak rate.
 * @param progress - fraction of the run done, clamped to [0, 1].
 * @example
 * ```ts
 * learningRateAt(0.01, { kind: 'poly' }, 0.5); // 0.01 * 0.5^0.9 = 0.00536
 * ```
 */
export function learningRateAt(base: number, schedule: Schedule, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  const warmup = schedule.warmup ?? 0;
  const decayed = (() => {
    switch (schedule.kind) {
      case 'constant':
        return base;
      case 'poly':
        return base * (1 - p) ** (schedule.exponent ?? 0.9);
      case 'cosine': {
        const final = base * (schedule.final ?? 0);
        return final + ((base - final) * (1 + Math.cos(Math.PI * p))) / 2;
      }
    }
  })();
  if (p >= warmup) return decayed;
  const start = base / 100;
  return start + ((decayed - start) * p) / warmup;
}
