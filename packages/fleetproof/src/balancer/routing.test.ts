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

  it('least outstanding requests picks the target with the fewest in flight, breaking ties at random', () => {
    const lor = new LeastOutstandingRequests();
    const busy = target('busy', 0, 5);
    const idle = target('idle', 0, 1);
    expect(count(Array.from({ length: 10 }, () => lor.pick([busy, idle])))).toEqual({ idle: 10 });
    // A scripted random: 0.9 keeps the first tied target, 0.1 takes the later one.
    const scripted = [0.9, 0.1, 0.9, 0.4];
    const tie = [target('x'), target('y')];
    const fixed = new LeastOutstandingRequests(() => scripted.shift() ?? 0);
    expect([fixed.pick(tie), fixed.pick(tie), fixed.pick(tie), fixed.pick(tie)].map((t) => t?.id)).toEqual([
      'x',
      'y',
      'x',
      'y',
    ]);
  });

  it('least outstanding requests does not alias a two-request flow onto two idle targets', () => {
    // Each user sends a GET then a login, one at a time: a rotation would give every login to the same target.
    // A seeded generator (mulberry32) keeps the test deterministic; a rotation would give one target all 200.
    let seed = 42;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const lor = new LeastOutstandingRequests(random);
    const pair = [target('a'), target('b')];
    const logins = count(Array.from({ length: 400 }, () => lor.pick(pair)).filter((_, i) => i % 2 === 1));
    expect(logins.a ?? 0).toBeGreaterThan(70);
    expect(logins.b ?? 0).toBeGreaterThan(70);
  });

  it('returns undefined with no candidate', () => {
    expect(new RoundRobin().pick([], 0)).toBeUndefined();
    expect(new LeastOutstandingRequests().pick([])).toBeUndefined();
  });
});
