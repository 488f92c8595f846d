import type { FleetproofConfig } from '../config/schema.js';
import type { LoadSummary } from '../load/load-metrics.js';
import { mapToAws, scaleOutTerms } from './time-mapping.js';
import type { MappedDuration, ProveContext, RunRecording, TimelineEvent } from './types.js';

/** The first event with one of these reasons at or after `fromMs` (run-relative). */
export function firstEvent(run: RunRecording, reasons: string[], fromMs = 0): TimelineEvent | undefined {
  return run.events.find((e) => e.t >= fromMs && reasons.includes(e.reason));
}

export function countEvents(run: RunRecording, reasons: string[]): number {
  return run.events.filter((e) => reasons.includes(e.reason)).length;
}

/** The highest CPU datapoint target tracking saw (the group average over one metric period). */
export function peakGroupCpu(run: RunRecording): number {
  return Math.max(0, ...run.fleet.map((p) => p.groupCpuPercent ?? 0));
}

export function peakInstances(run: RunRecording): number {
  return Math.max(0, ...run.fleet.map((p) => p.inService));
}

/** Responses the load generator got with a 5xx status (from the balancer or from a target). */
export function fiveXxResponses(summary: LoadSummary | undefined): number {
  return Object.entries(summary?.codes ?? {})
    .filter(([code]) => code.startsWith('5'))
    .reduce((n, [, count]) => n + count, 0);
}

export interface LoadFigures {
  requests: number;
  failedRequests: number;
  timeoutsPercent: number;
  users: number;
  failedUsers: number;
  failedUsersPercent: number;
  p99Ms: number;
}

export function loadFigures(summary: LoadSummary | undefined): LoadFigures {
  if (!summary) throw new Error('the run has no load summary');
  const requests = summary.http_reqs.count;
  const users = summary.vusers.created;
  return {
    requests,
    failedRequests: summary.http_req_failed.passes,
    timeoutsPercent: percent(summary.errors.ETIMEDOUT ?? 0, requests),
    users,
    failedUsers: summary.vusers.failed,
    failedUsersPercent: percent(summary.vusers.failed, users),
    p99Ms: summary.http_req_duration.p99,
  };
}

export const percent = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);
export const pct = (value: number) => `${value.toFixed(1)}%`;
export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** The group's CPU datapoints seen during a run, once each, in order (run-relative end times). */
export function groupDatapoints(run: RunRecording): { endsAt: number; cpu: number | undefined }[] {
  const seen = new Map<number, number | undefined>();
  for (const p of run.fleet) {
    if (p.groupCpuEndsAt !== undefined) seen.set(p.groupCpuEndsAt - run.startedAt, p.groupCpuPercent);
  }
  return [...seen.entries()].map(([endsAt, cpu]) => ({ endsAt, cpu }));
}

/** The longest run of consecutive datapoints over the target (target tracking scales out at 3). */
export function longestBreach(run: RunRecording, targetPercent: number): number {
  let longest = 0;
  let current = 0;
  for (const d of groupDatapoints(run)) {
    current = d.cpu !== undefined && d.cpu > targetPercent ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

export function meanGroupCpu(run: RunRecording): number {
  const values = groupDatapoints(run)
    .map((d) => d.cpu)
    .filter((c) => c !== undefined);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/**
 * When the CPU streak behind a decision began: the start of the earliest datapoint in the unbroken run of
 * datapoints on the decision's side of the target (over it for a scale-out, under it for a scale-in).
 */
export function streakStartMs(
  run: RunRecording,
  decidedAt: number,
  onSide: (cpu: number) => boolean,
  periodMs: number,
): number {
  let start = decidedAt;
  for (const d of groupDatapoints(run).reverse()) {
    if (d.endsAt > decidedAt) continue;
    if (d.cpu === undefined || !onSide(d.cpu)) break;
    start = d.endsAt - periodMs;
  }
  return Math.max(0, start);
}

/** The first scale-out of a run, from the CPU breach to the new instance healthy, mapped to AWS timings. */
export function scaleOutMapping(
  run: RunRecording,
  config: FleetproofConfig,
  context: ProveContext,
): MappedDuration[] {
  const decided = firstEvent(run, ['ScaleOutCpuHigh']);
  const healthy = decided && firstEvent(run, ['Target.Healthy'], decided.t);
  if (!decided || !healthy) return [];
  const target = config.scaling.targetCpuPercent;
  const from = streakStartMs(run, decided.t, (cpu) => cpu > target, context.fast.metricPeriodSeconds * 1000);
  return [
    mapToAws(
      'scale-out: CPU over target → new instance healthy',
      healthy.t - from,
      scaleOutTerms(config),
      context.fast,
      context.aws,
    ),
  ];
}
