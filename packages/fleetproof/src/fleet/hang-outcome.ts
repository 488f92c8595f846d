/** What followed a hang fault, read from the fleet's events (pure: events in, outcome out). */
export interface HangEvent {
  readonly t: number;
  readonly reason: string;
  readonly data?: { instanceId?: string; from?: string; to?: string } | undefined;
}

export interface HangOutcome {
  /** ms from the hang until the target group marked it unhealthy. */
  detectedAfterMs: number | undefined;
  /** ms from the hang until it was terminated. */
  terminatedAfterMs: number | undefined;
  /** ms from the hang until another instance entered service after it was marked unhealthy. */
  replacedAfterMs: number | undefined;
}

export function hangOutcome(events: readonly HangEvent[], victim: string, hungAt: number): HangOutcome {
  const after = events.filter((e) => e.t >= hungAt);
  const unhealthy = after.find((e) => e.data?.instanceId === victim && e.data?.to === 'unhealthy');
  const terminated = after.find((e) => e.reason === 'InstanceTerminated' && e.data?.instanceId === victim);
  const replaced = unhealthy
    ? after.find(
        (e) => e.reason === 'InstanceInService' && e.data?.instanceId !== victim && e.t >= unhealthy.t,
      )
    : undefined;
  const since = (e: HangEvent | undefined) => (e ? e.t - hungAt : undefined);
  return {
    detectedAfterMs: since(unhealthy),
    terminatedAfterMs: since(terminated),
    replacedAfterMs: since(replaced),
  };
}

/** Done once detected, terminated and replaced (or when one of them can no longer be waited for). */
export const hangSettled = (o: HangOutcome) =>
  o.detectedAfterMs !== undefined && o.terminatedAfterMs !== undefined && o.replacedAfterMs !== undefined;
