import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'infra/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // `prove --quick` and the load engine's timing tests run alone afterwards (vitest.e2e.config.ts): they
    // measure CPU and time on this machine.
    exclude: ['**/node_modules/**', '**/*.e2e.test.ts', '**/*.timing.test.ts'],
    // One embedded PostgreSQL for the whole run; each test file creates its own databases in it.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/plain-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more parallel files than that only makes timing-sensitive tests slower.
    maxWorkers: 2,
  },
});
