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
  it('lays progress over the training time: after the first validation, before the reserve', () => {
    const { clock, advance, at } = fakeClock();
    const began = at();
    advance(4); // a first validation of 4 s
    clock.validated(began);
    clock.startSchedule();
    const reserve = clock.reserve(2.5, false); // 10 s
    expect(reserve).toBe(10);
    expect(clock.progress(0, reserve)).toBe(0);
    advance(43); // half of the 86 s between 4 s and 100 - 10 s
    expect(clock.progress(10, reserve)).toBeCloseTo(0.5, 12);
    advance(100);
    expect(clock.progress(20, reserve)).toBe(1);
  });

  it('stops when one more step would eat into the reserve', () => {
    const { clock, advance } = fakeClock();
    advance(80);
    expect(clock.hasTimeFor(40, 10)).toBe(true); // 2 s a step: 80 + 2 + 10 < 100
    advance(8);
    expect(clock.hasTimeFor(44, 10)).toBe(false); // 88 + 2 + 10 >= 100
    expect(clock.secondsLeft(44)).toBeCloseTo(12, 12);
    expect(clock.expectedSteps(44, 10)).toBe(44 + 1); // 2 s of budget left before the reserve, 0.5 steps/s
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
    expect(clock.progress(50, 0)).toBe(0.25);
    expect(clock.hasTimeFor(199, 0)).toBe(true);
    expect(clock.hasTimeFor(200, 0)).toBe(false);
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
