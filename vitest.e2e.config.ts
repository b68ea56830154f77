import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: the web app in headless Chromium against `npm start` (embedded mode) on a
 * fresh data directory and a free port. The test builds and boots it itself.
 */
export default defineConfig({
  test: {
    include: ['web/e2e/**/*.e2e.test.ts'],
    testTimeout: 90_000,
    // Building the app and the first boot (migrations, demo data, search index).
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
