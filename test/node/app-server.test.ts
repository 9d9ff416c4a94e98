// `serveApp` (what `tfjs-unet app` runs): the app's files with the isolation headers threaded wasm
// needs, nothing outside its folder, and clear refusals of a missing build or a taken port.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp } from '../../src/node/app-server.js';

describe('serveApp', () => {
  let dir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-serve-'));
    await mkdir(join(dir, 'app', 'assets'), { recursive: true });
    await writeFile(join(dir, 'app', 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dir, 'app', 'assets', 'ort.wasm'), new Uint8Array([0, 97, 115, 109]));
    await writeFile(join(dir, 'secret.txt'), 'outside the app');
    ({ server, url } = await serveApp({ root: join(dir, 'app'), port: 0 }));
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the app with cross-origin isolation headers and the right types', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>app</title>');
    const wasm = await fetch(`${url}assets/ort.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('answers nothing outside its folder, and only GET and HEAD', async () => {
    expect((await fetch(`${url}../secret.txt`)).status).toBe(404);
    expect((await fetch(`${url}%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${url}missing.js`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('refuses a folder without the built app, and a port in use, naming them', async () => {
    await expect(serveApp({ root: dir, port: 0 })).rejects.toThrow(`\`root\` must be the built web app (npm run build:app writes dist/app/index.html). Received: root="${dir}".`);
    const port = Number(new URL(url).port);
    await expect(serveApp({ root: join(dir, 'app'), port })).rejects.toThrow(`\`port\` must be free, and another program listens on it. Received: port=${port}.`);
    await expect(serveApp({ root: join(dir, 'app'), port: 70000 })).rejects.toThrow('`port` must be an integer from 0 to 65535');
  });
});
