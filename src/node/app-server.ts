/**
 * Serves the web app (`npm run build:app` builds it into dist/app) from this machine, with the
 * cross-origin isolation headers threaded WebAssembly needs. Static files only: the app sends
 * nothing anywhere, and the server answers nothing but the app's own files.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../core/errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
};

/**
 * The built web app's folder: `dist/app` of the installed package (from the sources, the
 * repository's `dist/app`, which `npm run build:app` writes).
 *
 * @example
 * ```ts
 * existsSync(join(appFolder(), 'index.html')); // true once built
 * ```
 */
export function appFolder(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../../dist/app/' : './app/', here));
}

/** Options of {@link serveApp}. */
export interface ServeAppOptions {
  /** The port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** The address to listen on. Default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** The folder of the built app. Default {@link appFolder}. */
  readonly root?: string;
}

/**
 * Serves the web app's folder over HTTP with the headers threaded wasm needs
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`).
 *
 * @returns the server and the URL to open.
 * @throws {@link ArgumentError} naming `root` when the app is not built there.
 * @example
 * ```ts
 * const { url, server } = await serveApp({ port: 8080 });
 * console.log(`open ${url}`);
 * ```
 */
export async function serveApp(options: ServeAppOptions = {}): Promise<{ server: Server; url: string }> {
  const root = options.root ?? appFolder();
  if (!existsSync(join(root, 'index.html'))) throw new ArgumentError('root', 'must be the built web app (npm run build:app writes dist/app/index.html)', root);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError('port', 'must be an integer from 0 to 65535', port);
  const server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'X-Content-Type-Options': 'nosniff' };
      const info = file.startsWith(root.endsWith(sep) ? root : root + sep) || file === root ? await stat(file).catch(() => undefined) : undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, headers).end();
      } else if (info === undefined || !info.isFile()) {
        response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      } else {
        // Read before the headers go out, so that a failed read can still answer 500.
        const body = request.method === 'HEAD' ? undefined : await readFile(file);
        response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': info.size });
        response.end(body);
      }
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new ArgumentError('port', 'must be free, and another program listens on it', port) : error));
    server.listen(port, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}/` };
}
