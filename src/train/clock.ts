/**
 * The run's clock: training time across resumes, the budget and what its end
 * must keep time for, progress for the learning-rate schedule, and when the
 * next validation or checkpoint is due.
 */

/** What a {@link RunClock} needs to know. */
export interface ClockOptions {
  /** Step target (Infinity: the budget decides). */
  readonly steps: number;
  /** Budget in seconds (Infinity: the steps decide). */
  readonly budgetSeconds: number;
  /** Steps and seconds already done (a resumed run). */
  readonly startStep: number;
  readonly startSeconds: number;
  /** Seconds between validations and checkpoints in a timed run. */
  readonly validationInterval: number;
  readonly checkpointInterval: number;
  /**
   * Timed runs: the most of the training time validations along the way may
   * take; a validation that takes longer than this share of its interval
   * spaces the next ones out (undefined: the interval alone decides).
   */
  readonly validationShare?: number;
  /** Steps between validations and checkpoints (Infinity: by time only). */
  readonly validationEvery: number;
  readonly checkpointEvery: number;
  /** The current time in milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

/** Time and progress accounting of one training run. */
export class RunClock {
  readonly timed: boolean;
  private readonly options: ClockOptions;
  private readonly now: () => number;
  private readonly origin: number;
  private readonly runStart: number;
  private lastValidation: number;
  private lastCheckpoint: number;
  private validationCost = 0;
  private checkpointCost = 0;
  private scheduleStart = 0;

  constructor(options: ClockOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.timed = Number.isFinite(options.budgetSeconds);
    this.origin = this.now() - options.startSeconds * 1000;
    this.runStart = this.now();
    this.lastValidation = this.lastCheckpoint = this.elapsed();
  }

  /** Seconds of training, resumed runs included. */
  elapsed(): number {
    return (this.now() - this.origin) / 1000;
  }

  /** Seconds one validation took (the last one measured). */
  get validationSeconds(): number {
    return this.validationCost;
  }

  /** Records a validation that started at `began` (ms) and ended now. */
  validated(began: number): void {
    this.validationCost = (this.now() - began) / 1000;
    this.lastValidation = this.elapsed();
  }

  /** Records a checkpoint that started at `began` (ms) and ended now. */
  checkpointed(began: number): void {
    this.checkpointCost = (this.now() - began) / 1000;
    this.lastCheckpoint = this.elapsed();
  }

  /** The schedule starts now (after a first validation), or at the given training second. */
  startSchedule(seconds = this.elapsed()): void {
    this.scheduleStart = seconds;
  }

  /** Seconds the end of the run needs: the last validation (and calibration) and a checkpoint. */
  reserve(validations: number, checkpoint: boolean): number {
    return validations * this.validationCost + (checkpoint ? this.checkpointCost : 0);
  }

  /** Fraction of the run done at `step`, 0..1: of the steps, or of the training time of the budget. */
  progress(step: number, reserve: number): number {
    if (!this.timed) return step / this.options.steps;
    const span = Math.max(1e-9, this.options.budgetSeconds - reserve - this.scheduleStart);
    return Math.min(1, Math.max(0, this.elapsed() - this.scheduleStart) / span);
  }

  /** Steps per second of this process's run so far. */
  stepsPerSecond(step: number): number {
    return (step - this.options.startStep) / Math.max(1e-9, (this.now() - this.runStart) / 1000);
  }

  /** Whether another step fits: the step count, or the budget less the reserve and one more step. */
  hasTimeFor(step: number, reserve: number): boolean {
    if (step >= this.options.steps) return false;
    if (!this.timed) return true;
    const perStep = step > this.options.startStep ? 1 / this.stepsPerSecond(step) : 0;
    return this.elapsed() + perStep + reserve < this.options.budgetSeconds;
  }

  /** Seconds to the end: the budget's, or the steps' at the current speed. */
  secondsLeft(step: number): number {
    return this.timed ? Math.max(0, this.options.budgetSeconds - this.elapsed()) : (this.options.steps - step) / this.stepsPerSecond(step);
  }

  /** The run's expected steps: the target, or what the rest of the budget buys at the current speed. */
  expectedSteps(step: number, reserve: number): number {
    if (!this.timed) return this.options.steps;
    return Math.min(this.options.steps, step + Math.floor(Math.max(0, this.options.budgetSeconds - this.elapsed() - reserve) * this.stepsPerSecond(step)));
  }

  /** Seconds between validations in a timed run: the interval, stretched so validations keep to their share. */
  get validationSpacing(): number {
    const share = this.options.validationShare;
    return Math.max(this.options.validationInterval, share === undefined ? 0 : this.validationCost / share);
  }

  /** Whether a validation is due after `step`. */
  validationDue(step: number): boolean {
    return step % this.options.validationEvery === 0 || (this.timed && this.elapsed() - this.lastValidation >= this.validationSpacing);
  }

  /** Whether a checkpoint is due after `step`. */
  checkpointDue(step: number): boolean {
    return step % this.options.checkpointEvery === 0 || (this.timed && this.elapsed() - this.lastCheckpoint >= this.options.checkpointInterval);
  }
}
