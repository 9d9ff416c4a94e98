/**
 * Prediction on a Redis job queue (BullMQ): one job per image, run by any number of workers on any
 * machine that sees the same files. BullMQ gives at-least-once delivery, retries with backoff and
 * the recovery of a job whose worker died (its lock expires and another worker runs it again);
 * outputs are written whole or not at all and are the same bytes on every run, so a job run twice
 * is harmless.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { ArgumentError } from '../core/errors.js';
import { importOptional } from './optional.js';
import { isLargeTiff, largeImageSize } from './large-images.js';
import type { PredictedFile, PredictFileOptions, PredictorOptions } from './predict-files.js';
import { isZarrPath } from './zarr-images.js';

/** The queue name jobs go to when none is given. */
export const DEFAULT_QUEUE_NAME = 'tfjs-unet';

/**
 * What one job asks a worker to do: predict `image` into `out` (absolute paths, as every worker
 * sees them); for a large image, one block of its rows (`block`), or the outputs assembled from
 * its blocks once all are done (`assemble`, the parent job of the blocks).
 */
export interface PredictJobData {
  readonly image: string;
  readonly out: string;
  readonly predictor: PredictorOptions;
  readonly options: PredictFileOptions;
  readonly block?: { readonly from: number; readonly to: number };
  readonly assemble?: { readonly blocks: readonly (readonly [number, number])[] };
}

/** Where the queue is: a Redis URL and the queue's name. */
export interface QueueLocation {
  /** `redis://[user:password@]HOST:PORT[/DB]`, or `rediss://` for TLS. */
  readonly queue: string;
  /** The queue's name, so that several projects can share one Redis. Default {@link DEFAULT_QUEUE_NAME}. */
  readonly name?: string;
}

/** Options of {@link predictOnQueue}. */
export interface QueuePredictOptions extends QueueLocation {
  /** The model and engine every worker opens (a model path is made absolute). */
  readonly predictor: PredictorOptions;
  /** How each image is predicted and which files it gives. */
  readonly files?: PredictFileOptions;
  /** Tries per job before it fails (a bad input fails at once). Default 3, with exponential backoff from 1 s. */
  readonly attempts?: number;
  /**
   * Rows per job of a large image (a TIFF over `STREAM_PIXELS` pixels, an OME-Zarr folder, or any
   * image with `files.stream`): its blocks are predicted by any workers, then one job assembles
   * the outputs, equal to one worker's. Default 2048.
   */
  readonly blockRows?: number;
  /** Called as jobs are queued and finish. */
  readonly onEvent?: (event: QueueEvent) => void;
}

/** A job of {@link predictOnQueue} that finished, well or not. */
export type QueueEvent =
  | { readonly kind: 'queued'; readonly total: number; readonly blocks: number }
  | { readonly kind: 'block'; readonly image: string; readonly done: number; readonly blocks: number }
  | { readonly kind: 'done'; readonly image: string; readonly result: PredictedFile; readonly finished: number; readonly total: number }
  | { readonly kind: 'failed'; readonly image: string; readonly error: string; readonly finished: number; readonly total: number };

/** What {@link predictOnQueue} got back: every image once, done or failed. */
export interface QueueRun {
  readonly done: readonly PredictedFile[];
  readonly failed: readonly { readonly image: string; readonly error: string }[];
}

/** Options of {@link startWorker}. */
export interface WorkerOptions extends QueueLocation {
  /** Jobs run at once, each in its own worker thread. Default 1. */
  readonly concurrency?: number;
  /** ONNX Runtime's (or wasm's) threads per job. Default: the cores divided by `concurrency`. */
  readonly threads?: number;
  /**
   * How long a job's lock lasts without renewal, in seconds; a worker renews it every half of this
   * while the job runs (its thread keeps the event loop free). When a worker dies, its job is run
   * again by another worker after about twice this. Default 30.
   */
  readonly lockSeconds?: number;
  /** Called as jobs start and finish. */
  readonly onEvent?: (event: WorkerEvent) => void;
}

/** A job a worker started or finished (`job`: its name, the image and, for a block, its rows). */
export type WorkerEvent =
  | { readonly kind: 'active'; readonly id: string; readonly job: string; readonly image: string; readonly attempt: number }
  | { readonly kind: 'done'; readonly id: string; readonly job: string; readonly image: string; readonly result: PredictedFile }
  | { readonly kind: 'failed'; readonly id: string; readonly job: string; readonly image: string; readonly error: string; readonly final: boolean }
  | { readonly kind: 'error'; readonly error: string };

/** A running worker: {@link startWorker}. */
export interface PredictionWorker {
  /** Lets the running jobs finish, then stops taking jobs and disconnects. */
  close(): Promise<void>;
}

type BullMq = typeof import('bullmq');
type IoRedis = typeof import('ioredis');

const HINT = 'npm install bullmq ioredis (and a Redis server: see docs/scale.md)';

/** BullMQ's connection options for a Redis URL. */
export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: Record<string, never> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ArgumentError('queue', 'must be a Redis URL, redis://HOST:PORT', url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ArgumentError('queue', 'must be a Redis URL, redis://HOST:PORT (or rediss:// for TLS)', url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new ArgumentError('queue', 'must name a database by its number, redis://HOST:PORT/DB', url);
  return {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Connects once without retrying, so an unreachable Redis fails at once with its URL. */
async function checkReachable(url: string): Promise<ReturnType<typeof redisConnection>> {
  const connection = redisConnection(url);
  const { Redis } = await importOptional<IoRedis>('ioredis', 'the job queue', HINT);
  const client = new Redis({ ...connection, lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new ArgumentError('queue', `must be a reachable Redis server, and connecting failed (${(error as Error).message || String(error)})`, url);
  } finally {
    client.disconnect();
  }
  return connection;
}

/** A job's readable name: its image. */
const jobName = (data: PredictJobData) => data.image;

/**
 * Predicts `images` on the queue's workers into `out` and waits for every job: each image is one
 * job (retried up to `attempts` times; a file that does not decode fails at once), a large image
 * one job per block of `blockRows` rows, which any workers run, and one more that assembles its
 * outputs (equal to those of one worker). Resolves when all images have finished, with the images
 * done and those that failed and why.
 *
 * @param images - image files, as paths every worker can read (made absolute here).
 * @param out - the folder outputs go to, as every worker sees it.
 * @throws {@link ArgumentError} naming `queue` when the URL is not Redis or the server cannot be reached.
 * @example
 * ```ts
 * const run = await predictOnQueue(['/data/a.png', '/data/b.png'], '/data/predictions', {
 *   queue: 'redis://127.0.0.1:6379',
 *   predictor: { model: '/models/cells' },
 *   files: { instances: true },
 * });
 * if (run.failed.length > 0) console.error(run.failed);
 * ```
 */
export async function predictOnQueue(images: readonly string[], out: string, options: QueuePredictOptions): Promise<QueueRun> {
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new ArgumentError('attempts', 'must be a positive integer', attempts);
  const blockRows = options.blockRows ?? 2048;
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new ArgumentError('blockRows', 'must be a positive integer', blockRows);
  const connection = await checkReachable(options.queue);
  const bull = await importOptional<BullMq>('bullmq', 'the job queue', HINT);
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  // A model given by path travels as an absolute path; a ready-made model's name as it is.
  const model = existsSync(options.predictor.model) ? resolve(options.predictor.model) : options.predictor.model;
  const files = options.files ?? {};
  const data: PredictJobData[] = images.map((image) => ({ image: resolve(image), out: resolve(out), predictor: { ...options.predictor, model }, options: files }));
  // Large images in blocks of rows: [from, to) each, or none for one job.
  const blocks: (readonly [number, number])[][] = [];
  for (const d of data) {
    const large = files.stream !== false && (isZarrPath(d.image) || files.stream === true || (await isLargeTiff(d.image)));
    // An image that does not open goes as one job, which fails naming it.
    const height = large ? await largeImageSize(d.image).then((size) => size.height, () => 0) : 0;
    blocks.push(height > blockRows ? Array.from({ length: Math.ceil(height / blockRows) }, (_, j) => [j * blockRows, Math.min(height, (j + 1) * blockRows)] as const) : []);
  }
  const run = randomBytes(6).toString('hex');
  const ids = data.map((_, i) => `${run}-${i}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  // Blocks: which image, and why one failed (its image's job fails after it).
  const blockOf = new Map<string, number>(blocks.flatMap((list, i) => list.map((_, j) => [`${ids[i]}-b${j}`, i] as const)));
  const blocksDone = blocks.map(() => 0);
  const blockFailures = new Map<number, string>();
  const queue: Queue = new bull.Queue(name, { connection });
  const flows = new bull.FlowProducer({ connection });
  // Events from the start of the stream, so that no job can finish before it is listened for.
  const events: QueueEvents = new bull.QueueEvents(name, { connection, lastEventId: '0-0' });
  const done: PredictedFile[] = [];
  const failed: { image: string; error: string }[] = [];
  const settled = new Set<string>();
  const jobOptions = { attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
  try {
    const finished = new Promise<void>((resolveAll) => {
      const settle = (id: string, result: { value: PredictedFile } | { error: string }) => {
        const i = index.get(id);
        if (i === undefined || settled.has(id)) return;
        settled.add(id);
        const image = data[i]!.image;
        if ('value' in result) {
          done.push(result.value);
          options.onEvent?.({ kind: 'done', image, result: result.value, finished: settled.size, total: data.length });
        } else {
          const error = blockFailures.get(i) ?? result.error;
          failed.push({ image, error });
          options.onEvent?.({ kind: 'failed', image, error, finished: settled.size, total: data.length });
        }
        if (settled.size === data.length) resolveAll();
      };
      events.on('completed', ({ jobId, returnvalue }) => {
        const i = blockOf.get(jobId);
        if (i !== undefined) {
          blocksDone[i]!++;
          options.onEvent?.({ kind: 'block', image: data[i]!.image, done: blocksDone[i]!, blocks: blocks[i]!.length });
          return;
        }
        settle(jobId, { value: (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as PredictedFile });
      });
      events.on('failed', ({ jobId, failedReason }) => {
        const i = blockOf.get(jobId);
        if (i !== undefined) blockFailures.set(i, failedReason);
        else settle(jobId, { error: failedReason });
      });
      if (data.length === 0) resolveAll();
    });
    await events.waitUntilReady();
    const single = data.flatMap((d, i) => (blocks[i]!.length === 0 ? [{ name: jobName(d), data: d, opts: { jobId: ids[i]!, ...jobOptions } }] : []));
    if (single.length > 0) await queue.addBulk(single);
    for (const [i, list] of blocks.entries()) {
      if (list.length === 0) continue;
      const d = data[i]!;
      await flows.add({
        name: jobName(d),
        queueName: name,
        data: { ...d, assemble: { blocks: list } } satisfies PredictJobData,
        opts: { jobId: ids[i]!, ...jobOptions },
        children: list.map(([from, to], j) => ({
          name: `${jobName(d)} rows ${from}..${to - 1}`,
          queueName: name,
          data: { ...d, block: { from, to } } satisfies PredictJobData,
          opts: { jobId: `${ids[i]}-b${j}`, ...jobOptions, failParentOnFailure: true },
        })),
      });
    }
    options.onEvent?.({ kind: 'queued', total: data.length, blocks: blocks.reduce((n, list) => n + list.length, 0) });
    await finished;
  } finally {
    await Promise.allSettled([events.close(), queue.close(), flows.close()]);
  }
  // In the order the images were given.
  const order = new Map(data.map((d, i) => [d.image, i]));
  done.sort((a, b) => order.get(a.image)! - order.get(b.image)!);
  failed.sort((a, b) => order.get(a.image)! - order.get(b.image)!);
  return { done, failed };
}

/** The sandboxed processor beside this module: `.ts` in the sources, `.js`/`.cjs` when built. */
function processorFile(): string {
  const here = import.meta.url;
  const extension = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js';
  return fileURLToPath(new URL(`./queue-processor${extension}`, here));
}

/**
 * Starts a worker that runs the queue's prediction jobs until closed. Each job runs in a worker
 * thread (BullMQ's sandboxed processor), so the worker's own event loop stays free to renew the
 * job's lock however long a tile takes; the model is opened once per thread and kept for the next
 * jobs. A job whose file does not decode fails at once without retries.
 *
 * @throws {@link ArgumentError} naming `queue` when the URL is not Redis or the server cannot be reached.
 * @example
 * ```ts
 * const worker = await startWorker({ queue: 'redis://127.0.0.1:6379', concurrency: 2 });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export async function startWorker(options: WorkerOptions): Promise<PredictionWorker> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ArgumentError('concurrency', 'must be a positive integer', concurrency);
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  if (!Number.isInteger(threads) || threads < 1) throw new ArgumentError('threads', 'must be a positive integer', threads);
  const lockSeconds = options.lockSeconds ?? 30;
  if (!(lockSeconds >= 1)) throw new ArgumentError('lockSeconds', 'must be at least 1 (seconds)', lockSeconds);
  const connection = await checkReachable(options.queue);
  const bull = await importOptional<BullMq>('bullmq', 'the job queue', HINT);
  const processor = processorFile();
  // Built: worker threads. From the TypeScript sources (tsx), child processes: tsx's loader reaches a
  // forked process through its flags, but not a worker thread.
  const threaded = !processor.endsWith('.ts');
  const worker: Worker<PredictJobData, PredictedFile> = new bull.Worker(options.name ?? DEFAULT_QUEUE_NAME, processor, {
    connection: { ...connection, maxRetriesPerRequest: null },
    concurrency,
    useWorkerThreads: threaded,
    ...(threaded ? { workerThreadsOptions: { workerData: { threads } } } : { workerForkOptions: { env: { ...process.env, TFJS_UNET_WORKER_THREADS: String(threads) } } }),
    lockDuration: lockSeconds * 1000,
    stalledInterval: lockSeconds * 1000,
    maxStalledCount: 2,
  });
  const image = (job: Job<PredictJobData> | undefined) => job?.data.image ?? '?';
  worker.on('active', (job) => options.onEvent?.({ kind: 'active', id: job.id ?? '?', job: job.name, image: image(job), attempt: job.attemptsMade + 1 }));
  worker.on('completed', (job, result) => options.onEvent?.({ kind: 'done', id: job.id ?? '?', job: job.name, image: image(job), result }));
  worker.on('failed', (job, error) =>
    options.onEvent?.({ kind: 'failed', id: job?.id ?? '?', job: job?.name ?? '?', image: image(job), error: error.message, final: job === undefined || job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError' }),
  );
  // Connection trouble (retried by ioredis) and the like: reported, not a job's failure.
  worker.on('error', (error) => options.onEvent?.({ kind: 'error', error: error.message }));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
