/** `tfjs-unet worker`: runs the prediction jobs of a Redis queue (`predict --queue`). */
import { startWorker, type WorkerEvent } from '../node/queue.js';
import { integer, number, parse, required } from './args.js';

export const WORKER_HELP = `Usage: tfjs-unet worker --queue redis://HOST:PORT [--queue-name NAME] [--concurrency N] [--threads N] [--lock-seconds S]

Runs the jobs 'tfjs-unet predict --queue' puts on a Redis queue (BullMQ) until stopped (Ctrl-C or
SIGTERM: the running jobs finish first). Start any number, on any machines that see the images,
models and output folder at the same paths. Each job predicts one image into the files predict
writes, each written whole or not at all, the same bytes every time, so a job run twice is harmless.

  --queue URL          the Redis server (redis://[user:password@]HOST:PORT[/DB], rediss:// for TLS)
  --queue-name NAME    the queue (default tfjs-unet), to share one Redis between projects
  --concurrency N      jobs at once, each in its own thread (default 1)
  --threads N          ONNX Runtime (or wasm) threads per job (default: cores / concurrency)
  --lock-seconds S     a job's lock, renewed every S/2 while it runs; if this worker dies, another
                       runs its job again after about 2 S (default 30)`;

export async function workerCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, 'lock-seconds': { type: 'string' } });
  if (values.help === true) return print(WORKER_HELP), 0;
  const queue = required(values, 'queue');
  const name = typeof values['queue-name'] === 'string' ? values['queue-name'] : undefined;
  const concurrency = integer(values, 'concurrency', 1);
  const threads = integer(values, 'threads', undefined);
  const lockSeconds = number(values, 'lock-seconds', 30);
  const onEvent = (event: WorkerEvent) => {
    if (event.kind === 'active') print(`job ${event.id} ${event.job}: started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
    else if (event.kind === 'done') print(`job ${event.id} ${event.job}: done in ${event.result.seconds.toFixed(2)} s${event.result.objects === undefined ? '' : `, ${event.result.objects} objects`}`);
    else if (event.kind === 'failed') print(`job ${event.id} ${event.job}: failed${event.final ? '' : ' (will be retried)'}: ${event.error}`);
    else print(`worker: ${event.error}`);
  };
  const worker = await startWorker({ queue, ...(name === undefined ? {} : { name }), concurrency, ...(threads === undefined ? {} : { threads }), lockSeconds, onEvent });
  print(`worker: waiting for jobs on ${queue} (queue ${name ?? 'tfjs-unet'}, ${concurrency} at once)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      print('worker: stopping after the running jobs');
      void worker.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
