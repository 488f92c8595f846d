import { parseDuration } from '../schedule/durations.js';
import { CookieJar } from './cookie-jar.js';
import { K6ScriptError, type VuState, VuStopped } from './vu-state.js';
import type { IterationEnd, IterationStart } from './wire.js';

/** One VU's instance of the script, on its own thread or inline: what an iteration needs of it. */
export interface VuInstance {
  module: Record<string, unknown>;
  state: VuState;
  timers: { timersIdle(): Promise<void> | undefined; clearAllTimers(): void };
  /** __ITER and __ENV as the script sees them (globals on a thread, the instance's own in the fast path). */
  setIter(n: number): void;
  setEnv(env: Record<string, string | undefined>): void;
  baseEnv: Record<string, string | undefined>;
}

/** The first stack frame in the user's script, for an error message k6 users can act on. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack
    ?.split('\n')
    .find(
      (l) =>
        /\bat\b/.test(l) && !l.includes('/dist/load/') && !l.includes('/src/load/') && !l.includes('node:'),
    );
  return frame ? `${error.message} (${frame.trim()})` : error.message;
}

/**
 * Runs one exported function as k6 runs an iteration: __ITER and the scenario's env set, the cookie jar
 * emptied (unless noCookiesReset), the function awaited with its timers, minIterationDuration waited out,
 * and its samples handed back.
 */
export async function runIteration(vu: VuInstance, start: IterationStart): Promise<IterationEnd> {
  const { state, module, timers } = vu;
  state.iteration = start;
  state.phase = start.stage;
  vu.setIter(start.iterationInInstance);
  vu.setEnv(start.scenario.env ? { ...vu.baseEnv, ...start.scenario.env } : vu.baseEnv);
  if (start.stage === 'vu' && state.options.noCookiesReset !== true) state.jar = new CookieJar();
  const minimum = start.stage === 'vu' ? state.options.minIterationDuration : undefined;
  const began = minimum !== undefined ? performance.now() : 0;
  let end: IterationEnd;
  try {
    const fn = module[start.exec];
    if (typeof fn !== 'function')
      throw new K6ScriptError(`exported function ${start.exec} not found in the script`);
    let result = (fn as (data: unknown) => unknown)(start.argument);
    if (result && typeof (result as Promise<unknown>).then === 'function') result = await result;
    const timersPending = timers.timersIdle();
    if (timersPending) await timersPending;
    if (minimum !== undefined) {
      const rest =
        parseDuration(minimum as string, 'options.minIterationDuration') - (performance.now() - began);
      if (rest > 0) await state.transport.sleep(rest);
    }
    end = { type: 'done', ok: true, samples: state.samples };
    if (result !== undefined) end.result = JSON.parse(JSON.stringify(result)) as unknown;
  } catch (error) {
    timers.clearAllTimers();
    const stopped = error instanceof VuStopped || state.transport.stopped;
    end = {
      type: 'done',
      ok: false,
      ...(stopped ? {} : { error: describeError(error) }),
      samples: state.samples,
    };
  }
  state.samples = [];
  state.group = '';
  return end;
}
