/**
 * What a database fault did to the service, from probe samples through the listener and the fleet's events
 * (pure: samples and events in, outcome out). Times are in one clock (ms), samples' `t` when they started.
 */
export interface DbProbeSample {
  readonly t: number;
  readonly status: number;
  readonly ms: number;
}

export interface DbFaultEvent {
  readonly t: number;
  readonly reason: string;
  readonly data?: { to?: string; instanceId?: string } | undefined;
}

export interface ProbeFigures {
  requests: number;
  failed: number;
  p99Ms: number | undefined;
}

const ok = (s: DbProbeSample) => s.status >= 200 && s.status < 400;

/** Requests, failures (transport errors and 5xx) and p99 of the samples started in [fromT, toT). */
export function probeFigures(samples: readonly DbProbeSample[], fromT: number, toT: number): ProbeFigures {
  const inside = samples.filter((s) => s.t >= fromT && s.t < toT);
  const ms = inside.map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: inside.length,
    failed: inside.filter((s) => !ok(s)).length,
    p99Ms: ms.length > 0 ? ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] : undefined,
  };
}

/** Targets marked unhealthy, and instances replaced for it, in [fromT, toT]: health checks that flapped. */
export function healthFlaps(events: readonly DbFaultEvent[], fromT: number, toT: number) {
  const inside = events.filter((e) => e.t >= fromT && e.t <= toT);
  return {
    unhealthy: inside.filter((e) => e.data?.to === 'unhealthy').length,
    replaced: inside.filter((e) => e.reason === 'ReplaceUnhealthy').length,
  };
}

export interface DbRestartOutcome {
  /** Probe failures from the restart on. */
  during: ProbeFigures;
  /**
   * ms from the database being back until the service answered every probe from then on; undefined if it
   * never did within the samples.
   */
  recoveredAfterMs: number | undefined;
  flaps: { unhealthy: number; replaced: number };
}

export function dbRestartOutcome(
  samples: readonly DbProbeSample[],
  events: readonly DbFaultEvent[],
  fault: { at: number; backAt: number; endT: number },
): DbRestartOutcome {
  const after = samples.filter((s) => s.t >= fault.backAt && s.t < fault.endT);
  const lastFailure = after.findLast((s) => !ok(s));
  const firstGoodAfter = after.find((s) => ok(s) && (!lastFailure || s.t > lastFailure.t));
  return {
    during: probeFigures(samples, fault.at, fault.endT),
    recoveredAfterMs: firstGoodAfter ? Math.max(0, firstGoodAfter.t - fault.backAt) : undefined,
    flaps: healthFlaps(events, fault.at, fault.endT),
  };
}

export interface DbLatencyOutcome {
  before: ProbeFigures;
  during: ProbeFigures;
  flaps: { unhealthy: number; replaced: number };
}

export function dbLatencyOutcome(
  samples: readonly DbProbeSample[],
  events: readonly DbFaultEvent[],
  fault: { at: number; endsAt: number },
): DbLatencyOutcome {
  return {
    before: probeFigures(samples, Number.NEGATIVE_INFINITY, fault.at),
    during: probeFigures(samples, fault.at, fault.endsAt),
    flaps: healthFlaps(events, fault.at, fault.endsAt),
  };
}
