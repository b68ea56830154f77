import { defineConfig } from 'vitest/config';

/** `npm test`: unit tests and the contract suites on the embedded adapters. No servers needed. */
export default defineConfig({
  test: {
    include: [
      '{contracts,kit,core-api,ml,analytics,search,bridge,web}/src/**/*.test.{ts,tsx}',
      'test/unit/**/*.test.ts',
      'monitoring/test/**/*.test.ts',
    ],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
