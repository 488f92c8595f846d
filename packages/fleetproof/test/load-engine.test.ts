import { describe, expect, it } from 'vitest';
import { runLoad } from '../src/load/engine.js';
import type { Executor, Step } from '../src/load/plan.js';
import { getStep as get, useLoadTarget } from './fixtures/load-plan.js';

// What the engine does against real servers; the tests that measure time on this machine are in
// load-engine.timing.test.ts, which runs alone after the rest (vitest.e2e.config.ts).
const { plan } = useLoadTarget();

describe('load engine against real servers', () => {
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
});
