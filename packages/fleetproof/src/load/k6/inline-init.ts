/**
 * First module of a VU's instance of the script in the fast path (compile-k6.ts bundles it before the
 * script): sets up the VU's own k6 modules before the script's init context runs.
 */
import * as timers from './modules/timers.js';
import { initVuState, type VuState } from './vu-state.js';

interface VuInit {
  state: Parameters<typeof initVuState>[0];
  installTimers(t: typeof timers): void;
  /** Hands the VU's state to its runner before the script's init context runs (open() reads it). */
  created(state: VuState): void;
}

const init = (globalThis as { __fpVuInit?: VuInit }).__fpVuInit;
if (!init) throw new Error('a VU instance of the script must be made by fleetproof (inline-vu.ts)');
export const __fpState: VuState = initVuState(init.state);
init.created(__fpState);
init.installTimers(timers);
export const __fpTimers = timers;
