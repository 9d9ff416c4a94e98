import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

/**
 * The web app (`npm run build:app`): built from the library's sources into dist/app, served by
 * `tfjs-unet app` with the cross-origin isolation headers threaded wasm needs.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: [{ find: /^tfjs-unet\/browser$/, replacement: src('browser/index.ts') }, { find: /^tfjs-unet$/, replacement: src('index.ts') }] },
  worker: { format: 'es' },
  build: { outDir: fileURLToPath(new URL('../dist/app', import.meta.url)), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  preview: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
});
