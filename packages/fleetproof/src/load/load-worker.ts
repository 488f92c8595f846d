/**
 * Worker-thread entry: runs a plan with the engine and reports each second and the result to the parent.
 * The load is generated on this thread's event loop, not on the one serving the balancer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad } from './engine.js';
import type { LoadPlan } from './plan.js';

const plan = workerData as LoadPlan;
// k6 scripts read their environment from the __ENV global: a plain object filled once at start, as in k6.
// Not process.env itself: every read of that goes through a getenv() call, and scripts read __ENV.BASE_URL
// on every iteration (measured: 2 µs of a 60 µs request in bench/load-generator.ts).
(globalThis as { __ENV?: Record<string, string | undefined> }).__ENV = { ...process.env };
const controller = new AbortController();
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'abort') controller.abort();
});

const errorsShown = new Set<string>();
runLoad({
  plan,
  signal: controller.signal,
  onSecond: (point) => parentPort?.postMessage({ type: 'second', point }),
  loadScriptFlow: async (flow) => {
    const module = (await import(flow.modulePath)) as Record<
      string,
      ((data: unknown, vu: unknown) => unknown) | undefined
    >;
    const fn = module[flow.exportName];
    if (typeof fn !== 'function')
      throw new Error(`${plan.source}: exported function ${flow.exportName} not found`);
    return async (vu) => {
      try {
        // The importer gave every exported function a hidden VU parameter (after k6's `data`).
        await fn(undefined, vu);
        return true;
      } catch (error) {
        // A script error ends this iteration (as in k6) and is reported once per message.
        const text = (error as Error).message;
        if (!errorsShown.has(text) && errorsShown.size < 10) {
          errorsShown.add(text);
          parentPort?.postMessage({ type: 'script-error', message: text });
        }
        return false;
      }
    };
  },
}).then(
  (result) => parentPort?.postMessage({ type: 'done', result }),
  (error: Error) => parentPort?.postMessage({ type: 'failed', message: error.stack ?? error.message }),
);
