/**
 * Multi-threaded tfjs `wasm` backend under Node (Node only).
 *
 * tfjs-backend-wasm ships a threaded build (XNNPACK on a pthread pool of Web
 * Workers) but never uses it in Node (tfjs issue 3830): its loader hands the
 * pthread worker script over as a Blob URL, which Node's `worker_threads`
 * cannot start, and its thread count is capped at half the logical cores (a
 * guess at hyper-threading), so a 2-core machine gets 1 thread anyway. The
 * emscripten module itself supports Node. This module loads it with the
 * worker script written to a file, reports the cores so that the cap allows
 * `threads`, registers it as the `wasm` backend (so every wasm kernel,
 * including this library's, applies), and lets idle workers not keep the
 * process alive.
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os'; // the default export is the mutable module object the wasm glue's require('os') sees
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { processListeners, removeAddedListeners } from '../backend/use.js';

/** tfjs-backend-wasm builds its pthread pool with 8 workers: the most threads it can use. */
export const MAX_WASM_THREADS = 8;

interface EmscriptenWorker {
  unref(): void;
}

interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
  tfjs?: Record<string, unknown>;
}

type ThreadedFactory = (config: { locateFile(path: string): string; mainScriptUrlOrBlob: string }) => Promise<ThreadedModule>;

interface WasmPackage {
  BackendWasm: new (module: ThreadedModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/** The pthread worker script, written once per content to the temp directory (atomically). */
function workerScriptFile(contents: string): string {
  // tfjs escapes newlines the same way before it makes its Blob.
  const script = contents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const file = join(os.tmpdir(), `tfjs-unet-wasm-pthread-${hash}.cjs`);
  if (!existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, script);
    renameSync(temp, file);
  }
  return file;
}

/** Runs `load` while `os.cpus()` reports `count` cores (read by the wasm module's static initialisers). */
async function withReportedCores<T>(count: number, load: () => Promise<T>): Promise<T> {
  const mutableOs = os as unknown as { cpus: typeof os.cpus };
  const real = mutableOs.cpus;
  const cores = real();
  mutableOs.cpus = () => Array.from({ length: count }, (_, i) => cores[i % cores.length]!);
  try {
    return await load();
  } finally {
    mutableOs.cpus = real;
  }
}

let loadedThreads: number | undefined;

/**
 * Registers tfjs's threaded wasm build as the `wasm` backend with `threads`
 * XNNPACK threads. Call before the `wasm` backend is first used in the
 * process (an existing `wasm` backend and its tensors are replaced).
 *
 * @returns the number of threads the backend runs.
 */
export async function registerThreadedWasm(threads: number): Promise<number> {
  if (loadedThreads !== undefined) return loadedThreads;
  const require = createRequire(import.meta.url);
  const glue = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const dir = dirname(glue);
  const factory = require(glue) as ThreadedFactory;
  const { wasmWorkerContents } = require(join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  const worker = workerScriptFile(wasmWorkerContents);

  const before = processListeners();
  // tfjs caps the pool at half the reported cores: report twice the threads wanted.
  const module = await withReportedCores(2 * threads, () =>
    factory({ locateFile: (path) => (path.endsWith('.worker.js') ? worker : join(dir, path)), mainScriptUrlOrBlob: glue }),
  );
  removeAddedListeners(before);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmPackage.setThreadsCount(threads);
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () => {
      const backend = new wasmPackage.BackendWasm(module);
      // Pool workers (idle or waiting for XNNPACK work) must not keep Node running.
      for (const w of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) w.unref();
      return backend;
    },
    2,
  );
  loadedThreads = threads;
  return threads;
}
