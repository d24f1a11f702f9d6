import { defineConfig } from 'vitest/config';
import path from 'node:path';

/**
 * Two projects by cost: `unit` (pure code and small tfjs computations,
 * seconds) and `integration` (a real database, CLI subprocesses, exported
 * projects installed, type-checked and trained, templates on MNIST).
 */
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs holds one global engine per process: keep files isolated, one at a time on 2 cores.
    pool: 'forks',
    fileParallelism: false,
    // One temporary folder per run, removed at its end.
    globalSetup: ['tests/temporary-folder.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'] } },
    ],
  },
});
