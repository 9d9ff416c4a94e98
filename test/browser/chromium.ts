/**
 * The browser harness: bundles test/browser/page.ts with esbuild for the browser (the root entry
 * must bundle with no Node built-in: esbuild fails on one), serves it from 127.0.0.1 (a secure
 * context, which WebGPU needs), and drives the system's Chromium through playwright-core.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The system Chromium, or undefined when it is not installed (`apt-get install chromium`). */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH].find((p): p is string => p !== undefined && existsSync(p));

/** Bundles the page script for the browser; throws when the bundle would need a Node built-in. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'test', 'browser', 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    alias: { 'tfjs-unet': join(ROOT, 'src', 'index.ts') },
  });
  return result.outputFiles[0]!.text;
}

/** A page of headless Chromium (WebGL2 and WebGPU on SwiftShader) with the bundle loaded. */
export async function openPage(): Promise<{ page: Page; close: () => Promise<void> }> {
  const script = await bundlePage();
  const server: Server = createServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM!,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--use-angle=swiftshader'],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => console.log(`[page] ${message.text()}`));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => 'unetChecks' in window, undefined, { timeout: 60_000 }).catch((error: Error) => {
    throw new Error(`the page did not load: ${errors.join('; ') || error.message}`);
  });
  return {
    page,
    close: async () => {
      await browser.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
