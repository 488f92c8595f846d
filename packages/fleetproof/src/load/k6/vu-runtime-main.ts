/**
 * Worker-thread entry: one k6 VU. The script's modules are imported here, so its init context runs once per
 * VU and its module-level state belongs to this VU alone, as in k6 where every VU is its own runtime. Calls
 * into k6/http and sleep block this thread (see host-channel.ts); the host thread owns the sockets.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { HostChannel } from './host-channel.js';
import { declared } from './modules/metrics.js';
import * as timers from './modules/timers.js';
import { runIteration, type VuInstance } from './run-iteration.js';
import { makeConsole, makeOpen } from './script-globals.js';
import { initVuState } from './vu-state.js';
import type { IterationStart, ProbeResult } from './wire.js';

export interface VuWorkerData {
  mode: 'probe' | 'vu';
  moduleUrl: string;
  scriptPath: string;
  idInTest: number;
  port: MessagePort;
  flags: Int32Array;
  env: Record<string, string | undefined>;
  options: Record<string, unknown>;
  httpTags: boolean;
}

const data = workerData as VuWorkerData;
process.setSourceMapsEnabled(true);
const state = initVuState({
  transport: new HostChannel(data.port, data.flags),
  phase: 'init',
  idInTest: data.idInTest,
  scriptPath: data.scriptPath,
  options: data.options,
  httpTags: data.httpTags,
  env: data.env,
});

const g = globalThis as Record<string, unknown>;
g.__ENV = { ...data.env };
g.__VU = data.mode === 'probe' ? 0 : data.idInTest;
g.__ITER = 0;
g.setTimeout = timers.setTimeout;
g.clearTimeout = timers.clearTimeout;
g.setInterval = timers.setInterval;
g.clearInterval = timers.clearInterval;
g.open = makeOpen(() => state);
// k6 redacts secrets from what the script logs.
g.console = makeConsole(() => state);

const module = (await import(data.moduleUrl)) as Record<string, unknown>;

if (data.mode === 'probe') {
  const options =
    module.options === undefined
      ? {}
      : (JSON.parse(JSON.stringify(module.options)) as Record<string, unknown>);
  const result: ProbeResult = {
    type: 'probed',
    options,
    functions: Object.keys(module).filter((k) => typeof module[k] === 'function'),
    metrics: [...declared],
  };
  parentPort?.postMessage(result);
} else {
  parentPort?.postMessage({ type: 'ready' });
  parentPort?.on('message', (message: IterationStart) => {
    if (message.type === 'run') void run(message);
  });
}

const baseEnv = g.__ENV as Record<string, string | undefined>;
const instance: VuInstance = {
  module,
  state,
  timers,
  baseEnv,
  setIter: (n) => {
    g.__ITER = n;
  },
  setEnv: (env) => {
    g.__ENV = env;
  },
};

async function run(start: IterationStart): Promise<void> {
  parentPort?.postMessage(await runIteration(instance, start));
}
