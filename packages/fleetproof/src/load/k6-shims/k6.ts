import type { VuContext } from '../flow-runner.js';
import { sleep as vuSleep } from '../flow-runner.js';

/** k6 `check`: every predicate counts in the `checks` rate; true when all passed. */
export function check<T>(vu: VuContext, value: T, checks: Record<string, (value: T) => boolean>): boolean {
  let all = true;
  for (const predicate of Object.values(checks)) {
    let ok = false;
    try {
      ok = Boolean(predicate(value));
    } catch {
      ok = false;
    }
    vu.metrics.check(ok);
    all &&= ok;
  }
  return all;
}

/** k6 `sleep(seconds)`; the importer awaits it (VUs here are asynchronous, not threads). */
export function sleep(vu: VuContext, seconds: number): Promise<void> {
  return vuSleep(seconds * 1000, vu);
}
