import { defineConfig } from 'vitest/config';

// The end-to-end experiments measure CPU and scaling on this machine: they run alone, after the other tests,
// so no parallel test file competes for the cores they measure.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.e2e.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/plain-summary-reporter.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
