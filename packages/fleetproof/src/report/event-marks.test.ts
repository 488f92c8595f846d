import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../prove/types.js';
import { eventMarks } from './event-marks.js';

const ev = (t: number, reason: string, data?: Record<string, unknown>): TimelineEvent => ({
  t,
  reason,
  message: reason,
  ...(data ? { data } : {}),
});

describe('eventMarks', () => {
  it.each([
    [ev(1500, 'ScaleOutCpuHigh'), { t: 1.5, label: 'scale-out', kind: 'scale' }],
    [ev(2000, 'ScaleInCpuLow'), { t: 2, label: 'scale-in', kind: 'scale' }],
    [ev(3000, 'ManualScale', { desired: 3 }), { t: 3, label: 'desired 3', kind: 'scale' }],
    [ev(4000, 'RefreshLaunch'), { t: 4, label: 'refresh: launch', kind: 'refresh' }],
    [ev(4000, 'RefreshTerminate'), { t: 4, label: 'refresh: terminate', kind: 'refresh' }],
    [ev(9000, 'RefreshRolledBack'), { t: 9, label: 'rolled back', kind: 'refresh' }],
    [
      ev(5000, 'Target.Timeout', { instanceId: 'i-0123456789abcdef', from: 'healthy', to: 'unhealthy' }),
      { t: 5, label: 'unhealthy i-01234567 Target.Timeout', kind: 'health' },
    ],
    [ev(6000, 'InstanceExited', { instanceId: 'i-abc' }), { t: 6, label: 'exited i-abc', kind: 'instance' }],
    [
      ev(7000, 'TerminateInstance', { instanceId: 'i-abc' }),
      { t: 7, label: 'stopped i-abc', kind: 'instance' },
    ],
  ])('%o → %o', (event, mark) => {
    expect(eventMarks([event])).toEqual([mark]);
  });

  it('leaves out what the instance chart already shows: launches, registrations, healthy transitions', () => {
    const quiet = [
      ev(0, 'LaunchToDesired'),
      ev(0, 'InstanceLaunched', { instanceId: 'i-a' }),
      ev(100, 'InstanceInService', { instanceId: 'i-a' }),
      ev(200, 'Target.Healthy', { instanceId: 'i-a', from: 'initial', to: 'healthy' }),
      ev(300, 'FaultDbLatency', { ms: 100 }),
    ];
    expect(eventMarks(quiet)).toEqual([]);
  });
});
