/**
 * The tutorial's pictures and console output (docs/tutorial.md), from a finished training run:
 * the run's training curve, then `predict --instances` and `evaluate` on the test images as a
 * user runs them, and one test image beside its overlay and its objects.
 *
 *   npx tsx scripts/tutorial-pictures.ts --run RUN_DIR --images TEST/images --masks TEST/masks [--name 16] [--out docs/images]
 *
 * The tutorial's run is the benchmark's 10-minute default on ISBI 2012
 * (`npx tsx experiments/benchmark/run.ts --methods planned --datasets em-membranes --minutes 10`,
 * RUN_DIR experiments/benchmark/work/runs/em-membranes/planned-10min-seed1).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { main } from '../src/cli/main.js';
import { trainingCurveSvg } from '../src/cli/render.js';
import { colouredLabels } from './colour-labels.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    images: { type: 'string' },
    masks: { type: 'string' },
    name: { type: 'string', default: '16' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'images') },
  },
});
if (values.run === undefined || values.images === undefined || values.masks === undefined) throw new Error('give --run, --images and --masks');
const work = await mkdtemp(join(tmpdir(), 'tfjs-unet-tutorial-'));

/** Runs a command as a user would, keeping what it prints. */
async function run(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line), (line) => lines.push(line));
  if (code !== 0) throw new Error(`tfjs-unet ${argv.join(' ')} exited ${code}: ${lines.join('\n')}`);
  return lines.join('\n');
}

const metrics = JSON.parse(await readFile(join(values.run, 'metrics.json'), 'utf8'));
const curve = metrics.kind === 'objects' ? 'panopticQuality' : 'randError';
await writeFile(join(values.out, 'tutorial-training-curve.svg'), trainingCurveSvg(metrics.history, metrics.validations, curve, curve === 'randError' ? 'Rand error (ISBI 2012)' : 'panoptic quality'));

const masks = join(work, 'masks');
// As a user runs them (run this on a quiet machine: the output shows the times).
const predicted = await run(['predict', '--model', values.run, '--images', values.images, '--out', masks, '--instances']);
const evaluated = await run(['evaluate', '--model', values.run, '--images', values.images, '--masks', values.masks]);


const name = values.name;
const panels = [await readFile(join(values.images, `${name}.png`)), await readFile(join(masks, `${name}-overlay.png`)), await colouredLabels(join(masks, `${name}-instances.png`))];
const size = (await sharp(panels[0]).metadata()).width!;
const half = Math.round(size / 2);
const gap = 8;
await sharp({ create: { width: 3 * half + 2 * gap, height: half, channels: 3, background: 'white' } })
  .composite(await Promise.all(panels.map(async (panel, i) => ({ input: await sharp(panel).toColourspace('srgb').resize(half).png().toBuffer(), left: i * (half + gap), top: 0 }))))
  .png()
  .toFile(join(values.out, 'tutorial-prediction.png'));
console.log(`== predict\n${predicted}\n\n== evaluate\n${evaluated}\n\nwrote ${values.out}/tutorial-training-curve.svg and tutorial-prediction.png`);
