import type { InstanceView } from './types.js';

/** Counts toward capacity: not being terminated and the process still running. */
export const isActive = (i: InstanceView) => i.lifecycle !== 'terminating' && i.running;

export const isWarming = (i: InstanceView, now: number, warmupMs: number) =>
  i.inServiceAt === undefined || now - i.inServiceAt < warmupMs;

/** Serving and past warmup: what an instance refresh waits for before replacing the next one. */
export const isReady = (i: InstanceView, now: number, warmupMs: number) =>
  isActive(i) && i.lifecycle === 'in-service' && i.targetHealth === 'healthy' && !isWarming(i, now, warmupMs);

/**
 * Termination order for scale-in and refresh: oldest launch template version first, then the oldest instance
 * (AWS's default policy after zone balance: zones.ts pickVictims), then id for a stable order.
 */
export function byTerminationOrder(a: InstanceView, b: InstanceView): number {
  return a.templateVersion - b.templateVersion || a.launchedAt - b.launchedAt || a.id.localeCompare(b.id);
}
