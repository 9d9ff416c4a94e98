/**
 * Errors raised when a spec, its options or its JSON form break a rule, and
 * the checks that raise them.
 */
import { ArgumentError } from '../core/errors.js';

/**
 * Thrown when an option, a spec node or a spec's JSON form is invalid.
 *
 * @example
 * ```ts
 * try {
 *   unet({ baseFilters: 0 });
 * } catch (e) {
 *   if (e instanceof SpecError) console.log(e.argument); // "baseFilters"
 * }
 * ```
 */
export class SpecError extends ArgumentError {
  constructor(argument: string, rule: string, received: unknown) {
    super(argument, rule, received);
    this.name = 'SpecError';
  }
}

/** Throws unless `value` is an integer in `[min, max]`. */
export function checkInteger(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SpecError(argument, `must be an integer between ${min} and ${max}`, value);
  }
  return value;
}

/** Throws unless `value` is a positive integer no larger than `max`. */
export function checkPositiveInteger(argument: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SpecError(argument, 'must be a positive integer', value);
  }
  if (value > max) throw new SpecError(argument, `must be at most ${max}`, value);
  return value;
}

/** Throws unless `value` is a finite number in `[min, max)` (or `[min, max]` when `maxInclusive`). */
export function checkNumber(argument: string, value: unknown, min: number, max: number, maxInclusive = false): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value >= min && (maxInclusive ? value <= max : value < max);
  if (!ok) throw new SpecError(argument, `must be a number in [${min}, ${max}${maxInclusive ? ']' : ')'}`, value);
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<const T extends readonly string[]>(argument: string, value: unknown, allowed: T): T[number] {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new SpecError(argument, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T[number];
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new SpecError(argument, 'must be a boolean', value);
  return value;
}

/** Throws unless `value` is a plain object (not null, not an array). */
export function checkRecord(argument: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError(argument, 'must be an object', value);
  }
  return value as Record<string, unknown>;
}

/** Throws when `record` has keys outside `known`, naming the first unknown key. */
export function checkKnownKeys(argument: string, record: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      throw new SpecError(
        argument === '' ? key : `${argument}.${key}`,
        `is not a known ${argument === '' ? 'option' : 'field'} (known: ${known.join(', ')})`,
        record[key],
      );
    }
  }
}
