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
  /**
   * Validations the end of the run keeps time for, in units of the last one
   * measured (the last validation, and the calibration's predictions with
   * test-time augmentation). Default 0.
   */
  readonly endValidations?: number;
  /** Whether the end of the run saves a checkpoint. Default false. */
  readonly endCheckpoint?: boolean;
  /** The current time in milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * The end's reserve for the calibration, in units of the calibration timed
 * on the first validation: a trained model's objects take longer to form and
 * match than an untrained one's.
 */
export const END_CALIBRATIONS = 2;
/** The end's margin, as a share of the budget plus seconds: a garbage collection or a busy core can stretch the last validation of a short budget by more than its 1%. */
export const END_MARGIN = { share: 0.01, seconds: 0.1 } as const;

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
  private calibrationCost = 0;
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

  /** Records how long a calibration took (timed once, on the first validation). */
  calibrated(seconds: number): void {
    this.calibrationCost = seconds;
  }

  /** Seconds one calibration took. */
  get calibrationSeconds(): number {
    return this.calibrationCost;
  }

  /**
   * Seconds the end of a timed run keeps: the last validation (and the
   * calibration's predictions), the calibration, a checkpoint and a margin
   * ({@link END_CALIBRATIONS}, {@link END_MARGIN}); 0 for a run of steps.
   */
  get reserve(): number {
    if (!this.timed) return 0;
    const { endValidations = 0, endCheckpoint = false, budgetSeconds } = this.options;
    return (
      endValidations * this.validationCost +
      (endCheckpoint ? this.checkpointCost : 0) +
      END_CALIBRATIONS * this.calibrationCost +
      END_MARGIN.share * budgetSeconds +
      END_MARGIN.seconds
    );
  }

  /** Fraction of the run done at `step`, 0..1: of the steps, or of the training time of the budget. */
  progress(step: number): number {
    if (!this.timed) return step / this.options.steps;
    const span = Math.max(1e-9, this.options.budgetSeconds - this.reserve - this.scheduleStart);
    return Math.min(1, Math.max(0, this.elapsed() - this.scheduleStart) / span);
  }

  /** Steps per second of this process's run so far. */
  stepsPerSecond(step: number): number {
    return (step - this.options.startStep) / Math.max(1e-9, (this.now() - this.runStart) / 1000);
  }

  /** Whether another step fits: the step count, or the budget less the reserve and one more step. */
  hasTimeFor(step: number): boolean {
    if (step >= this.options.steps) return false;
    if (!this.timed) return true;
    const perStep = step > this.options.startStep ? 1 / this.stepsPerSecond(step) : 0;
    return this.elapsed() + perStep + this.reserve < this.options.budgetSeconds;
  }

  /** Seconds to the end: the budget's, or the steps' at the current speed. */
  secondsLeft(step: number): number {
    return this.timed ? Math.max(0, this.options.budgetSeconds - this.elapsed()) : (this.options.steps - step) / this.stepsPerSecond(step);
  }

  /** The run's expected steps: the target, or what the rest of the budget buys at the current speed. */
  expectedSteps(step: number): number {
    if (!this.timed) return this.options.steps;
    return Math.min(this.options.steps, step + Math.floor(Math.max(0, this.options.budgetSeconds - this.elapsed() - this.reserve) * this.stepsPerSecond(step)));
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
