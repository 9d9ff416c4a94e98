// The library in real Chromium: the root entry bundled for the browser, a U-Net's forward pass, the
// paper's weighted loss and its gradients, a `train` step and overlap-tile prediction on the cpu,
// webgl and webgpu backends (SwiftShader: a CPU standing in for the GPU), compared with cpu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM, openPage } from './chromium.js';
import type { BrowserChecks } from './page.js';

if (CHROMIUM === undefined) console.log('browser tests skipped: no Chromium (apt-get install chromium)');

const maxAbs = (a: readonly number[], b: readonly number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const relativeL2 = (a: readonly number[], b: readonly number[]) =>
  Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / Math.max(1e-30, b.reduce((s, v) => s + v * v, 0)));

describe.skipIf(CHROMIUM === undefined)('tfjs-unet in Chromium', () => {
  let page: Page;
  let close: () => Promise<void>;
  const run = (backend: string) => page.evaluate((b) => (window as unknown as { unetChecks: (b: string) => Promise<BrowserChecks> }).unetChecks(b), backend);

  beforeAll(async () => {
    ({ page, close } = await openPage());
  }, 120_000);
  afterAll(async () => close?.());

  it('webgl and webgpu compute what cpu computes, and leak no tensors', async () => {
    const cpu = await run('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(cpu.forward.length).toBe(20 * 20 * 2);
    expect(cpu.gradients.length).toBeGreaterThan(1000);
    expect(cpu.leakedTensors).toBe(0);
    for (const backend of ['webgl', 'webgpu']) {
      const other = await run(backend);
      expect(other.backend).toBe(backend);
      console.log(`${backend} against cpu: forward ${maxAbs(other.forward, cpu.forward).toExponential(1)}, gradients ${relativeL2(other.gradients, cpu.gradients).toExponential(1)} (relative L2), overlap-tile ${maxAbs(other.tiled, cpu.tiled).toExponential(1)}`);
      expect(maxAbs(other.forward, cpu.forward), `${backend} forward`).toBeLessThan(1e-4);
      expect(Math.abs(other.loss - cpu.loss) / cpu.loss, `${backend} loss`).toBeLessThan(1e-5);
      expect(relativeL2(other.gradients, cpu.gradients), `${backend} gradients`).toBeLessThan(1e-4);
      expect(Math.abs(other.trainedLoss - cpu.trainedLoss) / cpu.trainedLoss, `${backend} train step`).toBeLessThan(1e-4);
      expect(other.tiled.length).toBe(90 * 70 * 2);
      expect(maxAbs(other.tiled, cpu.tiled), `${backend} overlap-tile prediction`).toBeLessThan(1e-3);
      expect(other.leakedTensors, `${backend} tensors`).toBe(0);
    }
  }, 600_000);
});
