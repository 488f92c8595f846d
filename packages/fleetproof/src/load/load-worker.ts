/**
 * Worker-thread entry: runs a plan with the engine and reports each second and the result to the parent.
 * The load is generated on this thread's event loop, not on the one serving the balancer; a k6 script's VUs
 * each get a thread of their own (k6/vu-thread.ts) and call into this one for their requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LoadResult, runLoad, type ScriptDriver } from './engine.js';
import { K6Host } from './k6/k6-host.js';
import { K6Metrics, summaryData } from './k6/k6-metrics.js';
import { initialVus, type K6ScriptPlan, type LoadPlan } from './plan.js';

const plan = workerData as LoadPlan;
const controller = new AbortController();
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'abort') controller.abort();
});
const report = (message: Record<string, unknown>) => parentPort?.postMessage(message);

function k6Driver(script: K6ScriptPlan): { driver: ScriptDriver; host: K6Host; metrics: K6Metrics } {
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
      report({
        type: 'status',
        message: `initialising ${count} VU${count === 1 ? '' : 's'} (each runs the script's init context)`,
      });
      await host.start(
        { ...services, k6: metrics, onScriptError: (message) => report({ type: 'script-error', message }) },
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

async function main(): Promise<LoadResult> {
  const k6 = plan.script ? k6Driver(plan.script) : undefined;
  try {
    const result = await runLoad({
      plan,
      signal: controller.signal,
      onSecond: (point) => report({ type: 'second', point }),
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

main().then(
  (result) => report({ type: 'done', result }),
  (error: Error) => report({ type: 'failed', message: error.message }),
);
