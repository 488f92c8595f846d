import { defineConfig } from 'vitest/config';

// The end-to-end experiments and the timing tests (*.timing.test.ts) measure CPU, scaling and time on this
// machine: they run alone, one file at a time, after the other tests, so no parallel test file competes for
// the cores they measure.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.timing.test.ts', 'packages/*/test/**/*.e2e.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/plain-summary-reporter.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
