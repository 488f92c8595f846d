import type { FleetproofConfig } from '../config/schema.js';
import type { TimingProfile } from '../config/timing-profiles.js';
import type { MappedDuration } from './types.js';

/** A part of a measured duration that is set by a timing profile (the rest, e.g. boot time, is not). */
export interface TimingTerm {
  label: string;
  seconds: (profile: TimingProfile) => number;
}

/**
 * What a duration measured under the fast profile would be with AWS's defaults: the profile-driven terms are
 * swapped (fast values out, aws values in) and the remainder (process start, request drain, scheduling) is
 * kept as measured. E.g. a scale-out measured at 9 s = 3 datapoints × 2 s + a 1 s first health check + 2 s
 * boot → 3 × 60 s + 30 s + 2 s = 212 s with AWS's defaults.
 */
export function mapToAws(
  label: string,
  measuredMs: number,
  terms: readonly TimingTerm[],
  fast: TimingProfile,
  aws: TimingProfile,
): MappedDuration {
  const fastMs = terms.reduce((sum, term) => sum + term.seconds(fast) * 1000, 0);
  const awsMs = terms.reduce((sum, term) => sum + term.seconds(aws) * 1000, 0);
  const restMs = Math.max(0, measuredMs - fastMs);
  const parts = terms.map(
    (term) =>
      `${term.label}: ${formatSeconds(term.seconds(fast))} here, ${formatSeconds(term.seconds(aws))} on AWS`,
  );
  parts.push(`the rest (process start, draining, scheduling): ${formatSeconds(restMs / 1000)} as measured`);
  return { label, measuredMs, awsMs: awsMs + restMs, explanation: parts.join('; ') };
}

/** From CPU over target to the new instance taking traffic. */
export function scaleOutTerms(config: FleetproofConfig): TimingTerm[] {
  const n = config.scaling.scaleOutDatapoints;
  return [
    { label: `${n} datapoints over target × metric period`, seconds: (p) => n * p.metricPeriodSeconds },
    { label: 'first health check of the new target', seconds: (p) => p.healthCheckIntervalSeconds },
  ];
}

/** From the load stopping to the group deciding to scale in. */
export function scaleInTerms(config: FleetproofConfig): TimingTerm[] {
  const n = config.scaling.scaleInDatapoints;
  return [
    { label: `${n} datapoints under target × metric period`, seconds: (p) => n * p.metricPeriodSeconds },
  ];
}

/** From an instance stalling to the balancer marking it unhealthy. */
export function unhealthyTerms(config: FleetproofConfig): TimingTerm[] {
  const n = config.healthCheck.unhealthyThreshold;
  return [
    { label: `${n} failed health checks × interval`, seconds: (p) => n * p.healthCheckIntervalSeconds },
  ];
}

/** One instance refresh step: launch, first health check, warmup, then the old one drains and stops. */
export function refreshStepTerms(): TimingTerm[] {
  return [
    { label: 'first health check of the new instance', seconds: (p) => p.healthCheckIntervalSeconds },
    { label: 'instance warmup', seconds: (p) => p.instanceWarmupSeconds },
  ];
}

export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  const minutes = seconds / 60;
  return minutes < 90 ? `${Number(minutes.toFixed(1))} min` : `${Number((minutes / 60).toFixed(1))} h`;
}
