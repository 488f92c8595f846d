import type { LoadSummary } from '../load/load-metrics.js';
import type { FleetSecond, LoadSecond, RunRecording, TimelineEvent } from './types.js';

/**
 * Literal recordings for the judges' tests: a run is its per-second load, per-second fleet and events, as
 * the runner records them (run-relative ms). Only the fields a judge reads need values.
 */
export function loadSecond(t: number, rps: number, failed = 0, p99Ms = 10): LoadSecond {
  return {
    t,
    elapsedMs: t,
    rps,
    failed,
    errors: {},
    p50Ms: p99Ms / 2,
    p95Ms: p99Ms,
    p99Ms,
    vus: 1,
    dropped: 0,
  };
}

export function fleetSecond(
  t: number,
  o: { cpu?: number; groupCpu?: number; inService?: number; targets?: FleetSecond['targets'] } = {},
): FleetSecond {
  return {
    t,
    rps: 0,
    target2xx: 0,
    target4xx: 0,
    target5xx: 0,
    elb4xx: 0,
    elb5xx: 0,
    clientClosed: 0,
    p50Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    healthy: o.inService ?? 1,
    inService: o.inService ?? 1,
    desired: o.inService ?? 1,
    failingOpen: false,
    groupCpuPercent: o.groupCpu,
    groupCpuEndsAt: o.groupCpu === undefined ? undefined : t,
    targets: o.targets ?? [
      {
        id: 'i-a',
        appVersion: 'v1',
        health: 'healthy',
        cpuPercent: o.cpu,
        rps: 0,
        errors: 0,
        inFlight: 0,
        p95Ms: 0,
      },
    ],
  };
}

export function summary(
  requests: number,
  failed: number,
  p99: number,
  codes: Record<string, number> = {},
): LoadSummary {
  const trend = {
    count: requests,
    avg: p99 / 3,
    min: 1,
    med: p99 / 3,
    max: p99,
    p90: p99 / 2,
    p95: p99 / 2,
    p99,
  };
  return {
    durationMs: 10_000,
    http_reqs: { count: requests, rate: requests / 10 },
    http_req_failed: { rate: requests ? failed / requests : 0, passes: failed, fails: requests - failed },
    http_req_duration: trend,
    http_req_waiting: trend,
    iteration_duration: trend,
    iterations: { count: requests, rate: requests / 10 },
    dropped_iterations: 0,
    checks: { rate: 1, passes: 0, fails: 0 },
    data_received: 0,
    data_sent: 0,
    vus: { min: 0, max: 1 },
    vusers: { created: requests, completed: requests - failed, failed },
    errors: {},
    codes,
  };
}

export function run(o: Partial<RunRecording> & { events?: TimelineEvent[] }): RunRecording {
  return {
    label: 'test',
    setup: '',
    startedAt: 0,
    durationMs: 30_000,
    runDir: '',
    fleet: [],
    load: [],
    events: [],
    summary: undefined,
    ...o,
  };
}

export const event = (t: number, reason: string, message = reason): TimelineEvent => ({ t, reason, message });
