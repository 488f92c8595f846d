import { describe, expect, it } from 'vitest';
import { decide, type Policies } from './decide.js';
import { groupOf, NOW, POLICIES, S, viewOf } from './group-fixtures.test-support.js';
import type { Datapoint } from './types.js';

const { scaling, refresh } = POLICIES;
const policies: Policies = { scaling, refresh };

const instance = viewOf;
const group = groupOf;

/** Datapoints one metric period apart, the last ending at `now`. */
function series(values: (number | undefined)[], now = 10_000 * S): Datapoint[] {
  return values.map((v, i) => ({ endsAt: now - (values.length - 1 - i) * 60 * S, averageCpuPercent: v }));
}

describe('decide: target tracking', () => {
  it.each([
    // [instances, cpu datapoints, desired before → after, reason]
    [1, [70, 80, 75], 1, 2, 'ScaleOutCpuHigh'], // ceil(1 × 75/50) = ceil(1.5) = 2: rounds toward availability
    [2, [90, 90, 90], 2, 4, 'ScaleOutCpuHigh'], // ceil(2 × 90/50) = ceil(3.6) = 4
    [1, [60, 60, 200], 1, 4, 'ScaleOutCpuHigh'], // ceil(4) = 4, capped at max 4
    [1, [40, 80, 80], 1, 1, undefined], // only 2 of 3 datapoints above target
    [1, [80, undefined, 80], 1, 1, undefined], // missing data breaks the streak
    [4, [90, 90, 90], 4, 4, 'AtMaxCapacity'],
    [1, [51, 51, 51], 1, 2, 'ScaleOutCpuHigh'], // ceil(1.02) = 2
    [2, [50, 50, 50], 2, 2, undefined], // at target is not above it
  ] as const)('%i instance(s) at %j → desired %i → %i (%s)', (count, values, before, after, reason) => {
    const instances = Array.from({ length: count }, (_, i) => instance(`i-${i}`));
    const d = decide(group(instances, { desired: before }), policies, series([...values]), NOW);
    expect(d.state.desired).toBe(after);
    expect(d.events.find((e) => e.reason !== 'LaunchToDesired')?.reason).toBe(reason);
    if (after > before)
      expect(d.actions).toContainEqual({
        type: 'launch',
        count: after - before,
        templateVersion: 1,
        reason: 'LaunchToDesired',
        zone: 'za',
      });
  });

  it('scales in only after 15 datapoints below target, to ceil(capacity × metric / target)', () => {
    const three = [instance('i-a'), instance('i-b'), instance('i-c')];
    const fourteen = Array(14).fill(25);
    expect(decide(group(three), policies, series(fourteen), NOW).state.desired).toBe(3);
    const d = decide(group(three), policies, series([...fourteen, 25]), NOW);
    // ceil(3 × 25/50) = ceil(1.5) = 2: remove 1, not 2 (toward availability)
    expect(d.state.desired).toBe(2);
    expect(d.events[0]?.reason).toBe('ScaleInCpuLow');
    expect(d.actions).toEqual([{ type: 'terminate', instanceId: 'i-a', reason: 'TerminateAboveDesired' }]);
  });

  it('never scales in below min, nor on missing data', () => {
    const two = [instance('i-a'), instance('i-b')];
    expect(decide(group(two), policies, series(Array(15).fill(1)), NOW).state.desired).toBe(1);
    const withGap = [...Array(14).fill(10), undefined];
    expect(decide(group(two), policies, series(withGap), NOW).state.desired).toBe(2);
    expect(decide(group([instance('i-a')]), policies, series(Array(15).fill(1)), NOW).state.desired).toBe(1);
  });

  it('leaves warming instances out of the metric and blocks scale-in while any instance warms up', () => {
    const warm = instance('i-new', { inServiceAt: NOW - 60 * S, launchedAt: NOW - 70 * S });
    // One warm-up instance already raised desired to 2: ceil(1 counted × 80/50) = 2 is not more than 2.
    const out = decide(group([instance('i-old'), warm], { desired: 2 }), policies, series([80, 80, 80]), NOW);
    expect(out.state.desired).toBe(2);
    expect(out.actions).toEqual([]);
    const low = decide(group([instance('i-old'), warm]), policies, series(Array(15).fill(5)), NOW);
    expect(low.state.desired).toBe(2);
  });

  it('counts only datapoints whose whole period follows the last capacity change', () => {
    const one = [instance('i-a')];
    const changedAt = NOW - 150 * S; // periods ending at NOW-120s and earlier began before the change
    const d = decide(group(one, { lastCapacityChangeAt: changedAt }), policies, series([80, 80, 80]), NOW);
    expect(d.state.desired).toBe(1);
  });

  it('judges each datapoint once: deciding again on the same data does nothing more', () => {
    const first = decide(group([instance('i-a')]), policies, series([80, 80, 80]), NOW);
    expect(first.state.desired).toBe(2);
    // The reconciler turns the launch action into a pending instance before the next tick.
    const pending = instance(
      'i-b',
      { lifecycle: 'pending', inServiceAt: undefined, targetHealth: 'unused' },
      NOW,
      0,
    );
    const applied = { ...first.state, instances: [...first.state.instances, pending] };
    const again = decide(applied, policies, series([80, 80, 80]), NOW + 1);
    expect(again.events).toEqual([]);
    expect(again.actions).toEqual([]);
  });

  it('does nothing when scaling is disabled', () => {
    const off = { ...policies, scaling: { ...scaling, enabled: false } };
    expect(decide(group([instance('i-a')]), off, series([99, 99, 99]), NOW).state.desired).toBe(1);
  });
});

describe('decide: health', () => {
  it('terminates an exited instance at once, whatever the grace period, and launches a replacement', () => {
    const fresh = instance('i-dead', { running: false, targetHealth: 'initial' }, NOW, 10);
    const d = decide(group([fresh, instance('i-ok')]), policies, [], NOW);
    expect(d.actions).toEqual([
      { type: 'terminate', instanceId: 'i-dead', reason: 'InstanceExited' },
      { type: 'launch', count: 1, templateVersion: 1, reason: 'LaunchToDesired', zone: 'za' },
    ]);
  });

  it('ignores ELB health during the grace period, then replaces: terminate first, then launch', () => {
    const sick = (agoS: number) => instance('i-sick', { targetHealth: 'unhealthy' }, NOW, agoS);
    expect(decide(group([sick(299)]), policies, [], NOW).actions).toEqual([]);
    expect(decide(group([sick(300)]), policies, [], NOW).actions).toEqual([
      { type: 'terminate', instanceId: 'i-sick', reason: 'ReplaceUnhealthy' },
      { type: 'launch', count: 1, templateVersion: 1, reason: 'LaunchToDesired', zone: 'za' },
    ]);
  });

  it('replaces at most 10% of desired at a time, at least one', () => {
    const sick = Array.from({ length: 20 }, (_, i) =>
      instance(`i-${String(i).padStart(2, '0')}`, { targetHealth: 'unhealthy' }),
    );
    const d = decide(group(sick), policies, [], NOW);
    expect(d.actions.filter((a) => a.type === 'terminate')).toHaveLength(2); // 10% of 20
    // The next tick waits while those two are still terminating.
    expect(decide(d.state, policies, [], NOW + 1).actions.filter((a) => a.type === 'terminate')).toHaveLength(
      0,
    );
    const three = decide(group(sick.slice(0, 3)), policies, [], NOW);
    expect(three.actions.filter((a) => a.type === 'terminate')).toHaveLength(1); // 10% of 3 → at least 1
  });
});

describe('decide: capacity and termination order', () => {
  it('terminates the oldest version first, then the oldest instance', () => {
    const instances = [
      instance('i-v2-old', { templateVersion: 2 }, NOW, 5000),
      instance('i-v1-new', { templateVersion: 1 }, NOW, 100),
      instance('i-v1-old', { templateVersion: 1 }, NOW, 200),
      instance('i-v2-new', { templateVersion: 2 }, NOW, 50),
    ];
    const d = decide(group(instances, { desired: 1 }), policies, [], NOW);
    expect(d.actions.map((a) => (a.type === 'terminate' ? a.instanceId : ''))).toEqual([
      'i-v1-old',
      'i-v1-new',
      'i-v2-old',
    ]);
  });

  it('does not launch again for capacity that is already pending', () => {
    const pending = instance(
      'i-p',
      { lifecycle: 'pending', inServiceAt: undefined, targetHealth: 'unused' },
      NOW,
      1,
    );
    expect(decide(group([instance('i-a'), pending], { desired: 2 }), policies, [], NOW).actions).toEqual([]);
  });
});

describe('decide: instance refresh', () => {
  const startRefresh = (instances: InstanceView[], over: Partial<GroupState> = {}) =>
    group(instances, {
      launchVersion: 2,
      refresh: {
        id: 'r1',
        fromVersion: 1,
        toVersion: 2,
        startedAt: NOW - 10 * S,
        failedLaunches: 0,
        status: 'in-progress',
        totalToReplace: instances.length,
      },
      ...over,
    });

  it('worked example: D=1, Min 100%, Max 200% — launch first, terminate the old one only once the new one is ready', () => {
    let state = startRefresh([instance('i-old')]);
    let t = NOW;
    let d = decide(state, policies, [], t);
    expect(d.actions).toEqual([
      { type: 'launch', count: 1, templateVersion: 2, reason: 'RefreshLaunch', zone: 'za' },
    ]);

    // The new instance starts, registers, passes its first health check but is still warming: keep the old one.
    const starting = instance(
      'i-new',
      { templateVersion: 2, launchedAt: t, inServiceAt: t + 2 * S, targetHealth: 'healthy' },
      t,
      0,
    );
    state = { ...d.state, instances: [...d.state.instances, starting] };
    t += 60 * S;
    d = decide(state, policies, [], t);
    expect(d.actions).toEqual([]);

    // Past warmup (300 s) and healthy: now, and only now, the old instance goes.
    t = (starting.inServiceAt ?? 0) + 300 * S;
    d = decide(state, policies, [], t);
    expect(d.actions).toEqual([{ type: 'terminate', instanceId: 'i-old', reason: 'RefreshTerminate' }]);

    // Old one gone: the refresh completes.
    state = { ...d.state, instances: d.state.instances.filter((i) => i.id !== 'i-old') };
    d = decide(state, policies, [], t + 1);
    expect(d.state.refresh?.status).toBe('successful');
    expect(d.events.map((e) => e.reason)).toEqual(['RefreshSuccessful']);
  });

  it('worked example: D=4, Min 50%, Max 150% — at most 6 running, terminate only what ready new ones cover', () => {
    const p = { ...policies, refresh: { ...refresh, minHealthyPercent: 50, maxHealthyPercent: 150 } };
    const olds = ['a', 'b', 'c', 'd'].map((x) => instance(`i-${x}`, {}, NOW, 4000 - x.charCodeAt(0)));
    let d = decide(startRefresh(olds), p, [], NOW);
    expect(d.actions).toEqual([
      { type: 'launch', count: 2, templateVersion: 2, reason: 'RefreshLaunch', zone: 'za' },
    ]);
    // Two new instances not yet ready: min healthy (2) alone would allow terminating 2; readiness does not.
    const newOnes = ['n1', 'n2'].map((x) =>
      instance(`i-${x}`, { templateVersion: 2, inServiceAt: NOW, targetHealth: 'initial' }, NOW, 1),
    );
    let state = { ...d.state, instances: [...d.state.instances, ...newOnes] };
    expect(decide(state, p, [], NOW + S).actions).toEqual([]);
    // Both ready: terminate the two oldest.
    const ready = newOnes.map((n) => ({ ...n, targetHealth: 'healthy' as const }));
    state = { ...state, instances: [...olds, ...ready] };
    d = decide(state, p, [], NOW + 301 * S);
    expect(d.actions).toEqual([
      { type: 'terminate', instanceId: 'i-a', reason: 'RefreshTerminate' },
      { type: 'terminate', instanceId: 'i-b', reason: 'RefreshTerminate' },
    ]);
  });

  it('Max 100% (AWS default) terminates first, then launches the replacement', () => {
    const p = { ...policies, refresh: { ...refresh, minHealthyPercent: 90, maxHealthyPercent: 100 } };
    const d = decide(startRefresh([instance('i-old')]), p, [], NOW);
    expect(d.actions).toEqual([
      { type: 'terminate', instanceId: 'i-old', reason: 'RefreshTerminate' },
      { type: 'launch', count: 1, templateVersion: 2, reason: 'LaunchToDesired', zone: 'za' },
    ]);
  });

  it('skips instances already on the new version', () => {
    const d = decide(
      startRefresh([instance('i-new', { templateVersion: 2 })], {
        instances: [instance('i-new', { templateVersion: 2 })],
      }),
      policies,
      [],
      NOW,
    );
    expect(d.state.refresh?.status).toBe('successful');
  });

  it('rolls back after the configured number of failed new instances', () => {
    let state = startRefresh([instance('i-old')]);
    for (let failures = 1; failures <= 3; failures++) {
      const bad = instance(`i-bad${failures}`, { templateVersion: 2, running: false }, NOW, 10);
      state = { ...state, instances: [...state.instances.filter((i) => i.lifecycle !== 'terminating'), bad] };
      const d = decide(state, policies, [], NOW);
      state = d.state;
      expect(state.refresh?.failedLaunches).toBe(failures);
    }
    expect(state.refresh?.status).toBe('rolled-back');
    expect(state.launchVersion).toBe(1);
    expect(state.instances.find((i) => i.id === 'i-old')?.lifecycle).toBe('in-service');
  });
});
