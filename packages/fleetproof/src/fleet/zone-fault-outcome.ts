import { launchRetryDelayMs } from './zones.js';

/** What followed a zone outage or a launch-failure fault, read from the fleet's events (pure). */
export interface ZoneFaultEvent {
  readonly t: number;
  readonly reason: string;
  readonly data?:
    | { instanceId?: string; zone?: string; cause?: string; attempt?: number; retryInMs?: number }
    | undefined;
}

export interface OutageOutcome {
  /** ms from the fault until as many instances as it stopped were in service in other zones. */
  restoredAfterMs: number | undefined;
  /** Whether the zones were more than one instance apart when the fault ended. */
  rebalanceNeeded: boolean;
  /** ms from the fault's end until the group had launched into the zone and terminated in the long one. */
  rebalancedAfterMs: number | undefined;
}

/** The zone of every instance alive at `untilT`, from launch and termination events. */
function zonesAt(events: readonly ZoneFaultEvent[], untilT: number): Map<string, string> {
  const alive = new Map<string, string>();
  for (const e of events) {
    if (e.t > untilT || !e.data?.instanceId) continue;
    if (e.reason === 'InstanceLaunched' && e.data.zone) alive.set(e.data.instanceId, e.data.zone);
    if (e.reason === 'InstanceTerminated') alive.delete(e.data.instanceId);
  }
  return alive;
}

export function outageOutcome(
  events: readonly ZoneFaultEvent[],
  fault: { zone: string; zones: readonly string[]; stopped: readonly string[]; at: number; endsAt: number },
): OutageOutcome {
  const launchedIn = new Map<string, string>();
  for (const e of events)
    if (e.reason === 'InstanceLaunched' && e.data?.instanceId && e.data.zone)
      launchedIn.set(e.data.instanceId, e.data.zone);
  const replacements = events.filter(
    (e) =>
      e.t >= fault.at &&
      e.reason === 'InstanceInService' &&
      e.data?.instanceId !== undefined &&
      launchedIn.get(e.data.instanceId) !== fault.zone,
  );
  const restored = fault.stopped.length === 0 ? fault.at : replacements[fault.stopped.length - 1]?.t;
  const atEnd = [...zonesAt(events, fault.endsAt).values()];
  const counts = fault.zones.map((z) => atEnd.filter((x) => x === z).length);
  const rebalanceNeeded = Math.max(...counts) - Math.min(...counts) > 1;
  const rebalanceLaunch = events.find(
    (e) => e.t >= fault.endsAt && e.reason === 'InstanceLaunched' && e.data?.cause === 'AZRebalance',
  );
  const rebalanced =
    rebalanceLaunch &&
    events.find(
      (e) =>
        e.t >= rebalanceLaunch.t &&
        e.reason === 'InstanceTerminated' &&
        e.data?.cause === 'TerminateAboveDesired',
    );
  return {
    restoredAfterMs: restored === undefined ? undefined : restored - fault.at,
    rebalanceNeeded,
    rebalancedAfterMs: rebalanced ? rebalanced.t - fault.endsAt : undefined,
  };
}

export interface LaunchFailureOutcome {
  /** ms after the fault of each failed launch attempt (a failed scaling activity). */
  attemptsAtMs: number[];
  /** The most attempts the doubling backoff allows in the fault's time (a crash loop makes many more). */
  allowedAttempts: number;
  /** ms from the fault's end until an instance entered service, if one was wanted. */
  restoredAfterMs: number | undefined;
}

/** Attempts a doubling backoff from `firstMs` makes in `forMs`: at 0, first, 3 × first, 7 × first, … */
export function attemptsWithin(forMs: number, firstMs: number): number {
  let n = 0;
  for (let t = 0; t <= forMs; t += launchRetryDelayMs(n, firstMs)) n += 1;
  return n;
}

export function launchFailureOutcome(
  events: readonly ZoneFaultEvent[],
  fault: { at: number; endsAt: number; retryFirstMs: number },
): LaunchFailureOutcome {
  const attempts = events.filter(
    (e) => e.t >= fault.at && e.t <= fault.endsAt && e.reason === 'LaunchFailed',
  );
  const served = events.find((e) => e.t >= fault.endsAt && e.reason === 'InstanceInService');
  return {
    attemptsAtMs: attempts.map((e) => e.t - fault.at),
    allowedAttempts: attemptsWithin(fault.endsAt - fault.at, fault.retryFirstMs),
    restoredAfterMs: attempts.length > 0 && served ? served.t - fault.endsAt : undefined,
  };
}
