import { describe, expect, it } from 'vitest';
import { dbLatencyOutcome, dbRestartOutcome, probeFigures } from './db-fault-outcome.js';
import { hangDetectionBoundMs, pickFaultTarget } from './fault-target.js';
import { hangOutcome, hangSettled } from './hang-outcome.js';
import { attemptsWithin, launchFailureOutcome, outageOutcome } from './zone-fault-outcome.js';

const i = (id: string, lifecycle: 'pending' | 'in-service' | 'terminating', health: string) => ({
  id,
  lifecycle,
  health,
});

describe('pickFaultTarget', () => {
  const fleet = [
    i('i-b', 'in-service', 'healthy'),
    i('i-a', 'in-service', 'healthy'),
    i('i-c', 'pending', 'unused'),
  ];
  it.each([
    { requested: undefined, picked: 'i-a' },
    { requested: 'i-b', picked: 'i-b' },
    { requested: 'i-c', picked: 'i-c' },
  ])('$requested → $picked', ({ requested, picked }) => {
    expect(pickFaultTarget(fleet, requested)).toBe(picked);
  });
  it('refuses an unknown or terminating instance, and a fleet with none in service', () => {
    expect(() => pickFaultTarget(fleet, 'i-x')).toThrow(
      '--instance: got "i-x", expected a running instance (i-b, i-a)',
    );
    expect(() => pickFaultTarget([i('i-t', 'terminating', 'draining')], 'i-t')).toThrow('none in service');
    expect(() => pickFaultTarget([i('i-c', 'pending', 'unused')], undefined)).toThrow(
      'no in-service healthy instance to fault',
    );
  });
});

describe('hangDetectionBoundMs: unhealthy threshold × interval + timeout', () => {
  it.each([
    { threshold: 2, interval: 1000, timeout: 500, bound: 2500 },
    { threshold: 2, interval: 30_000, timeout: 5000, bound: 65_000 },
    { threshold: 5, interval: 10_000, timeout: 6000, bound: 56_000 },
  ])('$threshold × $interval + $timeout = $bound', ({ threshold, interval, timeout, bound }) => {
    expect(hangDetectionBoundMs(threshold, interval, timeout)).toBe(bound);
  });
});

describe('hangOutcome', () => {
  const events = [
    { t: 900, reason: 'Target.Healthy', data: { instanceId: 'i-a', from: 'initial', to: 'healthy' } },
    { t: 1000, reason: 'FaultHang', data: { instanceId: 'i-a' } },
    { t: 3200, reason: 'Target.Timeout', data: { instanceId: 'i-a', from: 'healthy', to: 'unhealthy' } },
    { t: 3300, reason: 'InstanceLaunched', data: { instanceId: 'i-n' } },
    { t: 4500, reason: 'InstanceInService', data: { instanceId: 'i-n' } },
    { t: 6000, reason: 'InstanceTerminated', data: { instanceId: 'i-a' } },
  ];
  it('times detection, termination and replacement from the hang', () => {
    const o = hangOutcome(events, 'i-a', 1000);
    expect(o).toEqual({ detectedAfterMs: 2200, terminatedAfterMs: 5000, replacedAfterMs: 3500 });
    expect(hangSettled(o)).toBe(true);
  });
  it('is unsettled while the hung instance is still taken for healthy', () => {
    const o = hangOutcome(events.slice(0, 2), 'i-a', 1000);
    expect(o).toEqual({
      detectedAfterMs: undefined,
      terminatedAfterMs: undefined,
      replacedAfterMs: undefined,
    });
    expect(hangSettled(o)).toBe(false);
  });
  it('does not count an instance that entered service before the hang was found as its replacement', () => {
    const early = [
      events[1],
      { t: 2000, reason: 'InstanceInService', data: { instanceId: 'i-o' } },
      events[2],
    ];
    expect(hangOutcome(early as never, 'i-a', 1000).replacedAfterMs).toBeUndefined();
  });
});

describe('zone outage outcome (recorded events in, outcome out)', () => {
  const launched = (t: number, id: string, zone: string, cause = 'LaunchToDesired') => ({
    t,
    reason: 'InstanceLaunched',
    data: { instanceId: id, zone, cause },
  });
  const inService = (t: number, id: string) => ({ t, reason: 'InstanceInService', data: { instanceId: id } });
  const terminated = (t: number, id: string, cause: string) => ({
    t,
    reason: 'InstanceTerminated',
    data: { instanceId: id, cause },
  });
  const before = [launched(0, 'i-a', 'a'), launched(0, 'i-b', 'b'), inService(1, 'i-a'), inService(1, 'i-b')];
  const fault = { zone: 'a', zones: ['a', 'b'], stopped: ['i-a'], at: 10, endsAt: 40 };

  it('restored when a replacement serves elsewhere; rebalanced when the zone got one back and the long zone lost one', () => {
    const events = [
      ...before,
      terminated(11, 'i-a', 'InstanceExited'),
      launched(11, 'i-b2', 'b'),
      inService(15, 'i-b2'),
      launched(41, 'i-a2', 'a', 'AZRebalance'),
      inService(45, 'i-a2'),
      terminated(52, 'i-b', 'TerminateAboveDesired'),
    ];
    expect(outageOutcome(events, fault)).toEqual({
      restoredAfterMs: 5,
      rebalanceNeeded: true,
      rebalancedAfterMs: 12,
    });
  });

  it('not restored while the only replacement launches in the down zone; no rebalance when one apart', () => {
    const events = [
      ...before,
      terminated(11, 'i-a', 'InstanceExited'),
      launched(11, 'i-a2', 'a'),
      inService(15, 'i-a2'),
    ];
    expect(outageOutcome(events, fault)).toEqual({
      restoredAfterMs: undefined,
      rebalanceNeeded: false,
      rebalancedAfterMs: undefined,
    });
  });

  it('a needed rebalance that never came is reported as missing', () => {
    const events = [
      ...before,
      terminated(11, 'i-a', 'InstanceExited'),
      launched(11, 'i-b2', 'b'),
      launched(11, 'i-b3', 'b'),
      inService(15, 'i-b2'),
      inService(15, 'i-b3'),
    ];
    const o = outageOutcome(events, fault);
    expect(o.rebalanceNeeded).toBe(true);
    expect(o.rebalancedAfterMs).toBeUndefined();
  });
});

describe('launch failure outcome', () => {
  it.each([
    [0, 1],
    [9_999, 1],
    [10_000, 2],
    [30_000, 3],
    [70_000, 4],
    [600_000, 6],
  ])('a doubling backoff from 10 s allows, in %i ms, %i attempt(s)', (forMs, n) => {
    expect(attemptsWithin(forMs, 10_000)).toBe(n);
  });

  it('counts the failed attempts in the fault and the time to serve after it', () => {
    const events = [
      { t: 100, reason: 'LaunchFailed' },
      { t: 1100, reason: 'LaunchFailed' },
      { t: 3100, reason: 'LaunchFailed' },
      { t: 7100, reason: 'LaunchFailed' },
      { t: 8200, reason: 'InstanceInService', data: { instanceId: 'i-n' } },
    ];
    expect(launchFailureOutcome(events, { at: 0, endsAt: 8000, retryFirstMs: 1000 })).toEqual({
      attemptsAtMs: [100, 1100, 3100, 7100],
      allowedAttempts: 4,
      restoredAfterMs: 200,
    });
  });
});

describe('database fault outcomes (probe samples and events in)', () => {
  const sample = (t: number, status: number, ms = 10) => ({ t, status, ms });

  it('probe figures: 5xx and transport errors fail; p99 of the window', () => {
    const samples = [
      sample(0, 200, 5),
      sample(1, 503, 7),
      sample(2, 0, 900),
      sample(3, 200, 12),
      sample(9, 200, 1),
    ];
    expect(probeFigures(samples, 0, 4)).toEqual({ requests: 4, failed: 2, p99Ms: 900 });
    expect(probeFigures(samples, 100, 200)).toEqual({ requests: 0, failed: 0, p99Ms: undefined });
  });

  it.each([
    {
      name: 'recovers 400 ms after the database is back',
      statuses: [200, 500, 500, 500, 500, 200, 200, 200],
      recovered: 400,
    },
    { name: 'never recovers', statuses: [200, 500, 500, 500, 500, 500, 500, 500], recovered: undefined },
    {
      name: 'recovers, fails again, recovers for good',
      statuses: [200, 500, 500, 200, 500, 200, 200, 200],
      recovered: 400,
    },
    { name: 'never failed', statuses: [200, 200, 200, 200, 200, 200, 200, 200], recovered: 0 },
  ])('db-restart: $name', ({ statuses, recovered }) => {
    // Samples every 200 ms from t = 0; the restart at 100, the database back at 600.
    const samples = statuses.map((s, n) => sample(n * 200, s));
    const o = dbRestartOutcome(samples, [], { at: 100, backAt: 600, endT: 2000 });
    expect(o.recoveredAfterMs).toBe(recovered);
  });

  it('db-latency: p99 before and during, and the flaps inside the fault only', () => {
    const samples = [
      sample(0, 200, 10),
      sample(100, 200, 20),
      sample(1000, 200, 510),
      sample(1200, 502, 700),
    ];
    const events = [
      { t: 50, reason: 'Target.Timeout', data: { to: 'unhealthy' } },
      { t: 1100, reason: 'Target.Timeout', data: { to: 'unhealthy' } },
      { t: 1150, reason: 'ReplaceUnhealthy', data: {} },
    ];
    expect(dbLatencyOutcome(samples, events, { at: 900, endsAt: 1500 })).toEqual({
      before: { requests: 2, failed: 0, p99Ms: 20 },
      during: { requests: 2, failed: 1, p99Ms: 700 },
      flaps: { unhealthy: 1, replaced: 1 },
    });
  });
});
