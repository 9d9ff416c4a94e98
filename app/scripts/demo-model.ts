/**
 * The app's demo model: what `tfjs-unet demo` trains (a depth-3, 16-filter U-Net on synthetic
 * touching cells, 1500 steps, seed 1), with one of its held-out images, written into app/public/demo/
 * (Vite copies the folder into the built app, so the page loads it from its own origin).
 *
 *   npx tsx app/scripts/demo-model.ts
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoCommand } from '../../src/cli/demo.js';

const DEMO = resolve(import.meta.dirname, '..', 'public', 'demo');

const work = await mkdtemp(join(tmpdir(), 'tfjs-unet-demo-model-'));
try {
  const code = await demoCommand(['--out', work, '--steps', '1500', '--size', '128'], console.log);
  if (code !== 0) throw new Error(`tfjs-unet demo exited with ${code}`);
  await rm(DEMO, { recursive: true, force: true });
  await mkdir(DEMO, { recursive: true });
  // The model folder's two files (model.json and its content-named weights), not the run's plan or checkpoints.
  for (const name of await readdir(join(work, 'model'))) {
    if (name === 'model.json' || /^weights-[0-9a-f]{16}\.bin$/.test(name)) await copyFile(join(work, 'model', name), join(DEMO, name));
  }
  await copyFile(join(work, 'data', 'test', 'images', '0.png'), join(DEMO, 'cells.png'));
  console.log(`wrote ${(await readdir(DEMO)).join(', ')} into ${DEMO}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
