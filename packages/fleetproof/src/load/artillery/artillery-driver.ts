/**
 * Artillery tests in the engine: the runtime as its script driver (one per run), and the report's counters
 * with the ensure and expect plugins' verdicts added to the run's thresholds.
 */
import type { ScriptDriver } from '../engine.js';
import type { LoadSummary } from '../load-metrics.js';
import type { ThresholdResult } from '../thresholds.js';
import { ArtilleryMetrics, ensureOf, ensureResults } from './artillery-plugins.js';
import type { ArtilleryScript } from './artillery-script.js';
import { ArtilleryRuntime } from './artillery-vu.js';

/** The Artillery runtime as the engine's script driver (one per run). */
export function artilleryDriver(script: ArtilleryScript) {
  const metrics = new ArtilleryMetrics(script.config);
  const runtime = new ArtilleryRuntime(script, metrics);
  const driver: ScriptDriver = {
    start: () => runtime.load(),
    iteration: (flow) => {
      if (flow.kind !== 'artillery') throw new Error(`an Artillery test has no ${flow.kind} flows`);
      return (vu) => runtime.run(flow.index, vu);
    },
    finish: async () => {},
    sinkOf: () => undefined,
  };
  return { driver, metrics };
}

/** The report's counters; ensure's and expect's verdicts pushed onto `thresholds`. */
export function artilleryReport(
  metrics: ArtilleryMetrics,
  config: ArtilleryScript['config'],
  summary: LoadSummary,
  thresholds: ThresholdResult[],
): Record<string, number> {
  const report = metrics.report(summary);
  thresholds.push(...ensureResults(ensureOf(config), report));
  // A failed expectation makes Artillery exit non-zero (21); here it fails the run as a threshold does.
  if (metrics.expectEnabled) {
    const failed = report['plugins.expect.failed'] ?? 0;
    thresholds.push({
      metric: 'plugins.expect',
      expression: 'failed == 0',
      actual: failed,
      passed: failed === 0,
      abortOnFail: false,
    });
  }
  return report;
}
