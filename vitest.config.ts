import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Storage suites share one PostgreSQL server; each creates its own schema, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
  },
});
