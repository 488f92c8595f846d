import { describe, expect, it } from 'vitest';
import { hangDetectionBoundMs, pickFaultTarget } from './fault-target.js';
import { hangOutcome, hangSettled } from './hang-outcome.js';

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
