import type { Balancer } from '../balancer/balancer.js';
import type { InstanceRecord } from './auto-scaling-group.js';
import type { CpuDatapoints } from './cpu-datapoints.js';
import type { Policies } from './decide.js';
import { isActive, isWarming } from './instance-predicates.js';
import type { GroupState, InstanceView, RefreshState } from './types.js';

export interface InstanceStatus {
  id: string;
  appVersion: string;
  /** The git commit it runs (deploy --ref), or undefined for the project's own folder. */
  release: string | undefined;
  templateVersion: number;
  zone: string;
  lifecycle: InstanceView['lifecycle'];
  health: InstanceView['targetHealth'];
  healthReason: string | undefined;
  warming: boolean;
  cpuPercent: number | undefined;
  address: string;
  pid: number;
  launchedAt: number;
  inServiceAt: number | undefined;
}

export interface GroupStatus {
  desired: number;
  min: number;
  max: number;
  launchAppVersion: string;
  /** The launch template version new instances get (1, 2, …). */
  launchTemplateVersion: number;
  /** The running target tracking policy's CPU target (PutScalingPolicy may have changed it). */
  targetCpuPercent: number;
  instances: InstanceStatus[];
  refresh: (RefreshState & { fromAppVersion: string; toAppVersion: string; remaining: number }) | undefined;
  lastDatapoint: { endsAt: number; averageCpuPercent: number | undefined } | undefined;
  zones: readonly string[];
  /** Zones where launches fail now (faults). */
  closedZones: GroupState['closedZones'];
  launchFailures: GroupState['launchFailures'];
}

/** The group as the CLI, the control API and the metrics see it: a plain, JSON-ready snapshot. */
export function describeGroup(input: {
  state: GroupState;
  records: readonly InstanceRecord[];
  templates: readonly string[];
  policies: Policies;
  balancer: Balancer;
  cpu: CpuDatapoints;
  now: number;
}): GroupStatus {
  const { state, templates, now } = input;
  const refresh = state.refresh;
  const warmupMs = input.policies.scaling.instanceWarmupMs;
  return {
    desired: state.desired,
    min: input.policies.scaling.min,
    max: input.policies.scaling.max,
    launchAppVersion: templates[state.launchVersion] ?? '',
    launchTemplateVersion: state.launchVersion,
    targetCpuPercent: input.policies.scaling.targetCpuPercent,
    instances: input.records.map(({ view, process, appVersion, release }) => ({
      id: view.id,
      appVersion,
      release: release?.sha,
      templateVersion: view.templateVersion,
      zone: view.zone,
      lifecycle: view.lifecycle,
      // Live from the target group: the view's copy is only as fresh as the last reconcile tick.
      health:
        input.balancer.group.get(view.id)?.state ??
        (view.lifecycle === 'pending' ? 'unused' : view.targetHealth),
      healthReason: input.balancer.group.get(view.id)?.reason,
      warming: view.lifecycle !== 'terminating' && isWarming(view, now, warmupMs),
      cpuPercent: input.cpu.current(view.id),
      address: `${process.host}:${process.port}`,
      pid: process.pid,
      launchedAt: view.launchedAt,
      inServiceAt: view.inServiceAt,
    })),
    refresh: refresh && {
      ...refresh,
      fromAppVersion: templates[refresh.fromVersion] ?? '',
      toAppVersion: templates[refresh.toVersion] ?? '',
      remaining: state.instances.filter((i) => isActive(i) && i.templateVersion !== refresh.toVersion).length,
    },
    lastDatapoint: input.cpu.datapoints.at(-1),
    zones: state.zones,
    closedZones: state.closedZones,
    launchFailures: state.launchFailures,
  };
}
