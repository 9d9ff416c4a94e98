import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import * as tf from '@tensorflow/tfjs';
import { fileCheckpoints, writeImage } from '../../src/node/index.js';

const MODELS = join(import.meta.dirname, '..', '..', 'models');

// tfjs's IS_TEST leak check counts the wasm backend's own temporary buffers in fused kernels as leaks.
tf.env().set('IS_TEST', false);

const run = runCli;

describe('tfjs-unet CLI', () => {
  it('tiles: valid sizes, output, input, JSON, and exit codes', async () => {
    const sizes = await run(['tiles', '--min', '180', '--max', '210']);
    expect(sizes.code).toBe(0);
    expect(sizes.out).toContain('input 188 -> output 4');
    expect(sizes.out).toContain('input 204 -> output 20');
    expect(sizes.out).toContain('margin 92 px per side');
    const bad = await run(['tiles', '--input', '512']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('Nearest valid input tile sizes: 508 (below) and 524 (above).');
    const json = JSON.parse((await run(['tiles', '--output', '388', '--json'])).out);
    expect(json).toMatchObject({ input: 572, output: 388, margin: 92, alignment: 16 });
    const same = JSON.parse((await run(['tiles', '--padding', 'same', '--depth', '3', '--max', '32', '--json'])).out);
    expect(same.validInputSizes.map((s: { input: number }) => s.input)).toEqual([8, 16, 24, 32]);
  });

  it('usage errors exit 2 with the command help; --help exits 0', async () => {
    const unknownFlag = await run(['tiles', '--depht', '3']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err).toContain("Unknown option '--depht'");
    expect(unknownFlag.err).toContain('Usage: tfjs-unet tiles');
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['train', '--help'])).code).toBe(0);
    const missing = await run(['train', '--images', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--out is required');
    const noData = await run(['train', '--images', '/nonexistent', '--masks', '/nonexistent', '--out', '/tmp/x']);
    expect(noData.code).toBe(1);
    expect(noData.err).toBe('tfjs-unet train: `images` must be a folder of images or an image file, and nothing exists at this path. Received: images="/nonexistent".');
  });

  it('demo, then predict and evaluate with the model it trained', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-unet-demo-'));
    const demo = await run(['demo', '--out', out, '--steps', '4', '--size', '64', '--backend', 'wasm']);
    expect(demo.err).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.out).toMatch(/test 0\s+\d\.\d{4}/);
    for (const file of ['model/model.json', 'metrics.json', 'training-curve.svg', 'predictions/0-overlay.png', 'data/train/images/0.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).steps).toBe(4);
    const predict = await run(['predict', '--model', join(out, 'model'), '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred'), '--backend', 'wasm']);
    expect(predict.code).toBe(0);
    expect(existsSync(join(out, 'pred', '0-mask.png'))).toBe(true);
    expect(existsSync(join(out, 'pred', '1-probability.png'))).toBe(true);
    const evaluate = await run(['evaluate', '--model', join(out, 'model'), '--images', join(out, 'data', 'test', 'images'), '--masks', join(out, 'data', 'test', 'masks'), '--json', '--backend', 'wasm']);
    const report = JSON.parse(evaluate.out);
    expect(report.images).toHaveLength(2);
    expect(report.mean.pixelError).toBeGreaterThanOrEqual(0);
    expect(report.mean.pixelError).toBeLessThanOrEqual(1);

    // The same model exported to ONNX and run by onnxruntime-node scores the same.
    const onnxFile = join(out, 'model.onnx');
    const exported = await run(['export', '--model', join(out, 'model'), '--out', onnxFile]);
    expect(exported.err).toBe('');
    expect(exported.out).toMatch(/model\.onnx: ONNX opset 13, NHWC, [\d.]+ MiB, \d+ parameters/);
    const viaOnnx = await run(['evaluate', '--model', onnxFile, '--engine', 'onnx', '--threads', '1', '--images', join(out, 'data', 'test', 'images'), '--masks', join(out, 'data', 'test', 'masks'), '--json']);
    expect(viaOnnx.err).toBe('');
    const onnxReport = JSON.parse(viaOnnx.out);
    expect(onnxReport.mean.pixelError).toBeCloseTo(report.mean.pixelError, 3);
    const predictOnnx = await run(['predict', '--model', onnxFile, '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred-onnx')]);
    expect(predictOnnx.code).toBe(0);
    expect(await readFile(join(out, 'pred-onnx', '0-mask.png'))).toEqual(await readFile(join(out, 'pred', '0-mask.png')));
    // A model directory without --backend runs in onnxruntime-node (exported on the fly): the masks of tfjs on wasm;
    // --tta averages flips/rotations (other probabilities), --no-tta is the default here (the demo stores none).
    const viaAuto = await run(['predict', '--model', join(out, 'model'), '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred-auto')]);
    expect(viaAuto.code).toBe(0);
    expect(await readFile(join(out, 'pred-auto', '0-mask.png'))).toEqual(await readFile(join(out, 'pred', '0-mask.png')));
    expect((await run(['predict', '--model', join(out, 'model'), '--tta', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred-tta')])).code).toBe(0);
    expect(await readFile(join(out, 'pred-tta', '0-probability.png'))).not.toEqual(await readFile(join(out, 'pred', '0-probability.png')));
    expect((await run(['predict', '--model', join(out, 'model'), '--no-tta', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred-no-tta')])).code).toBe(0);
    expect(await readFile(join(out, 'pred-no-tta', '0-probability.png'))).toEqual(await readFile(join(out, 'pred-auto', '0-probability.png')));
    const both = await run(['predict', '--model', join(out, 'model'), '--tta', '--no-tta', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'x')]);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--tta and --no-tta contradict each other');
    const tfjsOnnx = await run(['predict', '--model', onnxFile, '--engine', 'tfjs', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'x')]);
    expect(tfjsOnnx.code).toBe(2);
    expect(tfjsOnnx.err).toContain('--engine must be onnx or auto for a .onnx file');
    // Exported as a bioimage.io package, the model predicts the same masks from the zip.
    const pkg = join(out, 'demo-package.zip');
    const noAuthor = await run(['export', '--format', 'bioimageio', '--model', join(out, 'model'), '--out', pkg, '--image', join(out, 'data', 'test', 'images', '0.png')]);
    expect(noAuthor.code).toBe(2);
    expect(noAuthor.err).toContain('--author is required for --format bioimageio');
    const packaged = await run(['export', '--format', 'bioimageio', '--model', join(out, 'model'), '--out', pkg, '--image', join(out, 'data', 'test', 'images', '0.png'), '--author', 'Test Author; Test Lab']);
    expect(packaged.err).toBe('');
    expect(packaged.out).toMatch(/demo-package\.zip: bioimage\.io package \(format 0\.5\.7\), 7 files, [\d.]+ MiB; input tiles \d+ \+ n \* \d+ px/);
    const viaPackage = await run(['predict', '--model', pkg, '--threads', '1', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'pred-package')]);
    expect(viaPackage.err).toBe('');
    expect(await readFile(join(out, 'pred-package', '0-mask.png'))).toEqual(await readFile(join(out, 'pred', '0-mask.png')));
    expect(await readFile(join(out, 'pred-package', '1-mask.png'))).toEqual(await readFile(join(out, 'pred', '1-mask.png')));
    // Fine-tuning starts from the model's weights (from its folder or its package): with a vanishing rate the
    // probabilities stay the model's, where a run from random weights gives others.
    const data = ['--images', join(out, 'data', 'train', 'images'), '--masks', join(out, 'data', 'train', 'masks'), '--steps', '2', '--lr', '1e-9', '--minutes', '1', '--engine', 'tfjs', '--backend', 'wasm'];
    const testImages = ['--images', join(out, 'data', 'test', 'images'), '--backend', 'wasm'];
    for (const [name, from] of [['from-folder', join(out, 'model')], ['from-package', pkg]] as const) {
      const tuned = await run(['train', ...data, '--out', join(out, name), '--from', from]);
      expect(tuned.err).toBe('');
      expect(tuned.out).toContain(`starting from ${from}: unet`);
      expect(tuned.out).toMatch(/start: the network of .*, its \w+ normalisation and scale 1 kept/);
      expect((await run(['predict', '--model', join(out, name), ...testImages, '--out', join(out, `pred-${name}`)])).code).toBe(0);
      expect(await readFile(join(out, `pred-${name}`, '0-probability.png'))).toEqual(await readFile(join(out, 'pred', '0-probability.png')));
    }
    expect((await run(['train', ...data, '--out', join(out, 'fresh')])).code).toBe(0);
    expect((await run(['predict', '--model', join(out, 'fresh'), ...testImages, '--out', join(out, 'pred-fresh')])).code).toBe(0);
    expect(await readFile(join(out, 'pred-fresh', '0-probability.png'))).not.toEqual(await readFile(join(out, 'pred', '0-probability.png')));
    const reshape = await run(['train', ...data, '--out', join(out, 'x'), '--from', join(out, 'model'), '--depth', '3']);
    expect(reshape.code).toBe(2);
    expect(reshape.err).toContain("--from keeps the model's network, normalisation and scale: drop --depth");
    const example = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'bioimageio', 'unet2d_nuclei_broad');
    if (existsSync(example)) {
      const foreign = await run(['train', ...data, '--out', join(out, 'x'), '--from', example]);
      expect(foreign.code).toBe(1);
      expect(foreign.err).toContain('maps onto no spec here, so it can predict (--model) but not be fine-tuned');
    }
    const notOnnx = await run(['predict', '--model', join(out, 'metrics.json'), '--engine', 'onnx', '--images', join(out, 'data', 'test', 'images'), '--out', join(out, 'x')]);
    expect(notOnnx.code).toBe(1);
    expect(notOnnx.err).toBe(
      `tfjs-unet predict: \`model\` must be an ONNX file written by \`tfjs-unet export\` (or a model folder), and this file is not ONNX (${notOnnx.err.split('this file is not ONNX (')[1]!.split('). Received')[0]}). Received: model=${JSON.stringify(join(out, 'metrics.json'))}.`,
    );
  });

  it.skipIf(!existsSync(join(MODELS, 'index.json')))('models lists the ready-made models; --model NAME predicts as the package file does; an unknown name is refused', async () => {
    const listed = JSON.parse((await run(['models', '--json'])).out) as { name: string; file: string }[];
    const index = JSON.parse(await readFile(join(MODELS, 'index.json'), 'utf8')) as { models: { name: string }[] };
    expect(listed.map((m) => m.name)).toEqual(index.models.map((m) => m.name));
    expect((await run(['models'])).out).toContain(listed[0]!.name);
    const out = await mkdtemp(join(tmpdir(), 'tfjs-unet-ready-'));
    const { name, file } = listed[0]!;
    // A small image of the model's channel count (one tile).
    const channels = name === 'he-nuclei' ? 3 : 1;
    const image = { data: Uint8Array.from({ length: 120 * 100 * channels }, (_, i) => (i * 37) % 251), width: 120, height: 100, channels };
    await writeImage(join(out, 'images', 'a.png'), image);
    const byName = await run(['predict', '--model', name, '--threads', '1', '--images', join(out, 'images'), '--out', join(out, 'by-name')]);
    expect(byName.code, byName.err).toBe(0);
    const byFile = await run(['predict', '--model', join(MODELS, file), '--threads', '1', '--images', join(out, 'images'), '--out', join(out, 'by-file')]);
    expect(byFile.code, byFile.err).toBe(0);
    expect(Buffer.compare(await readFile(join(out, 'by-name', 'a-mask.png')), await readFile(join(out, 'by-file', 'a-mask.png')))).toBe(0);
    const unknown = await run(['predict', '--model', 'no-such-model', '--images', join(out, 'images'), '--out', join(out, 'x')]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(listed.map((m) => m.name).join(', '));
  });

  it('Ctrl-C during training saves a checkpoint and exits 130; --resume continues', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tfjs-unet-sigint-'));
    await run(['demo', '--out', out, '--steps', '1', '--size', '64', '--backend', 'wasm']); // writes data/ to train on
    const args = ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts'), 'train', '--images', join(out, 'data', 'train', 'images'), '--masks', join(out, 'data', 'train', 'masks'), '--out', join(out, 'run'), '--depth', '1', '--base-filters', '2', '--tile', '64', '--steps', '100000', '--every', '1000', '--backend', 'wasm'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && !output.includes('plan:'); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const checkpoint = (await fileCheckpoints(join(out, 'run', 'checkpoint')).load())!;
    expect(checkpoint.step).toBeGreaterThan(0);
    expect(existsSync(join(out, 'run', 'model', 'model.json'))).toBe(true);
    // The plan's deep supervision has no place for heads at depth 1: the run trained without.
    expect(JSON.parse(await readFile(join(out, 'run', 'plan.json'), 'utf8')).plan.deepSupervision).toBe(false);
    const resumed = await run(['train', '--images', join(out, 'data', 'train', 'images'), '--masks', join(out, 'data', 'train', 'masks'), '--out', join(out, 'run'), '--depth', '1', '--base-filters', '2', '--tile', '64', '--steps', String(checkpoint.step + 2), '--backend', 'wasm', '--resume']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'run', 'metrics.json'), 'utf8')).steps).toBe(checkpoint.step + 2);
  });
});
