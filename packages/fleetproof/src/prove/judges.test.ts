import { describe, expect, it } from 'vitest';
import { findBreakPoint, fleetStart, judgeCapacity } from './capacity.js';
import { judgeCrash } from './crash.js';
import { judgeDeploy } from './deploy.js';
import { event, fleetSecond, loadSecond, run, summary } from './recording-builders.test-support.js';
import { judgeScale } from './scale.js';
import { costPerArrival, fitRate } from './scale-calibration.js';
import { judgeVariant, variantMetrics } from './variant.js';
import { judgeWrites } from './writes.js';

const sl = { p99Ms: 1000, maxErrorRate: 0.01 };
const passed = (checks: { passed: boolean }[]) => checks.map((c) => c.passed);

describe('capacity: where one instance breaks, and whether the fleet holds it', () => {
  const ramp = { from: 0, to: 100, seconds: 10 };
  // One instance on a ramp 0 → 100/s over 10 s (load started at 1 s): fine up to 6 s, then p99 blows up.
  const single = [1, 2, 3, 4, 5, 6].map((s) => loadSecond(s * 1000 + 1000, s * 10, 0, 20));
  single.push(loadSecond(8000, 70, 0, 1500), loadSecond(9000, 75, 4, 2500));

  it('finds the first of two breaking seconds and the ramp rate there', () => {
    expect(findBreakPoint(single, 1000, ramp, sl)).toEqual({ atMs: 7000, rate: 70, reason: 'p99 1500 ms' });
    // One bad second alone is noise.
    expect(
      findBreakPoint([...single.slice(0, 6), loadSecond(8000, 70, 0, 1500)], 1000, ramp, sl),
    ).toBeUndefined();
    // Seconds with almost no traffic say nothing about a rate.
    expect(findBreakPoint([loadSecond(2000, 3, 3), loadSecond(3000, 4, 4)], 1000, ramp, sl)).toBeUndefined();
  });

  it.each([
    // rate, CPU % per arrival/s, min, max → instances at the start of the fleet's run
    [358, 0.4, 2, 4, 3], // 143% of one instance at a 50% target: 3
    [300, 0.5, 2, 4, 3], // exactly 150% → 3 (no rounding up past an exact fit)
    [40, 3.3, 2, 4, 3],
    [800, 1, 2, 4, 4], // wants 16: capped at max
    [10, 0.5, 2, 4, 2], // wants 1: never under min
    [358, undefined, 2, 4, 2], // no measured cost: min
  ])(
    'the fleet starts where target tracking wants it (%s/s at %s%% per arrival/s, min %s, max %s → %s)',
    (rate, cost, min, max, want) => {
      expect(
        fleetStart({ min, max, rate, costPerArrival: cost as number | undefined, targetCpuPercent: 50 }),
      ).toBe(want);
    },
  );

  const breakPoint = { atMs: 7000, rate: 70, reason: 'p99 1500 ms' };
  it.each([
    ['the fleet holds it', summary(900, 0, 120), [true, true]],
    ['the fleet fails too many', summary(900, 30, 120), [true, false]],
    ['the fleet is too slow', summary(900, 0, 1800), [true, false]],
  ])('%s', (_, fleetSummary, expected) => {
    const rec = {
      single: run({}),
      fleet: run({ summary: fleetSummary }),
      ramp,
      singleLoadStartMs: 1000,
      breakPoint,
    };
    expect(passed(judgeCapacity(rec, sl))).toEqual(expected);
  });

  it('fails when one instance never broke: there was nothing for the fleet to hold', () => {
    const checks = judgeCapacity(
      { single: run({}), fleet: run({}), ramp, singleLoadStartMs: 0, breakPoint: undefined },
      sl,
    );
    expect(passed(checks)).toEqual([false, false]);
    expect(checks[0]?.measured).toContain('held the whole ramp to 100/s');
  });
});

describe('scale: out, the service level once it serves, back in without failures', () => {
  const hot = [2, 4, 6, 8].map((s) => fleetSecond(s * 1000, { groupCpu: 70, inService: s < 8 ? 1 : 2 }));
  const events = [
    event(7000, 'ScaleOutCpuHigh', 'CPU 70% > 50%'),
    event(8000, 'Target.Healthy'),
    event(30_000, 'ScaleInCpuLow'),
  ];
  const load = [9, 10, 11, 12, 13, 14].map((s) => loadSecond(s * 1000, 100, 0, 40));
  const base = {
    min: 1,
    targetCpuPercent: 50,
    loadStartMs: 0,
    loadEndMs: 15_000,
    backToMin: true,
    settleMs: 2000,
  };

  it('passes a run that scaled out, held, and scaled in with a clean probe', () => {
    const rec = { ...base, run: run({ fleet: hot, events, load }), probe: summary(40, 0, 10) };
    expect(passed(judgeScale(rec, sl))).toEqual([true, true, true, true, true]);
  });

  it('fails each claim the recording does not bear out', () => {
    const cold = [2, 4, 6].map((s) => fleetSecond(s * 1000, { groupCpu: 30 }));
    const slow = load.map((s) => ({ ...s, p99Ms: 2500 }));
    const rec = {
      ...base,
      backToMin: false,
      run: run({ fleet: cold, events: [], load: slow }),
      probe: summary(40, 2, 10),
    };
    expect(passed(judgeScale(rec, sl))).toEqual([false, false, false, false, false]);
    const noRecovery = { ...base, run: run({ fleet: hot, events, load: slow }), probe: summary(40, 0, 10) };
    expect(passed(judgeScale(noRecovery, sl))).toEqual([true, true, false, true, true]);
  });

  it('calibrates the cost of an arrival from the linear part of a ramp, and fits the rate to the machine', () => {
    const ramp = { from: 0, to: 100, seconds: 10 };
    // Warming up at 30–40 s: 0.8%/arrival; warm: 0.5% (40% at 80/s, 45% at 90/s); idle and saturated seconds ignored.
    const cpu: Record<number, number> = { 1: 5, 3: 24, 4: 32, 8: 40, 9: 45, 10: 100 };
    const fleet = Object.entries(cpu).map(([s, c]) => fleetSecond(Number(s) * 1000, { cpu: c }));
    expect(costPerArrival(run({ fleet }), 0, ramp)).toBeCloseTo(0.5, 6);
    expect(
      fitRate({ cost: 0.5, cpus: 1, wantedPercent: 65, maxRate: 800, breakRate: undefined, rampTo: 100 }),
    ).toMatchObject({ rate: 130, cpus: 1 });
    // Too cheap to heat under the machine's ceiling: the instance shrinks instead.
    expect(
      fitRate({
        cost: 0.039,
        cpus: 0.5,
        wantedPercent: 65,
        maxRate: 800,
        breakRate: undefined,
        rampTo: 2000,
      }),
    ).toMatchObject({ rate: 800, cpus: 0.24 });
    // Never under the rate that broke the service level.
    expect(
      fitRate({ cost: 0.5, cpus: 1, wantedPercent: 65, maxRate: 800, breakRate: 100, rampTo: 100 }).rate,
    ).toBe(80);
  });
});

describe('deploy: nothing failed, the refresh succeeded, the new version took over', () => {
  const target = (version: string, rps: number) => ({
    id: `i-${version}`,
    appVersion: version,
    health: 'healthy',
    cpuPercent: 5,
    rps,
    errors: 0,
    inFlight: 0,
    p95Ms: 1,
  });
  const fleet = [
    fleetSecond(1000, { targets: [target('v1', 20)] }),
    fleetSecond(2000, { targets: [target('v1', 10), target('v2', 10)] }),
    fleetSecond(3000, { targets: [target('v2', 20)] }),
  ];
  const probe = {
    bodyIncludes: 'version {{ version }}',
    samples: [
      { t: 500, status: 200, body: 'version v1' },
      { t: 2500, status: 200, body: 'version v2' },
    ],
  };
  it('passes a clean refresh whose page flips', () => {
    const rec = {
      run: run({ fleet, summary: summary(60, 0, 20) }),
      from: 'v1',
      to: 'v2',
      refreshStatus: 'successful',
      logLines: {},
      probe,
    };
    expect(passed(judgeDeploy(rec))).toEqual([true, true, true, true, true]);
  });
  it('fails a refresh with failed requests, a rollback, an old version still answering, a page that never flips', () => {
    const stuck = [...fleet, fleetSecond(4000, { targets: [target('v1', 20)] })];
    const rec = {
      run: run({ fleet: stuck, summary: summary(60, 3, 20) }),
      from: 'v1',
      to: 'v2',
      refreshStatus: 'rolled-back',
      logLines: {},
      probe: { ...probe, samples: [probe.samples[0] as (typeof probe.samples)[number]] },
    };
    // The 3 failed requests are not on the balancer's per-target counts here: the version check passes.
    expect(passed(judgeDeploy(rec))).toEqual([false, false, false, true, false]);
  });
  it("fails a migration that breaks the old version, naming the old version's errors", () => {
    const failing = (version: string, rps: number, errors: number) => ({
      ...target(version, rps),
      errors,
      ...(errors ? { errorKinds: { 500: errors - 1, reset: 1 } } : {}),
    });
    const broken = [
      fleetSecond(1000, { targets: [target('v1', 20)] }),
      fleetSecond(2000, { targets: [failing('v1', 10, 6), target('v2', 10)] }),
      fleetSecond(3000, { targets: [failing('v1', 5, 4), target('v2', 15)] }),
      fleetSecond(4000, { targets: [target('v2', 20)] }),
    ];
    const checks = judgeDeploy({
      run: run({ fleet: broken, summary: summary(80, 10, 20), events: [event(1800, 'MigrationSucceeded')] }),
      from: 'v1',
      to: 'v2',
      refreshStatus: 'successful',
      logLines: { v1: ['error: column "text" does not exist'] },
      probe: undefined,
    });
    expect(passed(checks)).toEqual([false, true, true, false]);
    expect(checks[3]).toEqual({
      label: 'every version serves without errors while versions are mixed',
      passed: false,
      measured:
        'v1: 10 of 35 failed (HTTP 500 × 8, reset × 2) from 2 s, after v2\'s migration at 1.8 s; its log: "error: column \\"text\\" does not exist"; v2: 0 of 45 failed',
    });
  });
});

describe('crash: failures bounded by the dead instance’s own, none after detection, a replacement', () => {
  const load = [1, 2, 3, 4, 5, 6].map((s) => loadSecond(s * 1000, 20));
  const base = {
    victim: 'i-a',
    killedAtMs: 2000,
    inFlightAtKill: 1,
    endedOnVictimAfterKill: 3,
    detectedAtMs: 2300,
    replacementHealthyAtMs: 3000,
    loadEndMs: 6000,
  };
  it('passes when the failures are the victim’s', () => {
    expect(passed(judgeCrash({ ...base, run: run({ load, summary: summary(120, 3, 10) }) }))).toEqual([
      true,
      true,
      true,
    ]);
  });
  it('fails when others failed too, failures went on after detection, and nothing replaced it', () => {
    const late = load.map((s) => (s.t === 5000 ? { ...s, failed: 2 } : s));
    const rec = {
      ...base,
      replacementHealthyAtMs: undefined,
      run: run({ load: late, summary: summary(120, 5, 10) }),
    };
    expect(passed(judgeCrash(rec))).toEqual([false, false, false]);
  });
});

describe('writes: every acknowledged write reads back', () => {
  const write = {
    request: { method: 'POST', url: '/notes' },
    id: '$.id',
    readBack: { request: { method: 'GET', url: '/notes/{{ id }}' } },
  };
  const ledger = {
    acknowledged: ['1', '2', '3'].map((id) => ({ id, token: `t${id}` })),
    unacknowledged: 1,
    noIdExample: undefined,
  };
  it('passes when all are found', () => {
    const rec = {
      ledger,
      tokenChecked: true,
      missing: [],
      statuses: { 200: 3 },
      crashed: true,
      refreshStatus: 'successful',
    };
    expect(passed(judgeWrites(rec, write))).toEqual([true, true]);
  });
  it('fails with the missing ids named (state kept in one process’s memory)', () => {
    const checks = judgeWrites(
      {
        ledger,
        tokenChecked: true,
        missing: ['2'],
        statuses: { 200: 2, "200 with another write's content": 1 },
        crashed: true,
        refreshStatus: 'successful',
      },
      write,
    );
    expect(passed(checks)).toEqual([true, false]);
    expect(checks[1]?.label).toBe(
      'every acknowledged write reads back by GET /notes/{{ id }}, showing its own token',
    );
    expect(checks[1]?.measured).toBe(
      "2 of 3 found; missing ids 2 (answers: 200 ×2, 200 with another write's content ×1)",
    );
  });
  it('fails when nothing was acknowledged (no id at the configured path)', () => {
    const none = { acknowledged: [], unacknowledged: 9, noIdExample: '{"ok":true}' };
    const checks = judgeWrites(
      {
        ledger: none,
        tokenChecked: true,
        missing: [],
        statuses: {},
        crashed: true,
        refreshStatus: 'successful',
      },
      write,
    );
    expect(passed(checks)).toEqual([false, false]);
    expect(checks[0]?.measured).toContain('a 2xx without an id: "{\\"ok\\":true}"');
  });
});

describe('variant: the config’s expectations against each run’s figures', () => {
  const blocking = run({
    summary: summary(200, 22, 3900, { 200: 178, 503: 22 }),
    events: [event(1000, 'Target.Timeout'), event(5000, 'Target.FailedHealthChecks')],
    fleet: [2, 4, 6].map((s) => fleetSecond(s * 1000, { groupCpu: 48 })),
  });
  const metrics = variantMetrics(blocking, 50);
  it('measures every metric from the recording', () => {
    expect(metrics).toMatchObject({
      requests: 200,
      failedRequests: 22,
      fiveXx: 22,
      unhealthyTransitions: 2,
      unhealthyBeforeScaleOut: 1,
      scaleOuts: 0,
      peakCpuPercent: 48,
      longestCpuBreach: 0,
    });
    expect(metrics.errorRate).toBeCloseTo(0.11, 6);
    const scaledFirst = { ...blocking, events: [event(500, 'ScaleOutCpuHigh'), ...blocking.events] };
    expect(variantMetrics(scaledFirst, 50).unhealthyBeforeScaleOut).toBe(0);
  });
  it('passes and fails each expectation by its comparison', () => {
    const checks = judgeVariant([
      {
        name: 'blocking',
        metrics,
        expect: { fiveXx: '> 0', scaleOuts: '== 0', peakCpuPercent: '>= 50', errorRate: '<= 0.01' },
      },
    ]);
    expect(checks.map((c) => [c.label, c.passed, c.measured])).toEqual([
      ['blocking: fiveXx > 0', true, '22'],
      ['blocking: scaleOuts == 0', true, '0'],
      ['blocking: peakCpuPercent >= 50', false, '48.0%'],
      ['blocking: errorRate <= 0.01', false, '11.0%'],
    ]);
  });
});
