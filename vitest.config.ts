import { defineConfig } from 'vitest/config';

/**
 * `npm test`: unit tests and the contract suites on the embedded adapters (Node), and the web
 * app's component tests (a DOM from happy-dom). No servers needed.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            '{contracts,kit,core-api,ml,analytics,search,bridge}/src/**/*.test.ts',
            'test/unit/**/*.test.ts',
            'monitoring/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        extends: './web/vite.config.ts',
        test: {
          name: 'web',
          root: './web',
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['./src/test/setup.ts'],
        },
      },
    ],
  },
});
