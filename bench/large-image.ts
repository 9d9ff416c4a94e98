/**
 * `npm run bench:large-image`: peak memory and throughput of `tfjs-unet predict` on a large tiled
 * TIFF (read and predicted a band of rows at a time, written as tiled BigTIFFs) beside the
 * in-memory path on a 2048 x 2048 image, with the planned network (same padding, depth 4, 16 base
 * filters, batch norm; random weights, which cost what trained ones cost) on ONNX Runtime. Each
 * run is a separate process of the built CLI; its peak resident memory is the process's own
 * (`process.resourceUsage().maxRSS` at exit). A script, not a test.
 *
 *   npx tsx bench/large-image.ts [--size 16384] [--instances]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildModel, openTiffWriter, saveModel, unet, writeImage } from '../src/node/index.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '16384' }, instances: { type: 'boolean', default: false } } });
const size = Number(values.size);
const CLI = resolve(import.meta.dirname, '..', 'dist', 'cli.js');
if (!existsSync(CLI)) throw new Error('bench:large-image runs the built CLI: npm run build first');

const root = await mkdtemp(join(tmpdir(), 'tfjs-unet-bench-large-'));
const model = join(root, 'model');
const spec = unet({ depth: 4, baseFilters: 16, padding: 'same', batchNorm: true });
const built = buildModel(spec, { seed: 1 });
await saveModel(built, spec, model);
built.dispose();

/** Gray texture with bright discs every 64 px, `rows` at a time. */
function rowsOf(width: number, y0: number, rows: number): Uint8Array {
  const out = new Uint8Array(width * rows);
  for (let r = 0; r < rows; r++)
    for (let x = 0; x < width; x++) {
      const y = y0 + r;
      const [dx, dy] = [(x % 64) - 32, (y % 64) - 32];
      out[r * width + x] = dx * dx + dy * dy < 15 * 15 ? 200 + ((x * 7 + y * 13) % 40) : 30 + ((x * 31 + y * 17) % 50);
    }
  return out;
}

// The large input, written a band at a time (a 16k image never sits in this process either).
await mkdir(join(root, 'large'));
const large = join(root, 'large', `slide-${size}.tif`);
const tiff = await openTiffWriter(large, { width: size, height: size, bits: 8, tile: 256 });
for (let y = 0; y < size; y += 256) await tiff.writeRows(y, rowsOf(size, y, Math.min(256, size - y)));
await tiff.close();
await mkdir(join(root, 'small'));
await writeImage(join(root, 'small', 'image-2048.png'), { data: rowsOf(2048, 0, 2048), width: 2048, height: 2048 });

const reporter = join(root, 'max-rss.mjs');
await writeFile(reporter, "process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\\n`));\n");

async function run(images: string, out: string): Promise<{ seconds: number; rssMiB: number }> {
  const began = performance.now();
  const args = ['--import', reporter, CLI, 'predict', '--model', model, '--images', images, '--out', out, '--engine', 'onnx', ...(values.instances ? ['--instances'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`predict failed (${code}): ${err}`);
  const kib = Number(/maxRSS (\d+)/.exec(err)?.[1]);
  return { seconds: (performance.now() - began) / 1000, rssMiB: kib / 1024 };
}

const small = await run(join(root, 'small'), join(root, 'out-small'));
console.log(`in memory, 2048 x 2048 PNG: ${small.seconds.toFixed(1)} s, ${((2048 * 2048) / 1e6 / small.seconds).toFixed(2)} MP/s, peak RSS ${small.rssMiB.toFixed(0)} MiB`);
const streamed = await run(join(root, 'large'), join(root, 'out-large'));
const written = (await stat(join(root, 'out-large', `slide-${size}-mask.tif`))).size;
console.log(
  `in bands, ${size} x ${size} tiled TIFF${values.instances ? ' with instances' : ''}: ${streamed.seconds.toFixed(1)} s, ${((size * size) / 1e6 / streamed.seconds).toFixed(2)} MP/s, peak RSS ${streamed.rssMiB.toFixed(0)} MiB (mask written: ${(written / 2 ** 20).toFixed(1)} MiB)`,
);
await rm(root, { recursive: true, force: true });
