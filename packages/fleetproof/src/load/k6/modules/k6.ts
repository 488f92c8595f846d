/** The k6 module: check, group, sleep, fail, randomSeed, on the VU's own thread. */
import { baseTags, emit, K6ScriptError, VuStopped, vu } from '../vu-state.js';

/** k6 check: each entry (a predicate, or a value taken as true/false) is one sample of the `checks` rate. */
export function check<T>(
  value: T,
  sets: Record<string, unknown>,
  tags: Record<string, string> = {},
): boolean {
  let all = true;
  for (const [name, predicate] of Object.entries(sets)) {
    // A predicate that throws stops the iteration, as in k6.
    const ok = Boolean(typeof predicate === 'function' ? predicate(value) : predicate);
    emit({
      metric: 'checks',
      type: 'rate',
      isTime: false,
      value: ok ? 1 : 0,
      tags: { ...baseTags(), ...tags, check: name },
    });
    all &&= ok;
  }
  return all;
}

/**
 * k6 group: runs fn inside the group (its checks and requests carry the group tag) and times it. In the fast
 * path fn is async (the rewritten script awaits group), so the group ends when fn's promise settles.
 */
export function group<T>(name: string, fn: () => T): T {
  const state = vu();
  if (name.includes('::'))
    throw new K6ScriptError(`group name ${JSON.stringify(name)}: "::" is reserved by k6`);
  const parent = state.group;
  state.group = `${parent}::${name}`;
  const started = performance.now();
  const finish = () => {
    emit({
      metric: 'group_duration',
      type: 'trend',
      isTime: true,
      value: performance.now() - started,
      tags: baseTags(),
    });
    state.group = parent;
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    finish();
    throw error;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (value) => {
        finish();
        return value;
      },
      (error: unknown) => {
        finish();
        throw error;
      },
    ) as T;
  }
  finish();
  return result;
}

export function sleep(seconds: number): void | Promise<void> {
  const { transport } = vu();
  const slept = transport.sleep(Number(seconds) * 1000);
  const after = () => {
    if (transport.stopped) throw new VuStopped();
  };
  if (slept) return slept.then(after);
  after();
}

export function fail(message = ''): never {
  throw new K6ScriptError(message);
}

/** k6 randomSeed: Math.random becomes a seeded generator for this VU (mulberry32). */
export function randomSeed(seed: number): void {
  let a = Math.floor(Number(seed)) >>> 0;
  Math.random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export default { check, group, sleep, fail, randomSeed };
