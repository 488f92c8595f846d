import { describe, expect, it } from 'vitest';
import { LeastOutstandingRequests, RoundRobin } from './routing.js';
import type { Target } from './target.js';

function target(id: string, healthySince = 0, inFlight = 0): Target {
  const t = { id, state: 'healthy', healthySince, inFlight } as unknown as Target;
  (t as unknown as { slowStartWeight: Target['slowStartWeight'] }).slowStartWeight = (now, ms) =>
    ms <= 0 ? 1 : Math.min(1, Math.max(0.01, (now - healthySince) / ms));
  return t;
}

const count = (picks: (Target | undefined)[]) =>
  picks.reduce<Record<string, number>>((acc, t) => {
    acc[t?.id ?? '-'] = (acc[t?.id ?? '-'] ?? 0) + 1;
    return acc;
  }, {});

describe('routing', () => {
  it('round robin gives each target the same share', () => {
    const rr = new RoundRobin();
    const targets = [target('a'), target('b'), target('c')];
    expect(count(Array.from({ length: 300 }, () => rr.pick(targets, 0)))).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('slow start ramps a new target’s share linearly over the slow start period', () => {
    const rr = new RoundRobin(100_000);
    const old = target('old', -1_000_000);
    const fresh = target('new', 0);
    // 25 s into a 100 s slow start: weights 1 and 0.25 → the new target gets 1/5 of requests.
    const quarter = count(Array.from({ length: 500 }, () => rr.pick([old, fresh], 25_000)));
    expect(quarter.new).toBe(100);
    // After the period: equal shares.
    const after = count(Array.from({ length: 500 }, () => rr.pick([old, fresh], 200_000)));
    expect(Math.abs((after.new ?? 0) - 250)).toBeLessThanOrEqual(1);
  });

  it('least outstanding requests picks the target with the fewest in flight, rotating ties', () => {
    const lor = new LeastOutstandingRequests();
    const busy = target('busy', 0, 5);
    const idle = target('idle', 0, 1);
    expect(count(Array.from({ length: 10 }, () => lor.pick([busy, idle])))).toEqual({ idle: 10 });
    const tie = [target('x'), target('y')];
    expect(count(Array.from({ length: 10 }, () => lor.pick(tie)))).toEqual({ x: 5, y: 5 });
  });

  it('returns undefined with no candidate', () => {
    expect(new RoundRobin().pick([], 0)).toBeUndefined();
    expect(new LeastOutstandingRequests().pick([])).toBeUndefined();
  });
});
