// Prediction on a real Redis job queue (BullMQ): `predict --queue` and `worker` processes against a
// redis-server started here. Workers write the bytes the single-process `predict` writes; a worker
// killed with SIGKILL mid-job loses nothing; a corrupt image fails its own job only; an unreachable
// Redis fails at once, named. The workers are the built command (tsup, as published: the job runs in
// a worker thread from the bundle's own entry), built here into node_modules/.cache.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, saveModel, unet, writeImage } from '../../src/node/index.js';
import { runCli } from '../helpers/cli.js';
import { rng } from '../helpers/random.js';
import { freePort, REDIS_SERVER, startRedis } from '../helpers/redis.js';

if (REDIS_SERVER === undefined) console.log('queue tests skipped: no redis-server (apt-get install redis-server)');

const ROOT = join(import.meta.dirname, '..', '..');
const BUILT = join(ROOT, 'node_modules', '.cache', 'tfjs-unet-queue-e2e');
const CLI = join(BUILT, 'cli.js');
// tfjs on cpu: the same bytes in every process, however many threads the machine has.
const ENGINE = ['--engine', 'tfjs', '--backend', 'cpu'];

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
  /** Resolves when the output matches `pattern` (or rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves to the exit code. */
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    waiters.forEach((w) => w());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, ms = 120_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`)), ms);
        waiters.push(check);
        check();
      }),
  };
}

async function stop(worker: Running): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  await worker.exited;
}

/** Noise with bright discs, so that the model's masks are not uniform. */
async function writeNoiseImage(path: string, width: number, height: number, seed: number): Promise<void> {
  const random = rng(seed);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(random() * 120);
  for (let k = 0; k < 12; k++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = 8 + random() * 20;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, cy + r); y++)
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, cx + r); x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) data[y * width + x] = 200;
  }
  await writeImage(path, { data, width, height });
}

/** Every file of `a` equals the same file of `b`, byte for byte, and both hold the same names. */
async function expectSameFiles(a: string, b: string): Promise<string[]> {
  const names = (await readdir(a)).filter((n) => !n.startsWith('.')).sort();
  expect((await readdir(b)).filter((n) => !n.startsWith('.')).sort()).toEqual(names);
  for (const name of names) expect(Buffer.compare(await readFile(join(a, name)), await readFile(join(b, name))), name).toBe(0);
  return names;
}

describe.skipIf(REDIS_SERVER === undefined)('predict --queue and worker, on a real Redis', () => {
  let root: string;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let model: string;

  beforeAll(async () => {
    const build = spawnSync('npx', ['tsup', '--out-dir', BUILT, '--no-dts', '--no-sourcemap'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsup failed: ${build.stderr}`);
    // ESM like the package (node_modules/ is outside the package's "type": "module" scope).
    await writeFile(join(BUILT, 'package.json'), '{ "type": "module" }\n');
    root = await mkdtemp(join(tmpdir(), 'tfjs-unet-queue-'));
    redis = await startRedis();
    model = join(root, 'model');
    const spec = unet({ depth: 2, baseFilters: 4 });
    const built = buildModel(spec, { inputSize: 92, seed: 3 });
    await saveModel(built, spec, model);
    built.dispose();
  }, 120_000);

  afterAll(async () => {
    await redis?.stop();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('three workers write the bytes the single-process predict writes', async () => {
    const images = join(root, 'three', 'images');
    await mkdir(images, { recursive: true });
    for (let i = 0; i < 6; i++) await writeNoiseImage(join(images, `img${i}.png`), 160 + 20 * i, 120 + 10 * i, i + 1);
    const reference = await runCli(['predict', '--model', model, '--images', images, '--out', join(root, 'three', 'reference'), '--instances', ...ENGINE]);
    expect(reference.code, reference.err).toBe(0);

    const workers = [0, 1, 2].map(() => start(['worker', '--queue', redis.url, '--queue-name', 'three']));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/waiting for jobs/)));
      const queued = await runCli(['predict', '--queue', redis.url, '--queue-name', 'three', '--model', model, '--images', images, '--out', join(root, 'three', 'queued'), '--instances', ...ENGINE]);
      expect(queued.code, queued.err).toBe(0);
      expect(queued.out).toContain('6 images on');
      expect(queued.out).toMatch(/\[6\/6\]/);
      const names = await expectSameFiles(join(root, 'three', 'reference'), join(root, 'three', 'queued'));
      expect(names).toHaveLength(6 * 4);
      // The jobs were shared out: every job ran on some worker, more than one worker took part.
      const ran = workers.map((w) => (w.output().match(/: done in/g) ?? []).length);
      expect(ran.reduce((a, b) => a + b, 0)).toBe(6);
      expect(ran.filter((n) => n > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(workers.map(stop));
    }
  }, 300_000);

  it('a worker killed with SIGKILL mid-job loses nothing: its job runs again on another worker', async () => {
    const images = join(root, 'kill', 'images');
    await mkdir(images, { recursive: true });
    for (let i = 0; i < 4; i++) await writeNoiseImage(join(images, `big${i}.png`), 700, 700, 20 + i);
    const reference = await runCli(['predict', '--model', model, '--images', images, '--out', join(root, 'kill', 'reference'), ...ENGINE]);
    expect(reference.code, reference.err).toBe(0);

    const first = start(['worker', '--queue', redis.url, '--queue-name', 'kill', '--lock-seconds', '3']);
    await first.waitFor(/waiting for jobs/);
    const enqueue = start(['predict', '--queue', redis.url, '--queue-name', 'kill', '--model', model, '--images', images, '--out', join(root, 'kill', 'queued'), ...ENGINE]);
    let second: Running | undefined;
    try {
      // Killed while its second job computes: the first is done, the second started.
      await first.waitFor(/: done in[\s\S]*job \S+ (\S+): started/);
      const killedImage = first.output().match(/: done in[\s\S]*job \S+ (\S+): started/)![1]!;
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe(null);
      expect(first.output()).not.toMatch(new RegExp(`${killedImage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: done`));
      second = start(['worker', '--queue', redis.url, '--queue-name', 'kill', '--lock-seconds', '3']);
      expect(await enqueue.exited, enqueue.output()).toBe(0);
      // The killed job ran again, on the second worker.
      expect(second.output()).toContain(`${killedImage}: done in`);
      await expectSameFiles(join(root, 'kill', 'reference'), join(root, 'kill', 'queued'));
    } finally {
      first.child.kill('SIGKILL');
      await stop(enqueue);
      if (second !== undefined) await stop(second);
    }
  }, 300_000);

  it('shares a large image out in blocks of rows and assembles the outputs one process writes, instances included', async () => {
    const images = join(root, 'blocks', 'images');
    await mkdir(images, { recursive: true });
    await writeNoiseImage(join(images, 'slide.png'), 260, 530, 31);
    const flags = ['--model', model, '--images', images, '--stream', '--instances', ...ENGINE];
    const reference = await runCli(['predict', ...flags, '--out', join(root, 'blocks', 'reference')]);
    expect(reference.code, reference.err).toBe(0);
    const workers = [0, 1].map(() => start(['worker', '--queue', redis.url, '--queue-name', 'blocks']));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/waiting for jobs/)));
      const queued = await runCli(['predict', '--queue', redis.url, '--queue-name', 'blocks', '--block-rows', '64', ...flags, '--out', join(root, 'blocks', 'queued')]);
      expect(queued.code, queued.err).toBe(0);
      expect(queued.out).toContain('1 image (large ones in 9 blocks of rows) on');
      expect(queued.out).toContain('slide.png: block 9/9 done');
      expect(await expectSameFiles(join(root, 'blocks', 'reference'), join(root, 'blocks', 'queued'))).toEqual(['slide-instances.tif', 'slide-mask.tif', 'slide-probability.tif']);
      // Both workers predicted blocks; the blocks' files are gone.
      for (const w of workers) expect(w.output()).toMatch(/slide\.png rows \d+\.\.\d+: done in/);
      expect((await readdir(join(root, 'blocks', 'queued'), { withFileTypes: true })).filter((e) => e.isDirectory())).toEqual([]);
    } finally {
      await Promise.all(workers.map(stop));
    }
  }, 300_000);

  it('a corrupt image fails its own job, named, while the others finish; the command exits 1', async () => {
    const images = join(root, 'bad', 'images');
    await mkdir(images, { recursive: true });
    await writeNoiseImage(join(images, 'a.png'), 120, 100, 7);
    await writeNoiseImage(join(images, 'c.png'), 130, 90, 8);
    await writeFile(join(images, 'b.png'), Buffer.from('this is not a PNG file'));
    const worker = start(['worker', '--queue', redis.url, '--queue-name', 'bad']);
    try {
      await worker.waitFor(/waiting for jobs/);
      const queued = await runCli(['predict', '--queue', redis.url, '--queue-name', 'bad', '--model', model, '--images', images, '--out', join(root, 'bad', 'out'), ...ENGINE]);
      expect(queued.code).toBe(1);
      expect(queued.out).toMatch(/b\.png: failed: .*`image` must hold PNG, JPEG or TIFF images/);
      expect(queued.out).toMatch(/2 images done, 1 failed in [\d.]+ s: .*b\.png$/m);
      // Failed once, not retried: a file that does not decode fails the same way every time.
      expect(worker.output().match(/b\.png: started/g)).toHaveLength(1);
      expect((await readdir(join(root, 'bad', 'out'))).sort()).toEqual(['a-mask.png', 'a-overlay.png', 'a-probability.png', 'c-mask.png', 'c-overlay.png', 'c-probability.png']);
    } finally {
      await stop(worker);
    }
  }, 300_000);

  it('an unreachable Redis fails at once, naming the URL', async () => {
    // ioredis retries forever by default: without the check, these would hang until the test's timeout.
    const url = `redis://127.0.0.1:${await freePort()}`;
    const queued = await runCli(['predict', '--queue', url, '--model', model, '--images', join(root, 'bad', 'images', 'a.png'), '--out', join(root, 'nowhere')]);
    expect(queued.code).toBe(1);
    expect(queued.err).toContain(`\`queue\` must be a reachable Redis server, and connecting failed`);
    expect(queued.err).toContain(url);
    const worker = start(['worker', '--queue', url]);
    expect(await worker.exited).toBe(1);
    expect(worker.output()).toContain(url);
    const malformed = await runCli(['worker', '--queue', 'http://127.0.0.1:6379']);
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('`queue` must be a Redis URL, redis://HOST:PORT (or rediss:// for TLS)');
  }, 120_000);
});
