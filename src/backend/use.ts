/**
 * Selecting a tfjs backend: the consumer plugs it in, this loads it on
 * request, registers this project's kernels for it, and waits for it.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/errors.js';
import { registerKernels } from './kernels.js';

/** Backends {@link useBackend} can select. `'tensorflow'` is libtensorflow via tfjs-node or tfjs-node-gpu. */
export const BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;
/** @see {@link BACKENDS} */
export type BackendName = (typeof BACKENDS)[number];

const PACKAGE_HINTS: Record<Exclude<BackendName, 'cpu'>, string> = {
  wasm: 'npm install @tensorflow/tfjs-backend-wasm@^4.22.0',
  tensorflow:
    'npm install @tensorflow/tfjs-node@^4.22.0 (CPU) or @tensorflow/tfjs-node-gpu@^4.22.0 (CUDA 11.2 + cuDNN 8.1); their install step downloads libtensorflow, see docs/backends.md for offline installs',
};

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String(error));
}

async function importFirst(names: readonly string[]): Promise<string> {
  let last: unknown;
  for (const name of names) {
    try {
      await import(/* @vite-ignore */ name);
      return name;
    } catch (error) {
      if (!isMissingModule(error)) throw error;
      last = error;
    }
  }
  throw last;
}

/**
 * Loads the named tfjs backend, registers this library's extra kernels for
 * it (a fast filter gradient on `cpu`, the missing one on `wasm`), and makes
 * it the active backend. Backend packages are optional peers, imported only
 * here; a missing one fails with the install command.
 *
 * @param name - `'cpu'`, `'wasm'` or `'tensorflow'` (tfjs-node-gpu if installed, else tfjs-node).
 * @returns the package that provided the backend (`'@tensorflow/tfjs'` for cpu).
 * @throws Error with an install hint when the backend's package is missing.
 * @example
 * ```ts
 * await useBackend('wasm'); // npm install @tensorflow/tfjs-backend-wasm
 * ```
 */
export async function useBackend(name: BackendName): Promise<string> {
  if (!BACKENDS.includes(name)) throw new ArgumentError('name', `must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}`, name);
  let provider = '@tensorflow/tfjs';
  if (name !== 'cpu') {
    const candidates = name === 'wasm' ? ['@tensorflow/tfjs-backend-wasm'] : ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
    try {
      provider = await importFirst(candidates);
    } catch (error) {
      if (isMissingModule(error)) throw new Error(`The '${name}' backend needs ${candidates.join(' or ')}: ${PACKAGE_HINTS[name]}.`);
      throw new Error(`Loading the '${name}' backend failed: ${(error as Error).message} (see docs/backends.md)`);
    }
  }
  registerKernels(name);
  const before = processListeners();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the '${name}' backend (see docs/backends.md)`);
  await tf.ready();
  if (name === 'wasm') removeAddedListeners(before);
  return provider;
}

type ProcessLike = {
  listeners(event: string): ((...args: unknown[]) => void)[];
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
};
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

function processLike(): ProcessLike | undefined {
  const p = (globalThis as { process?: Partial<ProcessLike> }).process;
  return typeof p?.listeners === 'function' && typeof p.removeListener === 'function' ? (p as ProcessLike) : undefined;
}

export function processListeners(): Map<string, ((...args: unknown[]) => void)[]> {
  const p = processLike();
  return new Map(EVENTS.map((e) => [e, p?.listeners(e) ?? []]));
}

/**
 * The wasm module (emscripten) installs process handlers that rethrow every
 * uncaught error, so Node prints a line of its minified source instead of
 * the error. Remove the handlers it added, restoring Node's own reporting.
 */
export function removeAddedListeners(before: Map<string, ((...args: unknown[]) => void)[]>): void {
  const p = processLike();
  if (p === undefined) return;
  for (const event of EVENTS) {
    for (const listener of p.listeners(event)) if (!before.get(event)!.includes(listener)) p.removeListener(event, listener);
  }
}
