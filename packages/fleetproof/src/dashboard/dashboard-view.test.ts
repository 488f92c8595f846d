import { describe, expect, it } from 'vitest';
import type { GroupStatus, InstanceStatus } from '../fleet/group-status.js';
import { event, fleetSecond, loadSecond, run } from '../prove/recording-builders.test-support.js';
import { dashboardView, WINDOW_MS } from './dashboard-view.js';

const instance = (id: string, o: Partial<InstanceStatus> = {}): InstanceStatus => ({
  id,
  appVersion: 'V1',
  release: undefined,
  templateVersion: 1,
  zone: 'us-east-1a',
  lifecycle: 'in-service',
  health: 'healthy',
  healthReason: undefined,
  warming: false,
  cpuPercent: 12.34,
  address: '127.0.0.1:1',
  pid: 1,
  launchedAt: 0,
  inServiceAt: 0,
  ...o,
});

const group = (instances: InstanceStatus[]): GroupStatus => ({
  desired: 2,
  min: 1,
  max: 4,
  launchAppVersion: 'V1',
  instances,
  refresh: undefined,
  lastDatapoint: undefined,
  zones: ['us-east-1a', 'us-east-1b'],
  closedZones: [],
  launchFailures: undefined,
});

const actions = { enabled: true, faults: [] };

describe('dashboardView', () => {
  it('shows each target’s health with its reason code, and counts in service and healthy', () => {
    const view = dashboardView({
      title: 't',
      recording: run({ startedAt: 1000 }),
      group: group([
        instance('i-a'),
        instance('i-b', { health: 'unhealthy', healthReason: 'Target.Timeout', cpuPercent: undefined }),
        instance('i-c', {
          lifecycle: 'terminating',
          health: 'draining',
          healthReason: 'Target.DeregistrationInProgress',
        }),
      ]),
      targetCpuPercent: 50,
      now: 11_000,
      actions,
    });
    expect(view.targets.map((t) => [t.id, t.health, t.reason, t.cpuPercent])).toEqual([
      ['i-a', 'healthy', '', 12.3],
      ['i-b', 'unhealthy', 'Target.Timeout', null],
      ['i-c', 'draining', 'Target.DeregistrationInProgress', 12.3],
    ]);
    expect(view.group).toEqual({ desired: 2, inService: 2, healthy: 1, refresh: null });
    expect(view.at).toBe(10);
  });

  it('charts the last ten minutes only, with marks and fault spans from the whole run', () => {
    const minutes = 12;
    const seconds = Array.from({ length: minutes * 60 }, (_, s) => s * 1000);
    const view = dashboardView({
      title: 't',
      recording: run({
        startedAt: 0,
        fleet: seconds.map((t) => fleetSecond(t, { cpu: 10 })),
        load: seconds.map((t) => loadSecond(t, 5)),
        events: [
          { t: 30_000, reason: 'FaultDbLatency', message: '', data: { ms: 100 } },
          event(700_000, 'ScaleOutCpuHigh'),
        ],
      }),
      group: group([instance('i-a')]),
      targetCpuPercent: 50,
      now: minutes * 60_000,
      actions,
    });
    const traffic = view.charts.find((c) => c.id === 'live-traffic');
    expect(traffic?.x[0]).toBe((minutes * 60_000 - WINDOW_MS) / 1000);
    expect(traffic?.x).toHaveLength(WINDOW_MS / 1000);
    // The fault began before the window and never ended: its span runs to now.
    expect(traffic?.spans).toEqual([{ label: 'db-latency +100 ms', from: 30, to: 720 }]);
    expect(traffic?.marks).toEqual([{ t: 700, label: 'scale-out', kind: 'scale' }]);
    expect(view.charts.map((c) => c.id)).toEqual([
      'live-traffic',
      'live-failures',
      'live-latency',
      'live-cpu',
      'live-instances',
      'live-balancer',
      'live-balancer-latency',
    ]);
  });

  it('a load with no fleet behind it has load charts only, newest events first', () => {
    const view = dashboardView({
      title: 'load',
      recording: run({
        startedAt: 0,
        load: [loadSecond(0, 3, 1), { ...loadSecond(1000, 3, 2), errors: { ETIMEDOUT: 2 } }],
        events: [event(0, 'A'), event(1000, 'B')],
      }),
      group: undefined,
      targetCpuPercent: 0,
      now: 2000,
      actions: { enabled: false, why: 'no fleet', faults: [] },
    });
    expect(view.charts.map((c) => c.id)).toEqual(['live-traffic', 'live-failures', 'live-latency']);
    expect(view.charts[1]?.series).toEqual([
      { label: 'timed out', values: [0, 2], color: expect.any(String) },
    ]);
    expect(view.events.map((e) => e.reason)).toEqual(['B', 'A']);
    expect(view.group).toBeNull();
  });

  it('waits for a run when there is none yet (prove between fleets)', () => {
    const view = dashboardView({
      title: 'prove',
      recording: undefined,
      group: undefined,
      targetCpuPercent: 0,
      now: 5,
      actions,
    });
    expect(view).toMatchObject({ run: 'waiting for a run', charts: [], targets: [], events: [] });
  });
});
