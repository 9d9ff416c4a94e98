import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.ts';

/**
 * The end-to-end suite (`npm run test:e2e`): training runs, the CLI as a user runs it, and
 * budgets measured on the clock, one file at a time so that timings see a quiet machine.
 */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/**/*.e2e.test.ts'],
    exclude: ['test/browser/**', '**/node_modules/**'],
    maxWorkers: 1,
  },
});
