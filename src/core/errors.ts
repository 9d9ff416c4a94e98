/**
 * The project's error vocabulary, shared by every room. Messages follow the
 * Keras convention: name the argument in backticks, state the rule, and echo
 * what was received.
 */

/**
 * Thrown when a function argument breaks a rule. Carries the argument's name,
 * the rule and the value received as data.
 *
 * @example
 * ```ts
 * try {
 *   weightMap({ data: new Uint8Array(4), width: 3, height: 2 });
 * } catch (e) {
 *   if (e instanceof ArgumentError) console.log(e.argument); // "labels.data"
 * }
 * ```
 */
export class ArgumentError extends Error {
  /** The argument (option or field path) that broke the rule. */
  readonly argument: string;
  /** The rule that was broken, e.g. "must be a positive integer". */
  readonly rule: string;
  /** The value that was received. */
  readonly received: unknown;

  constructor(argument: string, rule: string, received: unknown) {
    super(`\`${argument}\` ${rule}. Received: ${argument}=${describe(received)}.`);
    this.name = 'ArgumentError';
    this.argument = argument;
    this.rule = rule;
    this.received = received;
  }
}

/** Renders a received value compactly for an error message. */
export function describe(value: unknown): string {
  // Long strings keep their end too: a path's file name is what the reader needs.
  if (typeof value === 'string') return JSON.stringify(value.length > 120 ? `${value.slice(0, 40)}...${value.slice(-77)}` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `array(length ${value.length})`;
  if (typeof value === 'function') return 'function';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

