import { describe, expect, it } from 'vitest';
import { type FaultRecording, judgeFault } from './fault-judges.js';
import { loadSecond, run } from './recording-builders.test-support.js';
import type { TimelineEvent } from './types.js';

const ev = (t: number, reason: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  t,
  reason,
  message: reason,
  data,
});
/** 20 s of load at 10 req/s, with failures where asked (second → failed). */
const seconds = (failed: Record<number, number> = {}) =>
  Array.from({ length: 20 }, (_, s) => loadSecond(s * 1000, 10, failed[s] ?? 0, 50));

function rec(
  over: Partial<FaultRecording> & Pick<FaultRecording, 'kind'>,
  events: TimelineEvent[],
  failed = {},
) {
  return {
    at: 4000,
    endsAt: 10_000,
    loadEndMs: 20_000,
    victims: [],
    routedToVictims: 0,
    ...over,
    run: run({ load: seconds(failed), events }),
  } as FaultRecording;
}

const verdicts = (r: FaultRecording) => judgeFault(r).map((c) => [c.label.split(':')[0], c.passed]);
const failedLabels = (r: FaultRecording) =>
  judgeFault(r)
    .filter((c) => !c.passed)
    .map((c) => c.label);

describe('fault judges (literal recordings)', () => {
  const hangEvents = [
    ev(6400, 'Target.Timeout', { instanceId: 'i-h', to: 'unhealthy' }),
    ev(7000, 'InstanceTerminated', { instanceId: 'i-h' }),
    ev(8500, 'InstanceInService', { instanceId: 'i-n' }),
  ];

  it('hang passes: found within the bound, failures its own, replaced', () => {
    const r = rec(
      { kind: 'hang', victims: ['i-h'], routedToVictims: 3, detectionBoundMs: 2500 },
      hangEvents,
      { 5: 3 },
    );
    expect(verdicts(r)).toEqual([
      ['hang', true],
      ['hang', true],
      ['hang', true],
    ]);
  });

  it('hang fails: found too late, more failures than it had, never replaced', () => {
    const late = [ev(9000, 'Target.Timeout', { instanceId: 'i-h', to: 'unhealthy' })];
    const r = rec({ kind: 'hang', victims: ['i-h'], routedToVictims: 1, detectionBoundMs: 2500 }, late, {
      5: 3,
    });
    expect(failedLabels(r)).toEqual([
      'hang: marked unhealthy within unhealthy threshold × interval + timeout (2.5 s)',
      'hang: failures no more than the requests the hung instance had',
      'hang: the group replaces it',
    ]);
  });

  const zoneStart = [
    ev(0, 'InstanceLaunched', { instanceId: 'i-a', zone: 'a' }),
    ev(0, 'InstanceLaunched', { instanceId: 'i-b', zone: 'b' }),
  ];

  it('az-outage passes with a replacement elsewhere and a rebalance after; fails without the rebalance', () => {
    const replaced = [
      ...zoneStart,
      ev(4100, 'InstanceTerminated', { instanceId: 'i-a' }),
      ev(4100, 'InstanceLaunched', { instanceId: 'i-b2', zone: 'b' }),
      ev(5000, 'InstanceInService', { instanceId: 'i-b2' }),
    ];
    const rebalanced = [
      ...replaced,
      ev(10_100, 'InstanceLaunched', { instanceId: 'i-a2', zone: 'a', cause: 'AZRebalance' }),
      ev(11_000, 'InstanceInService', { instanceId: 'i-a2' }),
      ev(12_000, 'InstanceTerminated', { instanceId: 'i-b', cause: 'TerminateAboveDesired' }),
    ];
    const base = {
      kind: 'az-outage' as const,
      victims: ['i-a'],
      zone: 'a',
      zones: ['a', 'b'],
      routedToVictims: 2,
    };
    expect(failedLabels(rec(base, rebalanced, { 4: 2 }))).toEqual([]);
    expect(failedLabels(rec(base, replaced, { 4: 2 }))).toEqual([
      'az-outage: the zones rebalance once it is back',
    ]);
  });

  it('launch-failure fails on a crash loop and on capacity that never comes back', () => {
    const loop = Array.from({ length: 30 }, (_, n) => ev(4000 + n * 200, 'LaunchFailed'));
    const r = rec(
      { kind: 'launch-failure', victims: ['i-k'], routedToVictims: 1, retryFirstMs: 1000 },
      loop,
      { 4: 1 },
    );
    expect(failedLabels(r)).toEqual([
      'launch-failure: failed launches are retried with backoff, not in a loop',
      'launch-failure: capacity is back once launches work',
    ]);
    const backoff = [
      ev(4000, 'LaunchFailed'),
      ev(5000, 'LaunchFailed'),
      ev(7000, 'LaunchFailed'),
      ev(11_500, 'InstanceInService'),
    ];
    const ok = rec(
      { kind: 'launch-failure', victims: ['i-k'], routedToVictims: 1, retryFirstMs: 1000 },
      backoff,
      { 4: 1 },
    );
    expect(failedLabels(ok)).toEqual([]);
  });

  it('db-restart: failures after the recovery bound, or a lost write, fail the verdict', () => {
    const base = { kind: 'db-restart' as const, backAt: 6000, recoverWithinMs: 3000 };
    expect(
      failedLabels(rec({ ...base, writes: { acknowledged: 50, missing: [] } }, [], { 4: 5, 5: 9, 7: 1 })),
    ).toEqual([]);
    expect(
      failedLabels(rec({ ...base, writes: { acknowledged: 50, missing: ['17'] } }, [], { 4: 5, 12: 1 })),
    ).toEqual([
      'db-restart: the service recovers by itself within 3 s of the database being back',
      'db-restart: every acknowledged write is still there',
    ]);
    // Without proof.write there is no write check: nothing is claimed that was not measured.
    expect(judgeFault(rec(base, [], {})).map((c) => c.label)).toHaveLength(1);
  });

  it('db-latency: a target marked unhealthy while slow, or a failure, fails it', () => {
    const base = { kind: 'db-latency' as const, latencyMs: 700 };
    expect(failedLabels(rec(base, [], {}))).toEqual([]);
    const flapped = [ev(6000, 'Target.Timeout', { instanceId: 'i-a', to: 'unhealthy' })];
    expect(failedLabels(rec(base, flapped, { 6: 2 }))).toEqual([
      'db-latency: health checks hold while the database is 700 ms slower',
      'db-latency: no request fails while it is slow',
    ]);
  });
});
