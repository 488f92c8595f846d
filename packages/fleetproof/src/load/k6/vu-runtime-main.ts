/**
 * Worker-thread entry: one k6 VU. The script's modules are imported here, so its init context runs once per
 * VU and its module-level state belongs to this VU alone, as in k6 where every VU is its own runtime. Calls
 * into k6/http and sleep block this thread (see host-channel.ts); the host thread owns the sockets.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { parseDuration } from '../schedule/durations.js';
import { CookieJar } from './cookie-jar.js';
import { HostChannel } from './host-channel.js';
import { declared } from './modules/metrics.js';
import * as timers from './modules/timers.js';
import { initVuState, K6ScriptError, takeSamples, VuStopped, vu } from './vu-state.js';
import type { IterationEnd, IterationStart, ProbeResult } from './wire.js';

export interface VuWorkerData {
  mode: 'probe' | 'vu';
  moduleUrl: string;
  scriptPath: string;
  idInTest: number;
  port: MessagePort;
  flags: Int32Array;
  env: Record<string, string | undefined>;
  options: Record<string, unknown>;
}

const data = workerData as VuWorkerData;
process.setSourceMapsEnabled(true);
const state = initVuState({
  channel: new HostChannel(data.port, data.flags),
  phase: 'init',
  idInTest: data.idInTest,
  scriptPath: data.scriptPath,
  options: data.options,
});

const g = globalThis as Record<string, unknown>;
g.__ENV = { ...data.env };
g.__fpSecretEnv = data.env;
g.__VU = data.mode === 'probe' ? 0 : data.idInTest;
g.__ITER = 0;
g.setTimeout = timers.setTimeout;
g.clearTimeout = timers.clearTimeout;
g.setInterval = timers.setInterval;
g.clearInterval = timers.clearInterval;
g.open = (path: string, mode?: string) => {
  if (vu().phase !== 'init')
    throw new K6ScriptError('open() can only be called in the init context, as in k6');
  const full = isAbsolute(path) ? path : resolve(dirname(data.scriptPath), path);
  const bytes = readFileSync(full);
  return mode === 'b'
    ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    : bytes.toString('utf8');
};
// k6 redacts secrets from what the script logs.
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const write = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    let text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    for (const secret of state.secrets) text = text.split(secret).join('***SECRET_REDACTED***');
    write(text);
  };
}

/** The first stack frame in the user's script, for an error message k6 users can act on. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack
    ?.split('\n')
    .find((l) => l.includes('file://') && !l.includes('/dist/') && !l.includes('/src/load/'));
  return frame ? `${error.message} (${frame.trim().replace(/^at /, 'at ')})` : error.message;
}

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

async function run(start: IterationStart): Promise<void> {
  state.iteration = start;
  state.phase = start.stage;
  g.__ITER = start.iterationInInstance;
  g.__ENV = start.scenario.env ? { ...baseEnv, ...start.scenario.env } : baseEnv;
  // k6 empties each VU's cookie jar before every iteration unless noCookiesReset is set.
  if (start.stage === 'vu' && state.options.noCookiesReset !== true) state.jar = new CookieJar();
  const began = performance.now();
  let end: IterationEnd;
  try {
    const fn = module[start.exec];
    if (typeof fn !== 'function')
      throw new K6ScriptError(`exported function ${start.exec} not found in the script`);
    let result = fn(start.argument);
    if (result && typeof (result as Promise<unknown>).then === 'function') result = await result;
    await timers.timersIdle();
    // k6's minIterationDuration: an iteration shorter than that waits out the rest.
    const minimum = state.options.minIterationDuration;
    if (start.stage === 'vu' && minimum !== undefined)
      state.channel.sleep(
        parseDuration(minimum as string, 'options.minIterationDuration') - (performance.now() - began),
      );
    end = {
      type: 'done',
      ok: true,
      ...(result !== undefined ? { result: JSON.parse(JSON.stringify(result)) as unknown } : {}),
      samples: takeSamples(),
    };
  } catch (error) {
    timers.clearAllTimers();
    const stopped = error instanceof VuStopped || state.channel.stopped;
    end = { type: 'done', ok: false, ...(stopped ? {} : { error: describe(error) }), samples: takeSamples() };
  }
  state.group = '';
  parentPort?.postMessage(end);
}
