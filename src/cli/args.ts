/**
 * Command-line argument handling: node:util parseArgs with typed getters and
 * usage errors (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` for one command; unknown flags are usage errors. */
export function parse(argv: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean' } }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A required string flag. */
export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An integer flag within bounds, or its default (`undefined` for "not given"). */
export function integer<F extends number | undefined>(values: Record<string, unknown>, name: string, fallback: F, min = 1, max = Number.MAX_SAFE_INTEGER): number | F {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${String(v)}`);
  return n;
}

/** A positive number flag, or its default (`undefined` for "not given"). */
export function number<F extends number | undefined>(values: Record<string, unknown>, name: string, fallback: F): number | F {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got ${String(v)}`);
  return n;
}

/** One of a list of strings, or its default (`undefined` for "not given"). */
export function choice<const T extends readonly string[], F extends T[number] | undefined = T[number]>(values: Record<string, unknown>, name: string, allowed: T, fallback: F): T[number] | F {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  return v;
}
