import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep test files in two forks.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
