import { describe, expect, it } from 'vitest';
import { runLoad } from '../src/load/engine.js';
import type { SeriesSecond } from '../src/load/load-metrics.js';
import type { Executor } from '../src/load/plan.js';
import { runLoadInWorker } from '../src/load/run-in-worker.js';
import { vusAt } from '../src/load/schedule/ramping-vus.js';
import { getStep as get, useLoadTarget } from './fixtures/load-plan.js';
import { startProcessTarget } from './fixtures/process-target.js';

// The load engine's timing on this machine: arrival rate, VU stages per second, percentiles against exact
// service times, a schedule kept while the main thread is blocked. These measure time, so they run alone
// after the other test files (vitest.e2e.config.ts), never beside a test that loads the two cores.
const { target, plan } = useLoadTarget();

describe('load engine timing against real servers', () => {
  it('holds an arrival rate of 500/s within ±2% over 30 s', async () => {
    target().arrivals.length = 0;
    const executor: Executor = {
      type: 'arrivals',
      label: 'constant-arrival-rate',
      phases: [{ kind: 'rate', durationMs: 30_000, rate: 500 }],
      preAllocatedVUs: 20,
      maxVUs: 200,
    };
    const result = await runLoad({ plan: plan(executor, [get('/')]) });
    expect(result.summary.dropped_iterations).toBe(0);
    const arrivals = target().arrivals;
    const first = arrivals[0] ?? 0;
    // Requests the server saw in the 30 s window that starts with the first one.
    const inWindow = arrivals.filter((t) => t - first < 30_000).length;
    expect(Math.abs(inWindow - 15_000) / 15_000).toBeLessThanOrEqual(0.02);
    // And no second of it strays more than 10% (the schedule is not bunched).
    const perSecond = new Map<number, number>();
    for (const t of arrivals)
      perSecond.set(Math.floor((t - first) / 1000), (perSecond.get(Math.floor((t - first) / 1000)) ?? 0) + 1);
    for (let s = 1; s < 29; s++) expect(Math.abs((perSecond.get(s) ?? 0) - 500)).toBeLessThanOrEqual(50);
  }, 60_000);

  it('keeps serving responses at 1000 arrivals/s, where every wait between arrivals is a millisecond', async () => {
    // It once awaited a timer only for waits over 1 ms: at 1000/s it never yielded, so no response came in
    // for the whole phase and thousands of VUs piled up behind a loop that looked busy.
    const seconds: SeriesSecond[] = [];
    const executor: Executor = {
      type: 'arrivals',
      label: 'ramping-arrival-rate',
      phases: [
        { kind: 'ramp', durationMs: 1000, from: 500, to: 1000 },
        { kind: 'rate', durationMs: 3000, rate: 1000 },
      ],
      preAllocatedVUs: 20,
      maxVUs: 10_000,
    };
    const result = await runLoad({ plan: plan(executor, [get('/')]), onSecond: (s) => seconds.push(s) });
    expect(result.summary.vus.max).toBeLessThan(200);
    const gaps = seconds.slice(1).map((s, i) => s.elapsedMs - (seconds[i] as SeriesSecond).elapsedMs);
    expect(Math.max(...gaps)).toBeLessThan(1500);
    expect(result.summary.http_reqs.count).toBeGreaterThan(3000);
  }, 30_000);

  it('follows ramping-vus stages: the VU count tracks the schedule each second', async () => {
    const stages = [
      { durationMs: 3000, target: 6 },
      { durationMs: 2000, target: 6 },
      { durationMs: 2000, target: 0 },
    ];
    const seconds: SeriesSecond[] = [];
    await runLoad({
      plan: plan({ type: 'ramping-vus', startVUs: 0, stages, gracefulRampDownMs: 100 }, [
        get('/'),
        { kind: 'think', seconds: 0.05 },
      ]),
      onSecond: (p) => seconds.push(p),
    });
    for (const point of seconds.filter((p) => p.elapsedMs < 6900)) {
      expect(Math.abs(point.vus - vusAt(stages, 0, point.elapsedMs))).toBeLessThanOrEqual(1);
    }
    expect(Math.max(...seconds.map((p) => p.vus))).toBe(6);
  }, 30_000);

  it.each([5, 30])(
    'a %i ms service time: p50 and p99 within 1 ms (of the exact percentiles and of the delay)',
    async (ms) => {
      const server = await startProcessTarget();
      const exact = (values: number[], q: number) => {
        const sorted = [...values].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
      };
      const measure = async (delay: number, n: number) => {
        const raw: number[] = [];
        const url = `${server.url}/slow?ms=${delay}`;
        const executor: Executor = {
          type: 'shared-iterations',
          vus: 1,
          iterations: n,
          maxDurationMs: 60_000,
        };
        const result = await runLoad({
          plan: plan(executor, [get(url)]),
          onRequest: (s) => raw.push(s.durationMs),
        });
        return { d: result.summary.http_req_duration, raw };
      };
      try {
        await measure(0, 30); // warm-up: connection, JIT
        const baseline = await measure(0, 300);
        const { d, raw } = await measure(ms, 300);
        expect(d.count).toBe(300);
        // The histogram's percentiles are the exact percentiles of what was measured, within 1 ms.
        expect(Math.abs(d.med - exact(raw, 0.5))).toBeLessThanOrEqual(1);
        expect(Math.abs(d.p99 - exact(raw, 0.99))).toBeLessThanOrEqual(1);
        // And what was measured is the service time: the median is the delay plus the empty round trip.
        expect(Math.abs(d.med - (ms + baseline.d.med))).toBeLessThanOrEqual(1);
        expect(d.p99).toBeGreaterThanOrEqual(ms);
        expect(d.min).toBeGreaterThanOrEqual(ms);
      } finally {
        server.close();
      }
    },
    60_000,
  );

  it('keeps its schedule in a worker thread while the main thread is blocked; in-process it cannot', async () => {
    const server = await startProcessTarget();
    const executor: Executor = {
      type: 'arrivals',
      label: 'x',
      phases: [{ kind: 'rate', durationMs: 3000, rate: 100 }],
      preAllocatedVUs: 10,
      maxVUs: 100,
    };
    const blockMainThreadFor = async (ms: number) => {
      await new Promise((r) => setTimeout(r, 1000));
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    try {
      const isolated = runLoadInWorker(plan(executor, [get(server.url)]));
      await blockMainThreadFor(800);
      const worker = (await isolated).summary;
      const inProcess = runLoad({ plan: plan(executor, [get(server.url)]) });
      await blockMainThreadFor(800);
      const sameThread = (await inProcess).summary;
      expect(worker.http_reqs.count).toBe(300);
      expect(worker.dropped_iterations).toBe(0);
      // Timed from the intended send: the blocked thread shows up as latency only when it is the generator's.
      expect(worker.http_req_duration.max).toBeLessThan(300);
      expect(sameThread.http_req_duration.max).toBeGreaterThan(600);
    } finally {
      server.close();
    }
  }, 30_000);
});
