/** Backend selection for the CLI: `--backend`, or the best one installed. */
import { BACKENDS, type BackendName } from '../backend/use.js';
import { useBackend } from '../node/use-backend.js';
import { choice, integer } from './args.js';

/**
 * Uses `--backend`, else tfjs-node(-gpu) when installed, else wasm when
 * installed (multi-threaded: `--threads`, default all cores), else cpu.
 * Returns the name.
 */
export async function selectBackend(values: Record<string, unknown>): Promise<BackendName> {
  if (values.backend !== undefined) {
    const name = choice(values, 'backend', BACKENDS, 'wasm');
    await useBackend(name, values.threads === undefined ? {} : { threads: integer(values, 'threads', 1) });
    return name;
  }
  for (const name of ['tensorflow', 'wasm'] as const) {
    try {
      await useBackend(name, values.threads === undefined ? {} : { threads: integer(values, 'threads', 1) });
      return name;
    } catch {
      // not installed: try the next one
    }
  }
  await useBackend('cpu');
  return 'cpu';
}
