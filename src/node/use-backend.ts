/**
 * `useBackend` for Node: as the browser-safe one, plus a multi-threaded
 * `wasm` backend (see `wasm-threads.ts`).
 */
import { availableParallelism } from 'node:os';
import { ArgumentError } from '../core/errors.js';
import { useBackend as useBackendAnywhere, type BackendName } from '../backend/use.js';
import { MAX_WASM_THREADS, registerThreadedWasm } from './wasm-threads.js';

/** Options of `useBackend` from `tfjs-unet/node`. */
export interface NodeBackendOptions {
  /**
   * `wasm` only: XNNPACK threads, from tfjs's threaded wasm build (which tfjs
   * itself never uses under Node). Default: the available cores, at most 8;
   * `1` selects the single-threaded build. The first `wasm` selection in a
   * process decides. If the threaded build cannot start (no writable temp
   * directory for its worker script, no worker threads), the default falls
   * back to the single-threaded build and an explicit count is an error.
   */
  readonly threads?: number;
}

/**
 * Loads and selects a tfjs backend like `useBackend` from `tfjs-unet`; on
 * Node the `wasm` backend runs multi-threaded (a 3x3 convolution at
 * 250x250x32 takes about 0.6x the single-thread time on 2 cores).
 *
 * @param name - `'cpu'`, `'wasm'` or `'tensorflow'`.
 * @param options - `threads` for wasm.
 * @returns the package that provided the backend.
 * @throws {@link ArgumentError} for a bad thread count; Error with an install hint when the backend's package is missing.
 * @example
 * ```ts
 * import { useBackend } from 'tfjs-unet/node';
 * await useBackend('wasm');                 // all cores (up to 8)
 * await useBackend('wasm', { threads: 1 }); // tfjs's single-threaded build
 * ```
 */
export async function useBackend(name: BackendName, options: NodeBackendOptions = {}): Promise<string> {
  if (name === 'wasm') {
    const threads = options.threads ?? Math.min(availableParallelism(), MAX_WASM_THREADS);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
      throw new ArgumentError('threads', `must be an integer from 1 to ${MAX_WASM_THREADS}`, threads);
    }
    if (threads > 1) {
      try {
        await registerThreadedWasm(threads);
      } catch (error) {
        // A missing package is reported with its install hint below. Otherwise the threaded build could
        // not start here (no writable temp directory, no worker threads): an explicit thread count is an
        // error, the default falls back to tfjs's single-threaded build.
        const code = (error as { code?: unknown }).code;
        const missing = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
        if (!missing && options.threads !== undefined) throw new Error(`tfjs-unet: the threaded wasm backend could not start (${(error as Error).message}); use { threads: 1 }`);
      }
    }
  }
  return useBackendAnywhere(name);
}
