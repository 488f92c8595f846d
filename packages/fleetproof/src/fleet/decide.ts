import { isActive, isReady } from './instance-predicates.js';
import { refreshStep } from './instance-refresh.js';
import { evaluateTargetTracking } from './target-tracking.js';
import type {
  Action,
  Datapoint,
  Decision,
  GroupState,
  InstanceView,
  LaunchIntent,
  ReasonCode,
  RefreshPolicy,
  ScalingPolicy,
} from './types.js';
import { launchRetryDelayMs, pickVictims, placeLaunches, rebalanceTarget } from './zones.js';

export interface Policies {
  readonly scaling: ScalingPolicy;
  readonly refresh: RefreshPolicy;
}

type Event = Decision['events'][number];

/** The decision being built during one tick; the helpers below add to it. */
interface Tick {
  state: GroupState;
  readonly actions: Action[];
  /** Launches rules asked for this tick, with the sentence saying why; placed in zones last. */
  readonly launches: { intent: LaunchIntent; message: string }[];
  readonly events: Event[];
  readonly policies: Policies;
  readonly now: number;
}

/**
 * The auto scaling group's brain: a pure function of what is observed, the policies and the time.
 * Order within a tick: replace what is broken, step the instance refresh, track the CPU target, bring
 * the count of active instances to desired, rebalance the zones, then place the launches asked for in
 * zones (or fail them, with backoff, where no zone can launch). Terminations take effect in the returned state (lifecycle
 * `terminating`), so every later rule in the same tick, and the next tick, sees them: the loop is
 * level-triggered, and deciding again on the returned state adds nothing.
 */
export function decide(
  state: GroupState,
  policies: Policies,
  datapoints: readonly Datapoint[],
  now: number,
): Decision {
  const tick: Tick = { state, actions: [], launches: [], events: [], policies, now };
  replaceBroken(tick);
  stepRefresh(tick);
  trackTarget(tick, datapoints);
  matchDesired(tick);
  rebalanceZones(tick);
  placeAll(tick);
  return { state: tick.state, actions: tick.actions, events: tick.events };
}

function terminate(tick: Tick, instance: InstanceView, reason: ReasonCode, message: string): void {
  tick.actions.push({ type: 'terminate', instanceId: instance.id, reason });
  tick.events.push({ reason, message, data: { instanceId: instance.id } });
  tick.state = {
    ...tick.state,
    instances: tick.state.instances.map((i) =>
      i.id === instance.id ? { ...i, lifecycle: 'terminating', terminationReason: reason } : i,
    ),
  };
}

/**
 * EC2 status (the process exited) terminates at once; ELB health (unhealthy in the target group after the
 * grace period) replaces at most 10% of desired at a time, at least one. A failing new-version instance
 * counts against the refresh, which fails (and rolls back if allowed) after `maxFailedLaunches`.
 */
function replaceBroken(tick: Tick): void {
  const { policies, now } = tick;
  const budget = Math.max(1, Math.floor(tick.state.desired * 0.1));
  let replacing = tick.state.instances.filter(
    (i) => i.lifecycle === 'terminating' && i.terminationReason === 'ReplaceUnhealthy',
  ).length;
  for (const instance of tick.state.instances.filter((i) => i.lifecycle !== 'terminating')) {
    if (!instance.running) {
      terminate(
        tick,
        instance,
        'InstanceExited',
        `${instance.id} exited: EC2 status check failed, replacing it`,
      );
    } else if (
      instance.lifecycle === 'in-service' &&
      instance.targetHealth === 'unhealthy' &&
      now - instance.launchedAt >= policies.scaling.healthCheckGracePeriodMs &&
      replacing < budget
    ) {
      replacing += 1;
      terminate(
        tick,
        instance,
        'ReplaceUnhealthy',
        `${instance.id} is unhealthy in the target group: terminate, then launch a replacement`,
      );
    } else {
      continue;
    }
    const refresh = tick.state.refresh;
    if (refresh?.status === 'in-progress' && instance.templateVersion === refresh.toVersion) {
      tick.state = { ...tick.state, refresh: { ...refresh, failedLaunches: refresh.failedLaunches + 1 } };
      if (refresh.failedLaunches + 1 >= (refresh.policy ?? policies.refresh).maxFailedLaunches)
        failRefresh(tick);
    }
  }
}

function failRefresh(tick: Tick): void {
  const refresh = tick.state.refresh;
  if (!refresh) return;
  const why = `${refresh.failedLaunches} v${refresh.toVersion} instance(s) failed`;
  if (!(refresh.policy ?? tick.policies.refresh).autoRollback) {
    tick.events.push({
      reason: 'RefreshFailed',
      message: `${why}; new instances keep launching v${refresh.toVersion}`,
    });
    tick.state = { ...tick.state, refresh: { ...refresh, status: 'failed' } };
    return;
  }
  tick.events.push({
    reason: 'RefreshRolledBack',
    message: `${why}; rolled back: new instances launch v${refresh.fromVersion} again`,
  });
  tick.state = {
    ...tick.state,
    launchVersion: refresh.fromVersion,
    refresh: { ...refresh, status: 'rolled-back' },
  };
}

function stepRefresh(tick: Tick): void {
  const refresh = tick.state.refresh;
  if (refresh?.status !== 'in-progress') return;
  const step = refreshStep(
    tick.state,
    refresh,
    refresh.policy ?? tick.policies.refresh,
    tick.policies.scaling,
    tick.now,
  );
  tick.state = { ...tick.state, refresh: step.refresh };
  for (const m of step.messages) if (m.reason === 'RefreshSuccessful') tick.events.push(m);
  for (const action of step.actions) {
    const message = step.messages.find((m) => m.reason === action.reason)?.message ?? '';
    if (action.type === 'terminate') {
      const victim = tick.state.instances.find((i) => i.id === action.instanceId);
      const own = step.messages.find((m) => m.message.includes(action.instanceId))?.message ?? message;
      if (victim) terminate(tick, victim, 'RefreshTerminate', own);
    } else {
      tick.launches.push({ intent: action, message });
    }
  }
}

/** Each new datapoint is judged once, as a CloudWatch alarm evaluates once per period. */
function trackTarget(tick: Tick, datapoints: readonly Datapoint[]): void {
  const newest = datapoints.at(-1);
  if (!tick.policies.scaling.enabled || !newest || newest.endsAt <= tick.state.lastEvaluatedDatapointAt)
    return;
  const change = evaluateTargetTracking(tick.state, tick.policies.scaling, datapoints, tick.now);
  tick.state = { ...tick.state, lastEvaluatedDatapointAt: newest.endsAt };
  if (!change) return;
  tick.events.push({ reason: change.reason, message: change.message, data: { desired: change.desired } });
  if (change.desired !== tick.state.desired) {
    tick.state = { ...tick.state, desired: change.desired, lastCapacityChangeAt: tick.now };
  }
}

function matchDesired(tick: Tick): void {
  const { state } = tick;
  const active = state.instances.filter(isActive);
  const launching = tick.launches.reduce((n, l) => n + l.intent.count, 0);
  const deficit = state.desired - active.length - launching;
  if (deficit > 0) {
    tick.launches.push({
      intent: {
        type: 'launch',
        count: deficit,
        templateVersion: state.launchVersion,
        reason: 'LaunchToDesired',
      },
      message: `launch ${deficit} v${state.launchVersion}: ${active.length + launching} active, desired ${state.desired}`,
    });
  }
  // During a refresh the surplus is the refresh's to remove (launch-before-terminate runs above desired);
  // during a rebalance, the long zone's instance goes once the short zone's new one is ready.
  if (state.refresh?.status === 'in-progress' || active.length <= state.desired) return;
  const rebalancing =
    active.length === state.desired + 1 &&
    active.some((i) => i.launchReason === 'AZRebalance' && !isReady(i, tick.now, 0));
  if (rebalancing) return;
  for (const victim of pickVictims(active, state.zones, active.length - state.desired)) {
    terminate(
      tick,
      victim,
      'TerminateAboveDesired',
      `terminate ${victim.id} (${victim.zone}, v${victim.templateVersion}; zone with the most first, then oldest): ${active.length} active, desired ${state.desired}`,
    );
  }
}

/**
 * AZRebalance: when the open zones differ by more than one instance and the group is otherwise settled
 * (no refresh, no launch pending or failing, every instance serving), launch one in the short zone; the
 * surplus rule above terminates one in the long zone once it is ready.
 */
function rebalanceZones(tick: Tick): void {
  const { state } = tick;
  const active = state.instances.filter(isActive);
  if (
    state.refresh?.status === 'in-progress' ||
    tick.launches.length > 0 ||
    state.launchFailures !== undefined ||
    active.length !== state.desired ||
    active.some((i) => i.lifecycle !== 'in-service')
  )
    return;
  const target = rebalanceTarget(
    active,
    state.zones,
    state.closedZones.map((c) => c.zone),
  );
  if (!target) return;
  tick.launches.push({
    intent: { type: 'launch', count: 1, templateVersion: state.launchVersion, reason: 'AZRebalance' },
    message: `zones unbalanced (${target.longZone}: ${target.inLong}, ${target.shortZone}: ${target.inShort}): launch 1 in ${target.shortZone}, then terminate 1 in ${target.longZone}`,
  });
}

/**
 * Every launch asked for this tick, placed in the open zones with the fewest instances; where no zone can
 * launch, one failed scaling activity and a doubling wait before the next attempt (no crash loop).
 */
function placeAll(tick: Tick): void {
  if (tick.launches.length === 0) return;
  const { state, now } = tick;
  const failures = state.launchFailures;
  if (failures && now < failures.retryAt) return;
  const closed = state.closedZones.map((c) => c.zone);
  const wanted = tick.launches.reduce((n, l) => n + l.intent.count, 0);
  if (state.zones.every((z) => closed.includes(z))) {
    const count = (failures?.count ?? 0) + 1;
    const waitMs = launchRetryDelayMs(count, tick.policies.scaling.launchRetryFirstMs);
    tick.state = { ...state, launchFailures: { count, retryAt: now + waitMs } };
    const why = state.closedZones.map(
      (c) => `${c.zone} (${c.cause === 'outage' ? 'zone down' : 'InsufficientInstanceCapacity'})`,
    );
    tick.events.push({
      reason: 'LaunchFailed',
      message: `launching ${wanted} instance(s) failed: no capacity in ${why.join(', ')}; attempt ${count}, next in ${waitMs / 1000} s`,
      data: { attempt: count, retryInMs: waitMs, wanted },
    });
    return;
  }
  tick.state = { ...state, launchFailures: undefined };
  const occupied = state.instances.filter(isActive).map((i) => i.zone);
  for (const { intent, message } of tick.launches) {
    const zones = placeLaunches(occupied, state.zones, closed, intent.count);
    occupied.push(...zones);
    for (const zone of new Set(zones)) {
      tick.actions.push({ ...intent, count: zones.filter((z) => z === zone).length, zone });
    }
    const skipped = closed.length > 0 ? ` (not in ${closed.join(', ')}: closed)` : '';
    tick.events.push({
      reason: intent.reason,
      message: `${message}; in ${[...new Set(zones)].join(', ')}${skipped}`,
      data: { zones },
    });
  }
}
