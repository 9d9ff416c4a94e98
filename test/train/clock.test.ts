import { describe, expect, it } from 'vitest';
import { RunClock } from '../../src/train/clock.js';

/** A clock on a fake time source (milliseconds) that the test moves. */
function fakeClock(options: Partial<ConstructorParameters<typeof RunClock>[0]> = {}) {
  let ms = 1000;
  const clock = new RunClock({
    steps: Infinity,
    budgetSeconds: 100,
    startStep: 0,
    startSeconds: 0,
    validationInterval: 10,
    checkpointInterval: 25,
    validationEvery: Infinity,
    checkpointEvery: Infinity,
    now: () => ms,
    ...options,
  });
  return { clock, advance: (seconds: number) => (ms += seconds * 1000), at: () => ms };
}

describe('RunClock', () => {
  it('keeps for the end: its validations, twice the calibration, the checkpoint and a margin of 1% + 0.1 s', () => {
    const { clock, advance, at } = fakeClock({ endValidations: 2.5, endCheckpoint: true });
    expect(clock.reserve).toBeCloseTo(1.1, 12); // the margin alone: 0.01 * 100 + 0.1
    let began = at();
    advance(4); // a first validation of 4 s
    clock.validated(began);
    clock.calibrated(1.5);
    began = at();
    advance(0.5);
    clock.checkpointed(began);
    expect(clock.reserve).toBeCloseTo(2.5 * 4 + 2 * 1.5 + 0.5 + 1.1, 12); // 14.6 s
  });

  it('lays progress over the training time: after the first validation, before the reserve', () => {
    const { clock, advance, at } = fakeClock({ endValidations: 2.5 });
    const began = at();
    advance(4); // a first validation of 4 s
    clock.validated(began);
    clock.startSchedule();
    expect(clock.reserve).toBeCloseTo(11.1, 12); // 2.5 * 4 + 1.1
    expect(clock.progress(0)).toBe(0);
    advance(42.45); // half of the 84.9 s between 4 s and 100 - 11.1 s
    expect(clock.progress(10)).toBeCloseTo(0.5, 12);
    advance(100);
    expect(clock.progress(20)).toBe(1);
  });

  it('stops when one more step would eat into the reserve', () => {
    const { clock, advance } = fakeClock();
    clock.calibrated(4.45); // reserve 2 * 4.45 + 1.1 = 10 s
    advance(80);
    expect(clock.hasTimeFor(40)).toBe(true); // 2 s a step: 80 + 2 + 10 < 100
    advance(9);
    expect(clock.hasTimeFor(44)).toBe(false); // 89 + 2.02 + 10 >= 100
    expect(clock.secondsLeft(44)).toBeCloseTo(11, 12);
    expect(clock.expectedSteps(44)).toBe(44); // 1 s of budget before the reserve buys 0.49 steps
  });

  it('counts a resumed run from its earlier seconds and steps, and spaces validations and checkpoints', () => {
    const { clock, advance, at } = fakeClock({ startSeconds: 30, startStep: 60 });
    expect(clock.elapsed()).toBe(30);
    advance(10);
    expect(clock.stepsPerSecond(70)).toBeCloseTo(1, 12);
    expect(clock.validationDue(70)).toBe(true);
    clock.validated(at());
    expect(clock.validationDue(71)).toBe(false);
    advance(16);
    expect(clock.checkpointDue(90)).toBe(true); // 26 s since the clock started
  });

  it('counts steps when there is no budget', () => {
    const { clock } = fakeClock({ steps: 200, budgetSeconds: Infinity, validationEvery: 50, checkpointEvery: 100 });
    expect(clock.timed).toBe(false);
    expect(clock.reserve).toBe(0);
    expect(clock.progress(50)).toBe(0.25);
    expect(clock.hasTimeFor(199)).toBe(true);
    expect(clock.hasTimeFor(200)).toBe(false);
    expect([clock.validationDue(50), clock.validationDue(51), clock.checkpointDue(100)]).toEqual([true, false, true]);
  });

  it('spaces validations out so that they keep to their share of the training time', () => {
    // Interval 10 s; a validation of 2 s is a fifth of it: with a share of 0.05 the next is due 40 s after it.
    const { clock, advance, at } = fakeClock({ validationShare: 0.05 });
    const began = at();
    advance(2);
    clock.validated(began);
    expect(clock.validationSpacing).toBe(40);
    advance(39);
    expect(clock.validationDue(1)).toBe(false);
    advance(1);
    expect(clock.validationDue(2)).toBe(true);
    // A quick validation (0.1 s) keeps the interval; without a share the interval alone decides.
    const quick = fakeClock({ validationShare: 0.05 });
    const start = quick.at();
    quick.advance(0.1);
    quick.clock.validated(start);
    expect(quick.clock.validationSpacing).toBe(10);
    const plain = fakeClock();
    plain.advance(2);
    plain.clock.validated(plain.at() - 2000);
    expect(plain.clock.validationSpacing).toBe(10);
  });
});
