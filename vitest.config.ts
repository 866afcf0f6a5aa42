import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // src/report/render-source.ts is generated (git-ignored): made before any test imports it.
    globalSetup: ['test/support/render-source.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: keep test files in two forks.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
