import type { Policies } from './decide.js';
import type { GroupState, InstanceView } from './types.js';

export const S = 1000;
/** The fake clock's "now" in the decision tables. */
export const NOW = 10_000 * S;

/** An in-service, healthy instance in zone `za` launched `agoS` seconds before `now` (long past warmup). */
export function viewOf(id: string, over: Partial<InstanceView> = {}, now = NOW, agoS = 3600): InstanceView {
  return {
    id,
    templateVersion: 1,
    launchedAt: now - agoS * S,
    inServiceAt: now - agoS * S + 5 * S,
    lifecycle: 'in-service',
    running: true,
    targetHealth: 'healthy',
    zone: 'za',
    ...over,
  };
}

/** A settled group of these instances (desired = their count) in the one zone `za`, no refresh. */
export function groupOf(instances: InstanceView[], over: Partial<GroupState> = {}): GroupState {
  return {
    desired: instances.length,
    launchVersion: 1,
    instances,
    refresh: undefined,
    lastCapacityChangeAt: 0,
    lastEvaluatedDatapointAt: 0,
    zones: ['za'],
    closedZones: [],
    launchFailures: undefined,
    ...over,
  };
}

/** AWS-like policies for decision tables: 1–4 instances, 50% CPU, 5-minute grace and warmup, launch before terminate. */
export const POLICIES: Policies = {
  scaling: {
    min: 1,
    max: 4,
    targetCpuPercent: 50,
    scaleOutDatapoints: 3,
    scaleInDatapoints: 15,
    enabled: true,
    healthCheckGracePeriodMs: 300 * S,
    instanceWarmupMs: 300 * S,
    metricPeriodMs: 60 * S,
    launchRetryFirstMs: 10 * S,
  },
  refresh: {
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    skipMatching: true,
    autoRollback: true,
    maxFailedLaunches: 3,
  },
};
