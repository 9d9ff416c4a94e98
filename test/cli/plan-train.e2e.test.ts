import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isValidInputSize, loadModel, nearestValidInputSize, outputSize, readImage, syntheticCells, unet, writeImage } from '../../src/node/index.js';

tf.env().set('IS_TEST', false);

const run = runCli;

describe('tfjs-unet plan, train --minutes, predict --instances, evaluate', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-plan-'));
    // The demo writes synthetic touching cells to DIR/data (one training step is enough for that).
    await run(['demo', '--out', dir, '--steps', '1', '--size', '64', '--backend', 'wasm']);
  }, 120_000);

  it('plan prints the fingerprint, the timed candidates and the choice; flags override it', async () => {
    const plan = await run(['plan', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--minutes', '0.5', '--backend', 'wasm', '--json']);
    expect(plan.err).toBe('');
    const { fingerprint, plan: chosen } = JSON.parse(plan.out);
    expect(fingerprint.images).toBe(6);
    expect(fingerprint.width.median).toBe(64);
    // In half a minute no candidate can reach MIN_STEPS (it would take under 5 ms a step), so the costlier three are not timed.
    expect(chosen.candidates.length).toBe(1);
    for (const c of chosen.candidates) expect(c.secondsPerStep).toBeGreaterThan(0);
    const printed = await run(['plan', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--minutes', '0.5', '--backend', 'wasm']);
    // The second plan on this machine takes its step times from the cache.
    expect(printed.out).toMatch(/planning: \d+\.\d s \(step times: 0 measured, 2 from .*step-times\.json; 3 candidate\(s\) skipped, slower than one that cannot reach 6000 steps\); with loading \(\d+\.\d s\) \d+\.\d% of the 0.5 min budget/);
    expect(chosen.minutes).toBe(0.5);
    expect(chosen.deepSupervision).toBe(true);
    const overridden = await run(['plan', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--backend', 'wasm', '--base-filters', '8', '--loss', 'focal', '--ema', '0.99', '--no-deep-supervision', '--json']);
    // Focal runs on the tfjs engine only, so the override also picks tfjs.
    expect(JSON.parse(overridden.out).plan).toMatchObject({ baseFilters: 8, loss: 'focal', engine: 'tfjs', ema: 0.99, deepSupervision: false });
    const badEma = await run(['plan', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--ema', '1.5']);
    expect(badEma.code).toBe(2);
    expect(badEma.err).toMatch(/--ema must be a momentum between 0 and 1 .* or off, got 1\.5/);
    // Flags are checked before any image is read or candidate timed: a missing folder is not reached.
    for (const [flag, value, message] of [
      ['--augment', '2', /--augment must be a number between 0 and 1, got 2/],
      ['--select-after', '2', /--select-after must be a fraction of the run between 0 and 1, got 2/],
      ['--loss', 'dice', /--loss must be one of crossEntropy, diceCrossEntropy, focal, got dice/],
      ['--steps', '0', /--steps must be an integer between 1 and \d+, got 0/],
      ['--deep-supervision', '--no-deep-supervision', /--deep-supervision and --no-deep-supervision contradict each other/],
    ] as const) {
      const bad = await run(['train', '--images', join(dir, 'missing'), '--masks', join(dir, 'missing'), '--out', join(dir, 'never'), flag, value]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(message);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    // Both engines were timed on the first candidate (onnxruntime-node is installed here) and the faster one chosen.
    expect(chosen.reasons.join('\n')).toMatch(/engine (onnx|tfjs): \d+\.\d+ s\/step against \d+\.\d+ s\/step on (tfjs|onnx)/);
    expect(['tfjs', 'onnx']).toContain(chosen.engine);
  }, 120_000);

  it('train --engine onnx trains on ONNX Runtime; its checkpoint resumes on --engine tfjs', async () => {
    const out = join(dir, 'onnx-run');
    const args = ['train', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--out', out, '--backend', 'wasm', '--every', '3'];
    const first = await run([...args, '--engine', 'onnx', '--steps', '3']);
    expect(first.err).toBe('');
    expect(first.out).toContain('done: 3 steps');
    expect(first.out).toContain('on the onnx engine (onnxruntime-node)');
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).engine).toBe('onnx');
    const resumed = await run([...args, '--engine', 'tfjs', '--steps', '6', '--resume']);
    expect(resumed.err).toBe('');
    expect(resumed.out).toContain('done: 6 steps');
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.engine).toBe('tfjs');
    expect(metrics.history.length).toBe(6);
    const refused = await run([...args, '--engine', 'onnx', '--loss', 'focal', '--steps', '1', '--out', join(dir, 'refused')]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('--engine onnx cannot train --loss focal: the onnx engine computes crossEntropy and dice terms; focal runs on tfjs');
  }, 180_000);

  it('train --architecture trains a family member and --select-after selects (recorded in plan.json, kept by --resume)', async () => {
    const out = join(dir, 'resenc-run');
    const args = ['train', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--out', out, '--backend', 'wasm', '--every', '2', '--engine', 'onnx'];
    // The name 0.1 used (resenc-unet) still works and is recorded as the one name (resEncUnet).
    const first = await run([...args, '--architecture', 'resenc-unet', '--padding', 'same', '--batch-norm', '--select-after', '0', '--steps', '2']);
    expect(first.err).toBe('');
    expect(first.out).toContain('the best validated weights kept');
    const saved = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(saved.plan).toMatchObject({ architecture: 'resEncUnet', selectAfter: 0 });
    // A plan.json written by 0.1 names it the old way; --resume still reads it.
    await writeFile(join(out, 'plan.json'), JSON.stringify({ ...saved, plan: { ...saved.plan, architecture: 'resenc-unet' } }));
    const resumed = await run([...args, '--steps', '4', '--resume']);
    expect(resumed.err).toBe('');
    expect(resumed.out).toContain('done: 4 steps');
    // Every validation competed (selectAfter 0 from plan.json): the kept model is their best.
    const { best, validations } = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as { best: { value: number }; validations: { panopticQuality: number }[] };
    expect(validations.length).toBeGreaterThanOrEqual(2);
    // Synthetic cells are objects on a background: validations select on panoptic quality.
    expect(best.value).toBe(Math.max(...validations.map((v) => v.panopticQuality)));
    const { spec, model } = await loadModel(join(out, 'model'));
    expect(spec.builder).toBe('resUnet');
    expect(spec.options).toMatchObject({ residualDecoder: false, batchNorm: true, padding: 'same' });
    model.dispose();
    const refused = await run([...args, '--architecture', 'vnet', '--steps', '1', '--out', join(dir, 'refused-arch')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--architecture must be one of unet, resUnet, resEncUnet, attentionUnet, unetPlusPlus, got vnet');
  }, 180_000);

  it('train --minutes ends on time with a calibrated model; predict writes 16-bit instances; evaluate reports the challenge scores', async () => {
    const out = join(dir, 'run');
    const started = performance.now();
    const train = await run(['train', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--out', out, '--minutes', '0.3', '--backend', 'wasm']);
    const seconds = (performance.now() - started) / 1000;
    expect(train.err).toBe('');
    expect(train.code).toBe(0);
    expect(seconds).toBeLessThanOrEqual(0.3 * 60 + 2);
    expect(train.out).toContain('plan: same U-Net');
    expect(train.out).toContain('20% held out, the last weights kept');
    expect(train.out).toMatch(/calibrated on the validation images: threshold 0\.\d+/);
    const saved = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(saved.plan.minutes).toBe(0.3);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.info.normalization).toEqual({ kind: 'zscore' });
    expect(metrics.info.threshold).toBe(metrics.calibration.info.threshold);
    const modelJson = JSON.parse(await readFile(join(out, 'model', 'model.json'), 'utf8'));
    expect(modelJson.userDefinedMetadata.tfjsUnet.info.threshold).toBe(metrics.info.threshold);

    const predict = await run(['predict', '--model', join(out, 'model'), '--images', join(dir, 'data', 'test', 'images'), '--out', join(dir, 'pred'), '--instances', '--backend', 'wasm']);
    expect(predict.err).toBe('');
    expect(predict.out).toMatch(/\d+ objects/);
    for (const suffix of ['mask', 'probability', 'overlay', 'instances']) expect(existsSync(join(dir, 'pred', `0-${suffix}.png`)), suffix).toBe(true);
    const instances = await readImage(join(dir, 'pred', '0-instances.png'));
    expect(instances.data).toBeInstanceOf(Uint16Array);

    const evaluate = await run(['evaluate', '--model', join(out, 'model'), '--images', join(dir, 'data', 'test', 'images'), '--masks', join(dir, 'data', 'test', 'masks'), '--backend', 'wasm']);
    expect(evaluate.err).toBe('');
    expect(evaluate.out).toContain(`at threshold ${metrics.info.threshold}`);
    expect(evaluate.out).toMatch(/randError\s+infoError\s+pixelError\s+ap50\s+ap75\s+pq\s+objects/);
    expect(evaluate.out).toMatch(/best over thresholds 0\.1\.\.0\.9: Rand error \d\.\d{4} \(t = 0\.\d\)/);
  }, 180_000);

  it('trains on instance label masks without flags as a 2-class model and evaluates their objects (AP)', async () => {
    const instances = join(dir, 'instances');
    for (const sub of ['images', 'masks']) await mkdir(join(instances, sub), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const cells = syntheticCells(64, 100 + i);
      await writeImage(join(instances, 'images', `${i}.png`), cells.image);
      // 16-bit ids numbered from 1000, as a labelling tool may leave them.
      await writeImage(join(instances, 'masks', `${i}.png`), { data: Uint16Array.from(cells.instances.data, (v) => (v === 0 ? 0 : 999 + v)), width: 64, height: 64 });
    }
    const out = join(dir, 'instance-run');
    const train = await run(['train', '--images', join(instances, 'images'), '--masks', join(instances, 'masks'), '--out', out, '--steps', '2', '--every', '2', '--engine', 'onnx', '--backend', 'wasm']);
    expect(train.err).toBe('');
    expect(train.out).toMatch(/6 training images, instance masks \(each value forms one region: \d+ \(mask, value\) pairs over 6 mask\(s\), 100% of them one connected region, up to \d+ values in a mask\), 2 classes/);
    const saved = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(saved.masks).toMatchObject({ type: 'instances', classes: 2 });
    // Two steps learn nothing: the run says so, against a global threshold on the held-out image.
    expect(train.out).toMatch(/warning: the model is no better than a global threshold of the image on the held-out images \(PQ \d\.\d{3}, Dice \d\.\d{3} against PQ \d\.\d{3}, Dice \d\.\d{3} for a global threshold\)/);
    expect(train.out).toContain('this run trained 2 steps');
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ kind: 'objects', metric: 'panopticQuality', baseline: { polarity: 'bright' } });
    const { model } = await loadModel(join(out, 'model'));
    expect(model.outputs[0]!.shape.at(-1)).toBe(2);
    model.dispose();
    const evaluate = await run(['evaluate', '--model', join(out, 'model'), '--images', join(instances, 'images'), '--masks', join(instances, 'masks'), '--backend', 'wasm', '--json']);
    expect(evaluate.err).toBe('');
    const report = JSON.parse(evaluate.out);
    expect(report.masks.type).toBe('instances');
    // Objects are counted from the files' ids: image 0's true objects are its distinct non-zero ids.
    expect(report.images[0].trueObjects).toBe(new Set(syntheticCells(64, 100).instances.data).size - 1);
    expect(report.mean.ap50).toBeGreaterThanOrEqual(0);
    expect(report.mean.foregroundDice).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('snaps the planned tile to the nearest valid size that tiles when a flag changes the network', async () => {
    const out = join(dir, 'valid');
    const train = await run(['train', '--images', join(dir, 'data', 'train', 'images'), '--masks', join(dir, 'data', 'train', 'masks'), '--out', out, '--padding', 'valid', '--steps', '2', '--backend', 'wasm']);
    expect(train.err).toBe('');
    expect(train.code).toBe(0);
    const modelJson = JSON.parse(await readFile(join(out, 'model', 'model.json'), 'utf8'));
    const inputShape = modelJson.modelTopology.config.layers[0].config.batch_input_shape as number[];
    // The plan's 64 px tile (planned for same padding, depth 3) is not valid for a valid depth-3 network
    // (64 -> 60 -> 30 -> 26 -> 13: odd before the third pooling). The valid size nearest to it, 92, gives a 4 px
    // output, less than the 8 px alignment overlap-tile prediction needs, so it becomes the next valid size, 100 (12 px).
    const valid = unet({ depth: 3, padding: 'valid' });
    expect(isValidInputSize(valid, 64)).toBe(false);
    expect(nearestValidInputSize(valid, 64)).toBe(92);
    expect(outputSize(valid, 92)).toBe(4);
    expect(nearestValidInputSize(valid, 93, 'up')).toBe(100);
    expect(outputSize(valid, 100)).toBe(12);
    expect(inputShape[1]).toBe(100);
  }, 120_000);

  it('names a truncated image, refuses all-background masks with their names, and writes nothing', async () => {
    const broken = join(dir, 'broken');
    await mkdir(join(broken, 'images'), { recursive: true });
    await mkdir(join(broken, 'masks'), { recursive: true });
    const png = await readFile(join(dir, 'data', 'train', 'images', '0.png'));
    await writeFile(join(broken, 'images', '0.png'), png.subarray(0, Math.floor(png.length / 2)));
    await copyFile(join(dir, 'data', 'train', 'masks', '0.png'), join(broken, 'masks', '0.png'));
    const truncated = await run(['train', '--images', join(broken, 'images'), '--masks', join(broken, 'masks'), '--out', join(broken, 'run'), '--backend', 'wasm']);
    expect(truncated.code).toBe(1);
    expect(truncated.err).toContain(join(broken, 'images', '0.png'));
    expect(truncated.err).toMatch(/^tfjs-unet train: `images` must hold PNG, JPEG or TIFF images, and this file does not decode as one \(.+\): re-save it in one of those formats or move it out of the folder\. Received: images=".+0\.png"\.$/);

    const empty = join(dir, 'empty');
    await mkdir(join(empty, 'images'), { recursive: true });
    await mkdir(join(empty, 'masks'), { recursive: true });
    for (const name of ['a', 'b']) {
      await copyFile(join(dir, 'data', 'train', 'images', '0.png'), join(empty, 'images', `${name}.png`));
      await sharp(Buffer.alloc(64 * 64), { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(empty, 'masks', `${name}.png`));
    }
    const background = await run(['train', '--images', join(empty, 'images'), '--masks', join(empty, 'masks'), '--out', join(empty, 'run'), '--backend', 'wasm']);
    expect(background.code).toBe(1);
    expect(background.err).toBe('tfjs-unet train: `masks` must mark some foreground: every mask is all background (0), so there is nothing to learn. Received: masks="a, b".');
    expect(existsSync(join(broken, 'run'))).toBe(false);
    expect(existsSync(join(empty, 'run'))).toBe(false);
  }, 60_000);
});
