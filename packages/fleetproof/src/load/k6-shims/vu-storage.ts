import { AsyncLocalStorage } from 'node:async_hooks';
import type { VuContext } from '../flow-runner.js';

/** The VU a k6 shim call belongs to: k6 scripts call http.get() with no handle on their VU. */
export const vuStorage = new AsyncLocalStorage<VuContext>();

export function currentVu(): VuContext {
  const vu = vuStorage.getStore();
  if (!vu) throw new Error('k6 API called outside a VU iteration (at module top level?): not supported');
  return vu;
}
