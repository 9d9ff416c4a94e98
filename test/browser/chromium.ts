/**
 * The browser harness: bundles a page script of test/browser/ with esbuild for the browser (the
 * entries `tfjs-unet` and `tfjs-unet/browser` must bundle with no Node built-in: esbuild fails on
 * one), serves it from 127.0.0.1 (a secure context, which WebGPU needs) with the COOP/COEP headers
 * threaded wasm needs, beside the wasm files of tfjs and onnxruntime-web and any files a test
 * gives, and drives the system's Chromium through playwright-core.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The system Chromium, or undefined when it is not installed (`apt-get install chromium`). */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => p !== undefined && existsSync(p));

/** `chromium --version`, printed by the tests so a log says which browser ran them. */
export const chromiumVersion = (): string => (CHROMIUM === undefined ? 'none' : execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim());

/** Bundles a page script (a file of test/browser/, or an absolute path) for the browser; throws when the bundle would need a Node built-in. */
export async function bundlePage(entry = 'page.ts', options: { readonly minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [isAbsolute(entry) ? entry : join(ROOT, 'test', 'browser', entry)],
    minify: options.minify ?? false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    // geotiff is imported on first use: one file still, so the page needs no chunk server.
    splitting: false,
    alias: { 'tfjs-unet/browser': join(ROOT, 'src', 'browser', 'index.ts'), 'tfjs-unet': join(ROOT, 'src', 'index.ts') },
  });
  return result.outputFiles[0]!.text;
}

/** Folders served as they are: the wasm binaries of tfjs's wasm backend and of onnxruntime-web. */
const STATIC: Record<string, string> = {
  '/tfjs-wasm/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
};
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Options of {@link openPage}. */
export interface PageOptions {
  /** The page script: a file of test/browser/, or an absolute path. Default `page.ts`. */
  readonly entry?: string;
  /** The global the script sets when it is ready. Default `unetChecks`. */
  readonly ready?: string;
  /** Files served under /files/NAME. */
  readonly files?: Readonly<Record<string, Uint8Array | string>>;
}

/** A page of headless Chromium (WebGL2 and WebGPU on SwiftShader) with the bundle loaded; `requests` lists every URL the page asked for. */
export async function openPage(options: PageOptions = {}): Promise<{ page: Page; requests: string[]; origin: string; close: () => Promise<void> }> {
  const script = await bundlePage(options.entry);
  const files = options.files ?? {};
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // Cross-origin isolation: SharedArrayBuffer, so wasm may run threads.
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
    const send = (status: number, type: string, body: string | Uint8Array) => {
      response.writeHead(status, { ...headers, 'content-type': type });
      response.end(body);
    };
    if (url.pathname === '/page.js') return send(200, 'text/javascript', script);
    if (url.pathname.startsWith('/files/')) {
      const body = files[decodeURIComponent(url.pathname.slice('/files/'.length))];
      return body === undefined ? send(404, 'text/plain', 'no such file') : send(200, 'application/octet-stream', body);
    }
    for (const [prefix, dir] of Object.entries(STATIC)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const path = join(dir, url.pathname.slice(prefix.length));
      if (!path.startsWith(dir) || !existsSync(path)) return send(404, 'text/plain', 'no such file');
      return send(200, TYPES[extname(path)] ?? 'application/octet-stream', readFileSync(path));
    }
    if (url.pathname === '/') return send(200, 'text/html', '<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>');
    return send(404, 'text/plain', 'no such file');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM!,
    args: [
      '--headless',
      '--no-sandbox',
      '--enable-unsafe-swiftshader',
      '--enable-unsafe-webgpu',
      '--use-angle=swiftshader',
      // This machine's network is closed: no background requests at start.
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => console.log(`[page] ${message.text()}`));
  const ready = options.ready ?? 'unetChecks';
  await page.goto(`${origin}/`);
  await page.waitForFunction((name) => name in window, ready, { timeout: 60_000 }).catch((error: Error) => {
    throw new Error(`the page did not load: ${errors.join('; ') || error.message}`);
  });
  return {
    page,
    requests,
    origin,
    close: async () => {
      await browser.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
