/**
 * Worker-thread entry: runs a plan (run-plan.ts) and reports each second and the result to the parent. The
 * load is generated on this thread's event loop, not on the one serving the balancer; a k6 script's VUs each
 * get a thread of their own (k6/vu-thread.ts) and call into this one for their requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadPlan } from './plan.js';
import { runPlan } from './run-plan.js';

const plan = workerData as LoadPlan;
const controller = new AbortController();
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'abort') controller.abort();
});
const report = (message: Record<string, unknown>) => parentPort?.postMessage(message);

runPlan(plan, {
  signal: controller.signal,
  onSecond: (point) => report({ type: 'second', point }),
  onScriptError: (message) => report({ type: 'script-error', message }),
  onStatus: (message) => report({ type: 'status', message }),
}).then(
  (result) => report({ type: 'done', result }),
  (error: Error) => report({ type: 'failed', message: error.message }),
);
