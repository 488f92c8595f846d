/**
 * Runs a plan on this thread's event loop: the engine, and a k6 script's runtime around it (init, setup,
 * teardown, handleSummary). `fleetproof load` calls it on its main thread (nothing else runs there, and a
 * worker would cost its start-up in CPU the generator is judged on); prove calls it in a worker thread
 * (load-worker.ts) so the load does not share an event loop with the balancer.
 */
import { type LoadResult, runLoad, type ScriptDriver } from './engine.js';
import { K6Host } from './k6/k6-host.js';
import { K6Metrics, summaryData } from './k6/k6-metrics.js';
import type { SeriesSecond } from './load-metrics.js';
import { initialVus, type K6ScriptPlan, type LoadPlan } from './plan.js';

export interface PlanHooks {
  signal?: AbortSignal;
  onSecond?: (point: SeriesSecond) => void;
  onScriptError?: (message: string) => void;
  /** Progress before the load starts (a k6 script's VUs being initialised). */
  onStatus?: (message: string) => void;
}

function k6Driver(
  plan: LoadPlan,
  script: K6ScriptPlan,
  hooks: PlanHooks,
): { driver: ScriptDriver; host: K6Host; metrics: K6Metrics } {
  const metrics = new K6Metrics(script.metrics, Object.keys(plan.thresholds));
  // k6 scripts read their environment from __ENV: a plain copy filled once, as in k6.
  const host = new K6Host({
    ...script,
    env: { ...process.env, ...script.env },
    ...(script.runtime.kind === 'inline' ? { factoryPath: script.runtime.factoryPath } : {}),
  });
  const driver: ScriptDriver = {
    start: async (services) => {
      const count = initialVus(plan);
      hooks.onStatus?.(
        `initialising ${count} VU${count === 1 ? '' : 's'} (each runs the script's init context)`,
      );
      await host.start(
        { ...services, k6: metrics, onScriptError: (message) => hooks.onScriptError?.(message) },
        count,
      );
    },
    iteration: (flow, scenario) => {
      const info = {
        name: scenario.name,
        executor: scenario.executor.type === 'arrivals' ? scenario.executor.label : scenario.executor.type,
        startTime: scenario.startTimeMs,
        ...(scenario.env ? { env: scenario.env } : {}),
        ...(scenario.tags ? { tags: scenario.tags } : {}),
      };
      if (flow.kind !== 'k6') throw new Error(`a k6 script has no ${flow.kind} flows`);
      return (vu) => host.iterate(vu, flow.exportName, info);
    },
    finish: () => host.teardown(),
    sinkOf: (key) => metrics.sinkOf(key),
  };
  return { driver, host, metrics };
}

export async function runPlan(plan: LoadPlan, hooks: PlanHooks = {}): Promise<LoadResult> {
  const k6 = plan.script ? k6Driver(plan, plan.script, hooks) : undefined;
  try {
    const result = await runLoad({
      plan,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onSecond ? { onSecond: hooks.onSecond } : {}),
      ...(k6 ? { script: k6.driver } : {}),
    });
    if (!k6 || !plan.script) return result;
    const data = summaryData(result.summary, k6.metrics, result.thresholds, plan.script.options);
    const summaryOutputs = await k6.host.handleSummary(data);
    return { ...result, k6Summary: data, ...(summaryOutputs ? { summaryOutputs } : {}) };
  } finally {
    await k6?.host.close();
  }
}
