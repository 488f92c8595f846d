import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../src/load/engine.js';
import type { SeriesSecond } from '../src/load/load-metrics.js';
import type { Executor, LoadPlan, Step } from '../src/load/plan.js';
import { runLoadInWorker } from '../src/load/run-in-worker.js';
import { vusAt } from '../src/load/schedule/ramping-vus.js';
import { type LoadTarget, startLoadTarget } from './fixtures/load-targets.js';
import { startProcessTarget } from './fixtures/process-target.js';

let target: LoadTarget;
beforeAll(async () => {
  target = await startLoadTarget();
});
afterAll(() => target?.close());

function plan(executor: Executor, steps: Step[], over: Partial<LoadPlan> = {}): LoadPlan {
  return {
    source: 'test',
    target: target.url,
    timeoutMs: 60_000,
    thresholds: {},
    scenarios: [
      {
        name: 's',
        startTimeMs: 0,
        gracefulStopMs: 5000,
        executor,
        flows: [{ kind: 'steps', name: 'f', weight: 1, steps }],
      },
    ],
    ...over,
  };
}
const get = (url: string): Step => ({ kind: 'request', method: 'GET', url });

describe('load engine against real servers', () => {
  it('holds an arrival rate of 500/s within ±2% over 30 s', async () => {
    target.arrivals.length = 0;
    const executor: Executor = {
      type: 'arrivals',
      label: 'constant-arrival-rate',
      phases: [{ kind: 'rate', durationMs: 30_000, rate: 500 }],
      preAllocatedVUs: 20,
      maxVUs: 200,
    };
    const result = await runLoad({ plan: plan(executor, [get('/')]) });
    expect(result.summary.dropped_iterations).toBe(0);
    const arrivals = target.arrivals;
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

  it('classifies errors: reset, hang (timeout), 503 and refused connections', async () => {
    const shared: Executor = { type: 'shared-iterations', vus: 1, iterations: 2, maxDurationMs: 10_000 };
    const run = (url: string, timeoutMs = 60_000) =>
      runLoad({ plan: plan(shared, [get(url)], { timeoutMs }) });
    expect((await run('/reset')).summary.errors).toEqual({ ECONNRESET: 2 });
    expect((await run('/hang', 300)).summary.errors).toEqual({ ETIMEDOUT: 2 });
    const unavailable = (await run('/503')).summary;
    expect(unavailable.errors).toEqual({ http_5xx: 2 });
    expect(unavailable.codes).toEqual({ 503: 2 });
    expect(unavailable.http_req_failed.rate).toBe(1);
    expect((await run('http://127.0.0.1:1/')).summary.errors).toEqual({ ECONNREFUSED: 2 });
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

  it('times open-model requests from the intended start: a saturated server shows the queueing', async () => {
    // 1 VU, arrivals every 10 ms, 30 ms of service each: each iteration waits longer for its VU... and the
    // ones that find no VU are dropped, not delayed; what does run is timed from when it should have started.
    const executor: Executor = {
      type: 'arrivals',
      label: 'x',
      phases: [{ kind: 'rate', durationMs: 1000, rate: 100 }],
      preAllocatedVUs: 1,
      maxVUs: 1,
    };
    const result = await runLoad({ plan: plan(executor, [get('/slow?ms=30')]) });
    expect(result.summary.dropped_iterations).toBeGreaterThan(50);
    expect(result.summary.http_reqs.count + result.summary.dropped_iterations).toBe(100);
  }, 30_000);

  it('captures a token from JSON and sends it in a later step (Artillery capture)', async () => {
    const steps: Step[] = [
      {
        kind: 'request',
        method: 'POST',
        url: '/auth/login',
        json: { email: 'a@b.c', password: 'fleetproof-demo' },
        capture: [{ json: '$.token', as: 'token' }],
        expect: [200],
      },
      {
        kind: 'request',
        method: 'GET',
        url: '/me',
        headers: { authorization: 'Bearer {{ token }}' },
        expect: [200],
      },
    ];
    const result = await runLoad({
      plan: plan({ type: 'shared-iterations', vus: 2, iterations: 10, maxDurationMs: 10_000 }, steps),
    });
    expect(result.summary.checks).toEqual({ rate: 1, passes: 20, fails: 0 });
    expect(result.summary.vusers).toEqual({ created: 10, completed: 10, failed: 0 });
  });

  it('stops early when a threshold with abortOnFail fails', async () => {
    const started = Date.now();
    const result = await runLoad({
      plan: plan({ type: 'constant-vus', vus: 2, durationMs: 20_000 }, [get('/503')], {
        thresholds: { http_req_failed: [{ expression: 'rate<0.5', abortOnFail: true }] },
      }),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.aborted).toContain('http_req_failed: rate<0.5 failed');
    expect(result.thresholds[0]?.passed).toBe(false);
  });

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
