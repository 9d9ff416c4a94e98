import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  // queue-processor: the file a queue worker's threads load (BullMQ's sandboxed processor, src/node/queue.ts).
  entry: { index: 'src/index.ts', node: 'src/node/index.ts', browser: 'src/browser/index.ts', cli: 'src/cli/main.ts', 'queue-processor': 'src/node/queue-processor.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^node:/],
  // Shared chunks, so `tfjs-unet/node` and `tfjs-unet` share one copy of the core (instanceof works across them).
  splitting: true,
  treeshake: true,
  // The version the planner's step-time cache is keyed by (src/node/step-times.ts).
  define: { __TFJS_UNET_VERSION__: JSON.stringify(version) },
});
