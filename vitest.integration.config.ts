import { defineConfig } from 'vitest/config';

/**
 * `npm run test:integration`: the same contract suites against the real servers `npm run services:up`
 * starts. A server that is not there fails the run; nothing is skipped.
 */
export default defineConfig({
  test: {
    include: [
      '{contracts,kit,core-api,ml,analytics,search,bridge}/src/**/*.int.test.ts',
      'test/integration/**/*.int.test.ts',
      'monitoring/test/**/*.int.test.ts',
    ],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
