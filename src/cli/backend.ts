/** Backend selection for the CLI: `--backend`, or the best one installed. */
import { BACKENDS, type BackendName } from '../backend/use.js';
import { chooseBackend } from '../node/predict-files.js';
import { choice, integer } from './args.js';

/**
 * Uses `--backend`, else tfjs-node(-gpu) when installed, else wasm when
 * installed (multi-threaded: `--threads`, default all cores), else cpu.
 * Returns the name.
 */
export function selectBackend(values: Record<string, unknown>): Promise<BackendName> {
  const name = values.backend === undefined ? undefined : choice(values, 'backend', BACKENDS, 'wasm');
  return chooseBackend(name, values.threads === undefined ? undefined : integer(values, 'threads', 1));
}
