import { FleetError } from '../errors.js';
import type { Policies } from './decide.js';
import type { GroupState, ReasonCode } from './types.js';

/**
 * What a user may ask of a running group beyond desired capacity and a refresh, as the Auto Scaling API has
 * it: new limits (UpdateAutoScalingGroup), a new CPU target (PutScalingPolicy), cancelling or rolling back
 * the refresh, and an instance marked unhealthy (SetInstanceHealth).
 */
export type GroupRequest =
  | { readonly kind: 'limits'; readonly min?: number; readonly max?: number; readonly desired?: number }
  | { readonly kind: 'cpu-target'; readonly targetCpuPercent: number }
  | { readonly kind: 'cancel-refresh' }
  | { readonly kind: 'rollback-refresh' }
  | { readonly kind: 'unhealthy'; readonly instanceId: string };

export interface RequestOutcome {
  readonly state: GroupState;
  readonly policies: Policies;
  readonly event: { readonly reason: string; readonly message: string; readonly data?: object };
  /** An instance to terminate gracefully (the group then replaces it). */
  readonly terminate?: { readonly instanceId: string; readonly reason: ReasonCode };
}

const usage = (message: string) => new FleetError('FLEET_ERR_USAGE', message);

/** The request applied to the group's state and policies, pure; throws FLEET_ERR_USAGE when it cannot apply. */
export function applyRequest(
  state: GroupState,
  policies: Policies,
  request: GroupRequest,
  now: number,
): RequestOutcome {
  switch (request.kind) {
    case 'limits': {
      const min = request.min ?? policies.scaling.min;
      const max = request.max ?? policies.scaling.max;
      if (min > max) throw usage(`min size ${min} is above max size ${max}`);
      const desired = request.desired ?? Math.min(max, Math.max(min, state.desired));
      if (desired < min || desired > max)
        throw usage(`desired capacity ${desired} is outside min ${min} and max ${max}`);
      return {
        state: desired === state.desired ? state : { ...state, desired, lastCapacityChangeAt: now },
        policies: { ...policies, scaling: { ...policies.scaling, min, max } },
        event: {
          reason: 'GroupUpdated',
          message: `min ${min}, max ${max}, desired ${state.desired} → ${desired} (UpdateAutoScalingGroup)`,
          data: { min, max, desired },
        },
      };
    }
    case 'cpu-target':
      return {
        state,
        policies: {
          ...policies,
          scaling: { ...policies.scaling, targetCpuPercent: request.targetCpuPercent },
        },
        event: {
          reason: 'PolicyUpdated',
          message: `target tracking: CPU target ${policies.scaling.targetCpuPercent}% → ${request.targetCpuPercent}%`,
          data: { targetCpuPercent: request.targetCpuPercent },
        },
      };
    case 'cancel-refresh': {
      const refresh = state.refresh;
      if (refresh?.status !== 'in-progress') throw usage('no instance refresh is in progress');
      return {
        state: { ...state, refresh: { ...refresh, status: 'cancelled' } },
        policies,
        event: {
          reason: 'RefreshCancelled',
          message: `instance refresh ${refresh.id} cancelled: instances replaced so far stay`,
          data: { refreshId: refresh.id },
        },
      };
    }
    case 'rollback-refresh': {
      const refresh = state.refresh;
      if (refresh?.status !== 'in-progress' || refresh.rollbackOf !== undefined)
        throw usage('no instance refresh is in progress to roll back');
      const rollback = {
        ...refresh,
        fromVersion: refresh.toVersion,
        toVersion: refresh.fromVersion,
        startedAt: now,
        failedLaunches: 0,
        totalToReplace: state.instances.filter((i) => i.templateVersion === refresh.toVersion).length,
        rollbackOf: refresh.id,
        // Only the instances the refresh launched go: the old ones already run the previous version.
        policy: { ...(refresh.policy ?? policies.refresh), skipMatching: true },
      };
      return {
        state: { ...state, launchVersion: refresh.fromVersion, refresh: rollback },
        policies,
        event: {
          reason: 'RefreshRollbackStarted',
          message: `instance refresh ${refresh.id} rolled back: v${refresh.toVersion} instances are replaced with v${refresh.fromVersion}`,
          data: { refreshId: refresh.id },
        },
      };
    }
    case 'unhealthy': {
      const instance = state.instances.find(
        (i) => i.id === request.instanceId && i.lifecycle !== 'terminating',
      );
      if (!instance) throw usage(`instance ${request.instanceId} is not in the group`);
      return {
        state,
        policies,
        event: {
          reason: 'SetInstanceHealth',
          message: `${instance.id} set Unhealthy by request: terminate, then launch a replacement`,
          data: { instanceId: instance.id },
        },
        terminate: { instanceId: instance.id, reason: 'ReplaceUnhealthy' },
      };
    }
  }
}
