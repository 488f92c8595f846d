import { describe, expect, it } from 'vitest';
import { decide, type Policies } from './decide.js';
import { groupOf, NOW, POLICIES, S, viewOf } from './group-fixtures.test-support.js';
import type { GroupState, InstanceView } from './types.js';
import { launchRetryDelayMs, pickVictims, placeLaunches, rebalanceTarget, zoneNames } from './zones.js';

const policies: Policies = { ...POLICIES, scaling: { ...POLICIES.scaling, max: 6, enabled: false } };

const instance = (id: string, zone: string, over: Partial<InstanceView> = {}) =>
  viewOf(id, { zone, ...over });
const group = (instances: InstanceView[], over: Partial<GroupState> = {}) =>
  groupOf(instances, { zones: ['a', 'b'], ...over });

const launches = (d: ReturnType<typeof decide>) =>
  d.actions.flatMap((a) => (a.type === 'launch' ? [`${a.count}@${a.zone}`] : []));
const terminations = (d: ReturnType<typeof decide>) =>
  d.actions.flatMap((a) => (a.type === 'terminate' ? [a.instanceId] : []));

describe('zones: pure placement, termination and rebalancing rules', () => {
  it('names zones as AWS names a region’s, or takes the names given', () => {
    expect(zoneNames(3, 'eu-west-1')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(zoneNames(['x1', 'y1'])).toEqual(['x1', 'y1']);
  });

  it.each([
    { occupied: [], closed: [], count: 4, placed: ['a', 'b', 'a', 'b'] },
    { occupied: ['a', 'a'], closed: [], count: 2, placed: ['b', 'b'] },
    { occupied: ['b'], closed: ['a'], count: 2, placed: ['b', 'b'] },
    { occupied: [], closed: ['a', 'b'], count: 1, placed: [] },
  ])('places $count launch(es) beside $occupied with $closed closed → $placed', (c) => {
    expect(placeLaunches(c.occupied, ['a', 'b'], c.closed, c.count)).toEqual(c.placed);
  });

  it('scale-in takes from the zone with the most instances first, the oldest there', () => {
    const active = [
      instance('i-a1', 'a', { launchedAt: NOW - 50 * S }),
      instance('i-a2', 'a', { launchedAt: NOW - 90 * S }),
      instance('i-b1', 'b', { launchedAt: NOW - 500 * S }),
    ];
    expect(pickVictims(active, ['a', 'b'], 1).map((i) => i.id)).toEqual(['i-a2']);
    expect(pickVictims(active, ['a', 'b'], 2).map((i) => i.id)).toEqual(['i-a2', 'i-b1']);
  });

  it.each([
    { zones: ['a', 'a', 'b'], closed: [], want: undefined },
    { zones: ['b', 'b'], closed: [], want: { shortZone: 'a', longZone: 'b', inShort: 0, inLong: 2 } },
    { zones: ['b', 'b'], closed: ['a'], want: undefined },
    {
      zones: ['a', 'a', 'a', 'b'],
      closed: [],
      want: { shortZone: 'b', longZone: 'a', inShort: 1, inLong: 3 },
    },
  ])('zones holding $zones with $closed closed: rebalance $want', ({ zones, closed, want }) => {
    const active = zones.map((z, n) => instance(`i-${n}`, z));
    expect(rebalanceTarget(active, ['a', 'b'], closed)).toEqual(want);
  });

  it.each([
    [0, 0],
    [1, 10 * S],
    [2, 20 * S],
    [3, 40 * S],
    [6, 320 * S],
    [9, 320 * S],
  ])('after %i failed launches in a row the next waits %i ms', (failures, wait) => {
    expect(launchRetryDelayMs(failures, 10 * S)).toBe(wait);
  });
});

describe('decide with zones (fake clock)', () => {
  it('spreads launches to desired evenly over the zones', () => {
    const d = decide(group([], { desired: 4 }), policies, [], NOW);
    expect(launches(d)).toEqual(['2@a', '2@b']);
  });

  it('an outage: the down zone’s instances are replaced in the zones left', () => {
    const state = group([instance('i-a', 'a', { running: false }), instance('i-b', 'b')], {
      closedZones: [{ zone: 'a', cause: 'outage' }],
    });
    const d = decide(state, policies, [], NOW);
    expect(terminations(d)).toEqual(['i-a']);
    expect(launches(d)).toEqual(['1@b']);
    expect(d.events.find((e) => e.reason === 'LaunchToDesired')?.message).toContain('not in a: closed');
  });

  it('the zone is back: launch in it first, terminate in the long zone only once the new one is ready', () => {
    const b1 = instance('i-b1', 'b', { launchedAt: NOW - 900 * S });
    const b2 = instance('i-b2', 'b', { launchedAt: NOW - 60 * S });
    const first = decide(group([b1, b2]), policies, [], NOW);
    expect(launches(first)).toEqual(['1@a']);
    expect(first.events.map((e) => e.reason)).toEqual(['AZRebalance']);

    const pending = instance('i-a1', 'a', {
      lifecycle: 'pending',
      inServiceAt: undefined,
      targetHealth: 'unused',
      launchReason: 'AZRebalance',
    });
    const waiting = decide(group([b1, b2, pending], { desired: 2 }), policies, [], NOW + S);
    expect(waiting.actions).toEqual([]);

    const ready = {
      ...pending,
      lifecycle: 'in-service' as const,
      inServiceAt: NOW,
      targetHealth: 'healthy' as const,
    };
    const done = decide(group([b1, b2, ready], { desired: 2 }), policies, [], NOW + 20 * S);
    expect(terminations(done)).toEqual(['i-b1']);
    expect(launches(done)).toEqual([]);
  });

  it('no rebalance while the short zone is down', () => {
    const state = group([instance('i-b1', 'b'), instance('i-b2', 'b')], {
      closedZones: [{ zone: 'a', cause: 'outage' }],
    });
    expect(decide(state, policies, [], NOW).actions).toEqual([]);
  });

  it('launches that fail everywhere back off, doubling: 7 attempts in 10 minutes, not a crash loop', () => {
    let state = group([instance('i-a', 'a', { running: false })], {
      closedZones: [
        { zone: 'a', cause: 'capacity' },
        { zone: 'b', cause: 'capacity' },
      ],
    });
    const attempts: number[] = [];
    for (let t = 0; t <= 600; t++) {
      const d = decide(state, policies, [], NOW + t * S);
      expect(launches(d)).toEqual([]);
      for (const e of d.events) if (e.reason === 'LaunchFailed') attempts.push(t);
      state = d.state;
      // The process that exited is gone after its termination, as the group's shell removes it.
      state = { ...state, instances: state.instances.filter((i) => i.lifecycle !== 'terminating') };
    }
    expect(attempts).toEqual([0, 10, 30, 70, 150, 310, 630].filter((t) => t <= 600));
    expect(state.launchFailures?.count).toBe(6);

    // Capacity is back: the next attempt (at its time) launches and the failures are forgotten.
    const open = { ...state, closedZones: [] };
    const early = decide(open, policies, [], NOW + 620 * S);
    expect(launches(early)).toEqual([]);
    const due = decide(open, policies, [], NOW + 630 * S);
    expect(launches(due)).toEqual(['1@a']);
    expect(due.state.launchFailures).toBeUndefined();
  });

  it('the failed scaling activity says why, which attempt, and when the next is', () => {
    const state = group([], {
      desired: 1,
      closedZones: [
        { zone: 'a', cause: 'outage' },
        { zone: 'b', cause: 'capacity' },
      ],
    });
    const d = decide(state, policies, [], NOW);
    expect(d.events).toEqual([
      {
        reason: 'LaunchFailed',
        message:
          'launching 1 instance(s) failed: no capacity in a (zone down), b (InsufficientInstanceCapacity); attempt 1, next in 10 s',
        data: { attempt: 1, retryInMs: 10 * S, wanted: 1 },
      },
    ]);
  });
});
