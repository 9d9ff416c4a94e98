/**
 * The planner's measured step times, kept in one file per user so that a
 * second plan on the same machine does not time the same networks again.
 * Entries are valid for one library version on one machine (CPU model and
 * count, memory, platform, Node, tfjs and the engine's runtime); others are
 * dropped when the file is written.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus, homedir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { StepTimeCache } from '../plan/planner.js';
import { writeFileAtomic } from './atomic.js';

declare const __TFJS_UNET_VERSION__: string | undefined;

/** This library's version (from package.json at build time; `'development'` when run from source). */
export const LIBRARY_VERSION: string = typeof __TFJS_UNET_VERSION__ === 'string' ? __TFJS_UNET_VERSION__ : 'development';

/**
 * The file step times are kept in: `$TFJS_UNET_CACHE/step-times.json`, else
 * `$XDG_CACHE_HOME/tfjs-unet/step-times.json`, else `~/.cache/tfjs-unet/step-times.json`.
 *
 * @example
 * ```ts
 * stepTimesFile(); // '/home/me/.cache/tfjs-unet/step-times.json'
 * ```
 */
export function stepTimesFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TFJS_UNET_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfjs-unet');
  return join(dir, 'step-times.json');
}

/**
 * What a step time is valid for besides the network: this library, the machine and the runtimes.
 *
 * @example
 * ```ts
 * machineSignature('onnxruntime-node 1.30.0'); // 'tfjs-unet 0.1.0 | AMD EPYC ... x2 | 24 GiB | linux-x64 | node 20.20.2 | tfjs 4.22.0 | onnxruntime-node 1.30.0'
 * ```
 */
export function machineSignature(runtime = ''): string {
  const cores = cpus();
  return [
    `tfjs-unet ${LIBRARY_VERSION}`,
    `${cores[0]?.model.trim() ?? 'cpu'} x${cores.length}`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `${process.platform}-${process.arch}`,
    `node ${process.versions.node}`,
    `tfjs ${tf.version.tfjs}`,
    ...(runtime === '' ? [] : [runtime]),
  ].join(' | ');
}

/** A {@link StepTimeCache} backed by a file, with `save()` to write what was measured. */
export interface FileStepTimes extends StepTimeCache {
  /** Writes the entries of this machine (crash-safely), dropping those of other versions or machines. */
  save(): Promise<void>;
  readonly path: string;
}

/**
 * Step times of this machine from `path` (missing or unreadable: none).
 *
 * @example
 * ```ts
 * const cache = fileStepTimes();
 * const { plan } = await planTraining(images, labels, 10, { cache });
 * await cache.save();
 * ```
 */
export function fileStepTimes(path = stepTimesFile(), signature = machineSignature()): FileStepTimes {
  let entries: Record<string, number> = {};
  if (existsSync(path)) {
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as { machine?: string; entries?: Record<string, number> };
      if (stored.machine === signature && typeof stored.entries === 'object' && stored.entries !== null) entries = stored.entries;
    } catch {
      // A torn or foreign file is a cache miss, never an error.
    }
  }
  let changed = false;
  return {
    path,
    get: (key) => {
      const seconds = entries[key];
      return typeof seconds === 'number' && seconds > 0 ? seconds : undefined;
    },
    set: (key, seconds) => {
      entries = { ...entries, [key]: seconds };
      changed = true;
    },
    async save() {
      if (!changed) return;
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify({ machine: signature, entries }, null, 1)}\n`);
      changed = false;
    },
  };
}
