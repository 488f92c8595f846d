/** k6/timers: the VU thread's own timers; an iteration ends when its timers have run, as on k6's event loop. */
// The thread's own timers, captured before the runtime puts these in their place on globalThis.
const native = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
};
let pending = 0;
let idle: (() => void)[] = [];

const settle = () => {
  if (pending === 0) {
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  }
};

const handles = new Map<unknown, boolean>();

export function setTimeout(fn: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) {
  pending += 1;
  const handle = native.setTimeout(() => {
    handles.delete(handle);
    // In the fast path a callback that makes requests is async: it is pending until its promise settles.
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      pending -= 1;
      settle();
      throw error;
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).finally(() => {
        pending -= 1;
        settle();
      });
    } else {
      pending -= 1;
      settle();
    }
  }, ms);
  handles.set(handle, true);
  return handle;
}

export function clearTimeout(handle: unknown) {
  if (handles.delete(handle)) {
    pending -= 1;
    native.clearTimeout(handle as NodeJS.Timeout);
    settle();
  }
}

export function setInterval(fn: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) {
  pending += 1;
  const handle = native.setInterval(() => fn(...args), ms);
  handles.set(handle, true);
  return handle;
}

export function clearInterval(handle: unknown) {
  if (handles.delete(handle)) {
    pending -= 1;
    native.clearInterval(handle as NodeJS.Timeout);
    settle();
  }
}

/**
 * Resolves when no timer of the script is pending; undefined when none is now (the common case: an iteration
 * need not wait a turn for nothing).
 */
export function timersIdle(): Promise<void> | undefined {
  if (pending === 0) return undefined;
  return new Promise((resolve) => idle.push(resolve));
}

/** Stops every timer (the VU was stopped). */
export function clearAllTimers(): void {
  for (const handle of handles.keys()) native.clearTimeout(handle as NodeJS.Timeout);
  handles.clear();
  pending = 0;
  settle();
}

export default { setTimeout, clearTimeout, setInterval, clearInterval };
