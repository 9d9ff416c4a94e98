import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The unit suite (`npm test`): everything but the end-to-end tests (`*.e2e.test.ts`,
 * `npm run test:e2e`), which train for many steps, spawn the CLI or time a budget.
 * Its files run on every core (they are single-threaded and do not time themselves).
 */
export const shared: NonNullable<ViteUserConfig['test']> = {
  setupFiles: ['test/setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: 'forks',
};

export default defineConfig({
  test: {
    ...shared,
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.e2e.test.ts', 'test/browser/**', '**/node_modules/**'],
    maxWorkers: '100%',
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
