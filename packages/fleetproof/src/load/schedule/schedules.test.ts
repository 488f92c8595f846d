import { describe, expect, it } from 'vitest';
import { arrivalsTotal, arrivalTimes } from './arrivals.js';
import { parseDuration } from './durations.js';
import { maxVus, vusAt } from './ramping-vus.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    [10, 10_000],
    ['10', 10_000],
  ])('%s → %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it('rejects what it cannot read, naming the value', () => {
    expect(() => parseDuration('10 minutes', 'stages[0].duration')).toThrow(
      'stages[0].duration: got "10 minutes", expected a duration such as "30s", "1m30s" or "500ms"',
    );
  });
});

describe('ramping-vus: the first report’s k6 stages (1m → 50, 5m at 50, 1m → 0)', () => {
  const stages = [
    { durationMs: 60_000, target: 50 },
    { durationMs: 300_000, target: 50 },
    { durationMs: 60_000, target: 0 },
  ];
  it.each([
    [0, 0],
    [1_200, 1], // 50 × 1.2/60 = 1.0
    [30_000, 25],
    [59_999, 49],
    [60_000, 50],
    [200_000, 50],
    [360_000, 50],
    [390_000, 25],
    [419_000, 0], // 50 × (1 − 59/60) = 0.83 → 0
    [420_000, 0],
  ])('at %i ms → %i VUs', (t, vus) => expect(vusAt(stages, 0, t)).toBe(vus));

  it('starts from startVUs and knows the maximum', () => {
    expect(vusAt([{ durationMs: 10_000, target: 20 }], 10, 5_000)).toBe(15);
    expect(maxVus(stages, 0)).toBe(50);
  });
});

describe('arrival schedules', () => {
  it('a constant rate spaces arrivals evenly: 5/s for 1 s', () => {
    expect([...arrivalTimes([{ kind: 'rate', durationMs: 1000, rate: 5 }])]).toEqual([0, 200, 400, 600, 800]);
  });

  it('a ramp from 0 to 10/s over 10 s: 50 arrivals, the i-th at √(2i) s', () => {
    const times = [...arrivalTimes([{ kind: 'ramp', durationMs: 10_000, from: 0, to: 10 }])];
    expect(times).toHaveLength(50);
    expect(times.slice(0, 4).map((t) => Math.round(t))).toEqual([1414, 2000, 2449, 2828]);
    expect(Math.round(times.at(-1) ?? 0)).toBe(10_000);
  });

  it('a ramp from 10/s to 20/s over 2 s: 30 arrivals', () => {
    expect(arrivalsTotal([{ kind: 'ramp', durationMs: 2000, from: 10, to: 20 }])).toBe(30);
  });

  it('arrivalCount spreads a fixed number over the phase; a pause shifts what follows', () => {
    const times = [
      ...arrivalTimes([
        { kind: 'count', durationMs: 1000, count: 4 },
        { kind: 'pause', durationMs: 5000 },
        { kind: 'rate', durationMs: 1000, rate: 2 },
      ]),
    ];
    expect(times).toEqual([0, 250, 500, 750, 6000, 6500]);
  });

  it('the second report’s shape: ramp 5 min then hold 1 min', () => {
    const phases = [
      { kind: 'ramp' as const, durationMs: 300_000, from: 1, to: 50 },
      { kind: 'rate' as const, durationMs: 60_000, rate: 50 },
    ];
    // (1 + 50)/2 × 300 = 7650 during the ramp, then 50 × 60 = 3000.
    expect(arrivalsTotal(phases)).toBe(10_650);
  });
});
