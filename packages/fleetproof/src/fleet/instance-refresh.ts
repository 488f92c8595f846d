import { byTerminationOrder, isActive, isReady } from './instance-predicates.js';
import type {
  GroupState,
  LaunchIntent,
  RefreshPolicy,
  RefreshState,
  ScalingPolicy,
  TerminateAction,
} from './types.js';

export interface RefreshStep {
  readonly refresh: RefreshState;
  readonly actions: (LaunchIntent | TerminateAction)[];
  readonly messages: { reason: LaunchIntent['reason'] | 'RefreshSuccessful'; message: string }[];
}

/**
 * One bounded step of an instance refresh (called once per reconcile tick).
 *
 * With D = desired, min = ceil(D × MinHealthy%), max = floor(D × MaxHealthy%):
 * - MaxHealthy > 100 (launch before terminate): launch new instances while the group has fewer than max,
 *   up to D new ones; terminate an old instance only when a ready new one (healthy in the target group and
 *   past warmup) covers it: old + readyNew − D, and never below min healthy.
 * - MaxHealthy = 100 (terminate first, AWS's default): when no replacement is pending, terminate
 *   max(1, healthy − min) old instances; the capacity rule then launches their replacements.
 *
 * Worked example, D = 2, Min 100%, Max 150% (min = 2, max = 3), old a and b:
 *   tick 1: 2 active < 3 → launch n1.                  (a, b, n1 starting)
 *   tick k: n1 ready → old 2 + readyNew 1 − D = 1 → terminate a (healthy 3 − 1 = 2 ≥ min).
 *   next:   active b, n1 < 3 → launch n2; when n2 is ready → terminate b; then every instance is new → done.
 */
export function refreshStep(
  state: GroupState,
  refresh: RefreshState,
  refreshPolicy: RefreshPolicy,
  scaling: ScalingPolicy,
  now: number,
): RefreshStep {
  const D = state.desired;
  const minHealthy = Math.ceil((D * refreshPolicy.minHealthyPercent) / 100);
  const maxTotal = Math.max(D, Math.floor((D * refreshPolicy.maxHealthyPercent) / 100));
  const active = state.instances.filter(isActive);
  const isOld = (i: (typeof active)[number]) =>
    i.templateVersion !== refresh.toVersion ||
    (!refreshPolicy.skipMatching && i.launchedAt < refresh.startedAt);
  const old = active.filter(isOld).sort(byTerminationOrder);
  const fresh = active.filter((i) => !isOld(i));
  const readyNew = fresh.filter((i) =>
    isReady(i, now, refreshPolicy.instanceWarmupMs ?? scaling.instanceWarmupMs),
  ).length;
  const healthyOld = old.filter((i) => i.lifecycle === 'in-service' && i.targetHealth === 'healthy').length;
  const healthy = healthyOld + readyNew;
  const actions: RefreshStep['actions'] = [];
  const messages: RefreshStep['messages'] = [];
  const progress = () => `${refresh.totalToReplace - old.length}/${refresh.totalToReplace} replaced`;

  if (old.length === 0) {
    if (readyNew >= D) {
      messages.push({
        reason: 'RefreshSuccessful',
        message: `all ${D} instance(s) run version ${refresh.toVersion}`,
      });
      return { refresh: { ...refresh, status: 'successful' }, actions, messages };
    }
    return { refresh, actions, messages };
  }

  if (refreshPolicy.maxHealthyPercent > 100) {
    const launch = Math.min(maxTotal - active.length, D - fresh.length);
    if (launch > 0) {
      actions.push({
        type: 'launch',
        count: launch,
        templateVersion: refresh.toVersion,
        reason: 'RefreshLaunch',
      });
      messages.push({
        reason: 'RefreshLaunch',
        message: `launch ${launch} v${refresh.toVersion} before terminating (${active.length} running, max ${maxTotal}); ${progress()}`,
      });
    }
    const terminate = Math.min(old.length, old.length + readyNew - D, healthy - minHealthy);
    for (const victim of old.slice(0, Math.max(0, terminate))) {
      actions.push({ type: 'terminate', instanceId: victim.id, reason: 'RefreshTerminate' });
      messages.push({
        reason: 'RefreshTerminate',
        message: `terminate ${victim.id} (v${victim.templateVersion}): a ready v${refresh.toVersion} instance replaces it; ${progress()}`,
      });
    }
    return { refresh, actions, messages };
  }

  const replacementPending = fresh.length > readyNew || active.length < D;
  if (!replacementPending) {
    const terminate = Math.min(old.length, Math.max(1, healthy - minHealthy));
    for (const victim of old.slice(0, terminate)) {
      actions.push({ type: 'terminate', instanceId: victim.id, reason: 'RefreshTerminate' });
      messages.push({
        reason: 'RefreshTerminate',
        message: `terminate ${victim.id} (v${victim.templateVersion}) first (MaxHealthy 100%); ${progress()}`,
      });
    }
  }
  return { refresh, actions, messages };
}
