import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.ts';

/**
 * The browser suite (`npm run test:browser`): the library bundled for a page and run in the
 * system's headless Chromium (test/browser/chromium.ts), one file at a time.
 */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/browser/**/*.test.ts'],
    maxWorkers: 1,
  },
});
