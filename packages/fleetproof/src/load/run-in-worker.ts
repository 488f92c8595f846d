import { Worker } from 'node:worker_threads';
import { builtModuleUrl } from './built-module.js';
import type { LoadResult } from './engine.js';
import type { SeriesSecond } from './load-metrics.js';
import type { LoadPlan } from './plan.js';
import type { PlanHooks } from './run-plan.js';

const WORKER = new URL(builtModuleUrl('./load-worker.js', import.meta.url));

export type WorkerRunOptions = PlanHooks;

/** Runs a plan in a worker thread (its own event loop), streaming per-second points back. */
export function runLoadInWorker(plan: LoadPlan, options: WorkerRunOptions = {}): Promise<LoadResult> {
  const worker = new Worker(WORKER, { workerData: plan });
  const abort = () => worker.postMessage({ type: 'abort' });
  options.signal?.addEventListener('abort', abort);
  return new Promise<LoadResult>((resolve, reject) => {
    worker.on(
      'message',
      (message: { type: string; point?: SeriesSecond; result?: LoadResult; message?: string }) => {
        if (message.type === 'second' && message.point) options.onSecond?.(message.point);
        else if (message.type === 'script-error') options.onScriptError?.(message.message ?? '');
        else if (message.type === 'status') options.onStatus?.(message.message ?? '');
        else if (message.type === 'done' && message.result) resolve(message.result);
        else if (message.type === 'failed') reject(new Error(message.message));
      },
    );
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with code ${code}`));
    });
  }).finally(() => {
    options.signal?.removeEventListener('abort', abort);
    void worker.terminate();
  });
}
