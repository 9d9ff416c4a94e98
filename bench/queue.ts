/**
 * `npm run bench:queue`: prediction on the Redis job queue against one process. Twelve 512x512
 * images with the planned network (same padding, depth 4, 16 base filters, batch norm; random
 * weights, which cost what trained ones cost) on ONNX Runtime: one process predicting them in turn
 * (`predictImageFile`), then `predictOnQueue` with 1, 2 and 3 `tfjs-unet worker` processes (one job
 * at a time each). Per job it reports the worker's own time (read, predict, write) and the queue's
 * overhead: the wall time per job of one worker minus the worker's time per job. Needs
 * `redis-server` and the built CLI (`npm run build`). A script, not a test.
 *
 *   npx tsx bench/queue.ts [--images 12] [--size 512] [--threads 2]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildModel, openPredictor, predictImageFile, predictOnQueue, saveModel, unet, writeImage } from '../src/node/index.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '12' }, size: { type: 'string', default: '512' }, threads: { type: 'string' } } });
const count = Number(values.images);
const size = Number(values.size);
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');
if (!existsSync(CLI)) throw new Error('bench:queue runs the built CLI: npm run build first');
if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('bench:queue needs redis-server (apt-get install redis-server)');

const port = await new Promise<number>((done) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = server.address() as { port: number };
    server.close(() => done(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ready) => redis.stdout!.on('data', (c: Buffer) => c.toString().includes('Ready to accept connections') && ready()));
const url = `redis://127.0.0.1:${port}`;

const root = await mkdtemp(join(tmpdir(), 'tfjs-unet-bench-queue-'));
const model = join(root, 'model');
const spec = unet({ depth: 4, baseFilters: 16, padding: 'same', batchNorm: true });
const built = buildModel(spec, { seed: 1 });
await saveModel(built, spec, model);
built.dispose();
const images = join(root, 'images');
await mkdir(images);
for (let i = 0; i < count; i++) await writeImage(join(images, `${i}.png`), { data: Uint8Array.from({ length: size * size }, (_, j) => (j * 7919 + i * 104729) % 256), width: size, height: size });
const files = Array.from({ length: count }, (_, i) => join(images, `${i}.png`));
const threads = values.threads === undefined ? undefined : Number(values.threads);

// One process, the images in turn (the model opened once, as a worker does).
const predictor = await openPredictor({ model, engine: 'onnx', ...(threads === undefined ? {} : { threads }) });
await predictImageFile(predictor, files[0]!, join(root, 'warm-up'));
let began = performance.now();
let own = 0;
for (const file of files) own += (await predictImageFile(predictor, file, join(root, 'single'))).seconds;
const single = (performance.now() - began) / 1000;
await predictor.dispose();
console.log(`${count} images of ${size}x${size}, ${availableParallelism()} cores, ONNX Runtime${threads === undefined ? '' : ` on ${threads} threads`}`);
console.log(`one process:  ${single.toFixed(1)} s, ${(single / count).toFixed(2)} s per image (of which predict and write ${(own / count).toFixed(2)} s)`);

const workerArgs = ['worker', '--queue', url, ...(threads === undefined ? [] : ['--threads', String(threads)])];
for (const workers of [1, 2, 3]) {
  const children: ChildProcess[] = [];
  for (let w = 0; w < workers; w++) {
    const child = spawn(process.execPath, [CLI, ...workerArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((ready) => child.stdout!.on('data', (c: Buffer) => c.toString().includes('waiting for jobs') && ready()));
  }
  // A first round opens the model in every worker thread; the timed round runs on warm workers.
  await predictOnQueue(files.slice(0, workers), join(root, `warm-${workers}`), { queue: url, predictor: { model, engine: 'onnx' } });
  began = performance.now();
  const run = await predictOnQueue(files, join(root, `queued-${workers}`), { queue: url, predictor: { model, engine: 'onnx' } });
  const wall = (performance.now() - began) / 1000;
  const worked = run.done.reduce((s, d) => s + d.seconds, 0) / run.done.length;
  const overhead = workers === 1 ? `, queue overhead ${((wall / count - worked) * 1000).toFixed(0)} ms per job (reading the image included)` : '';
  console.log(`${workers} worker${workers > 1 ? 's' : ' '}:    ${wall.toFixed(1)} s, ${(wall / count).toFixed(2)} s per image, ${(single / wall).toFixed(2)}x one process (jobs' own time ${worked.toFixed(2)} s${overhead}), ${run.failed.length} failed`);
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((done) => c.once('exit', done))));
}
redis.kill('SIGTERM');
await rm(root, { recursive: true, force: true });
