import { isActive, isWarming } from './instance-predicates.js';
import type { Datapoint, GroupState, ReasonCode, ScalingPolicy } from './types.js';

export interface CapacityChange {
  readonly desired: number;
  readonly reason: ReasonCode;
  readonly message: string;
}

/**
 * Target tracking on average CPU, as EC2 Auto Scaling does it:
 * - scale out when the last `scaleOutDatapoints` datapoints (3 by default) are all above target;
 *   scale in when the last `scaleInDatapoints` (15) are all below it; missing data never scales in;
 * - new capacity = ceil(capacity × metric / target), which rounds toward availability
 *   (1 instance at 75% of a 50% target → 1.5 → 2; 3 instances at 25% → 1.5 → 2, i.e. remove only 1);
 * - instances in warmup are left out of the metric and out of the capacity multiplied, but they are part
 *   of desired, so a scale-out in progress is not repeated; no scale-in while any instance is warming;
 * - only datapoints whose whole period follows the last capacity change count (the metric must reflect it).
 * Returns undefined when nothing changes.
 */
export function evaluateTargetTracking(
  state: GroupState,
  policy: ScalingPolicy,
  datapoints: readonly Datapoint[],
  now: number,
): CapacityChange | undefined {
  const fresh = datapoints.filter((d) => d.endsAt - policy.metricPeriodMs >= state.lastCapacityChangeAt);
  const latest = fresh.at(-1);
  if (!latest || latest.averageCpuPercent === undefined) return undefined;
  const metric = latest.averageCpuPercent;
  const target = policy.targetCpuPercent;
  const active = state.instances.filter(isActive);
  const counted = active.filter((i) => !isWarming(i, now, policy.instanceWarmupMs));

  const outWindow = fresh.slice(-policy.scaleOutDatapoints);
  if (
    outWindow.length === policy.scaleOutDatapoints &&
    outWindow.every((d) => (d.averageCpuPercent ?? 0) > target)
  ) {
    const wanted = Math.ceil((counted.length * metric) / target);
    if (wanted <= state.desired) return undefined;
    if (state.desired >= policy.max) {
      return {
        desired: state.desired,
        reason: 'AtMaxCapacity',
        message: `CPU ${metric.toFixed(1)}% > target ${target}% for ${outWindow.length} datapoints: wanted ${wanted} instances, already at max ${policy.max}`,
      };
    }
    const desired = Math.min(policy.max, wanted);
    return {
      desired,
      reason: 'ScaleOutCpuHigh',
      message: `CPU ${metric.toFixed(1)}% > target ${target}% for ${outWindow.length} datapoints: ceil(${counted.length} × ${metric.toFixed(1)} / ${target}) = ${wanted} → desired ${state.desired} → ${desired}`,
    };
  }

  const inWindow = fresh.slice(-policy.scaleInDatapoints);
  const anyWarming = active.some((i) => isWarming(i, now, policy.instanceWarmupMs));
  if (
    inWindow.length === policy.scaleInDatapoints &&
    inWindow.every((d) => d.averageCpuPercent !== undefined && d.averageCpuPercent < target) &&
    !anyWarming &&
    state.refresh?.status !== 'in-progress'
  ) {
    const wanted = Math.max(policy.min, Math.ceil((counted.length * metric) / target));
    if (wanted >= state.desired) return undefined;
    return {
      desired: wanted,
      reason: 'ScaleInCpuLow',
      message: `CPU ${metric.toFixed(1)}% < target ${target}% for ${inWindow.length} datapoints: ceil(${counted.length} × ${metric.toFixed(1)} / ${target}) → desired ${state.desired} → ${wanted}`,
    };
  }
  return undefined;
}
