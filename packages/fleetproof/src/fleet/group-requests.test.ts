import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { groupOf, NOW, POLICIES, S, viewOf } from './group-fixtures.test-support.js';
import { applyRequest } from './group-requests.js';
import type { RefreshState } from './types.js';

const policies = POLICIES;
const refresh: RefreshState = {
  id: 'ir-1',
  fromVersion: 1,
  toVersion: 2,
  startedAt: NOW - 60 * S,
  failedLaunches: 0,
  status: 'in-progress',
  totalToReplace: 2,
};

describe('applyRequest: what a user asks of a running group', () => {
  const two = groupOf([viewOf('a'), viewOf('b')]);

  it.each<[string, Parameters<typeof applyRequest>[2], { min: number; max: number; desired: number }]>([
    [
      'new limits keep desired inside them',
      { kind: 'limits', min: 3, max: 5 },
      { min: 3, max: 5, desired: 3 },
    ],
    ['a desired of its own', { kind: 'limits', desired: 4 }, { min: 1, max: 4, desired: 4 }],
    ['a lower max pulls desired down', { kind: 'limits', max: 1 }, { min: 1, max: 1, desired: 1 }],
  ])('limits: %s', (_, request, expected) => {
    const out = applyRequest(two, policies, request, NOW);
    expect({
      min: out.policies.scaling.min,
      max: out.policies.scaling.max,
      desired: out.state.desired,
    }).toEqual(expected);
    expect(out.event.reason).toBe('GroupUpdated');
  });

  it.each<[string, Parameters<typeof applyRequest>[2], RegExp]>([
    ['min above max', { kind: 'limits', min: 5, max: 3 }, /min size 5 is above max size 3/],
    ['desired outside', { kind: 'limits', desired: 9 }, /desired capacity 9 is outside min 1 and max 4/],
    ['cancel with none running', { kind: 'cancel-refresh' }, /no instance refresh is in progress/],
    [
      'roll back with none running',
      { kind: 'rollback-refresh' },
      /no instance refresh is in progress to roll back/,
    ],
    [
      'an instance not in the group',
      { kind: 'unhealthy', instanceId: 'i-x' },
      /instance i-x is not in the group/,
    ],
  ])('refuses %s', (_, request, message) =>
    expect(() => applyRequest(two, policies, request, NOW)).toThrow(message),
  );

  it('a new CPU target changes the running policy only', () => {
    const out = applyRequest(two, policies, { kind: 'cpu-target', targetCpuPercent: 70 }, NOW);
    expect(out.policies.scaling.targetCpuPercent).toBe(70);
    expect(out.state).toBe(two);
  });

  it('cancel keeps what was replaced; the refresh is cancelled', () => {
    const out = applyRequest(
      groupOf([viewOf('a'), viewOf('n', { templateVersion: 2 })], { refresh, launchVersion: 2 }),
      policies,
      { kind: 'cancel-refresh' },
      NOW,
    );
    expect(out.state.refresh?.status).toBe('cancelled');
    expect(out.state.launchVersion).toBe(2);
  });

  it('a rollback keeps the id, launches the previous version, and replaces only the new instances', () => {
    const state = groupOf([viewOf('a'), viewOf('n', { templateVersion: 2 })], { refresh, launchVersion: 2 });
    const out = applyRequest(state, policies, { kind: 'rollback-refresh' }, NOW);
    expect(out.state.refresh).toMatchObject({
      id: 'ir-1',
      fromVersion: 2,
      toVersion: 1,
      rollbackOf: 'ir-1',
      totalToReplace: 1,
    });
    expect(out.state.launchVersion).toBe(1);
    // The next decision launches a v1 replacement for n before terminating it (max healthy 200%), never a.
    const next = decide(out.state, policies, [], NOW);
    expect(
      next.actions.filter((a) => a.type === 'terminate').map((a) => (a as { instanceId: string }).instanceId),
    ).not.toContain('a');
    expect(next.actions.some((a) => a.type === 'launch' && a.templateVersion === 1)).toBe(true);
  });

  it('unhealthy: the instance is terminated for replacement', () => {
    expect(applyRequest(two, policies, { kind: 'unhealthy', instanceId: 'b' }, NOW).terminate).toEqual({
      instanceId: 'b',
      reason: 'ReplaceUnhealthy',
    });
  });
});
