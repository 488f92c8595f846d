import type { LoadPlan, Step } from '../load/plan.js';

// The demo account apps/api's migration seeds (see apps/api/src/db/seed-demo-users.ts).
const LOGIN: Step = {
  kind: 'request',
  method: 'POST',
  url: '/auth/login',
  json: { email: 'demo@fleetproof.local', password: 'fleetproof-demo' },
  expect: [200],
};

/**
 * The second report's Artillery test, compressed: new virtual users arrive at a rate that ramps up, then
 * holds; each opens the index, then logs in. A user fails on a transport error or a non-200 answer.
 * Timeout: Artillery's 10 s, scaled down like every other duration here.
 */
export function indexThenLoginArrivals(o: {
  from: number;
  to: number;
  rampMs: number;
  holdMs: number;
}): LoadPlan {
  return {
    source: 'prove: index then login (Artillery phases)',
    scenarios: [
      {
        name: 'index-then-login',
        executor: {
          type: 'arrivals',
          phases: [
            { kind: 'ramp', durationMs: o.rampMs, from: o.from, to: o.to },
            { kind: 'rate', durationMs: o.holdMs, rate: o.to },
          ],
          preAllocatedVUs: 10,
          maxVUs: 2000,
          label: 'ramping arrival rate',
        },
        flows: [
          {
            kind: 'steps',
            name: 'index then login',
            weight: 1,
            steps: [{ kind: 'request', method: 'GET', url: '/', expect: [200] }, LOGIN],
          },
        ],
        gracefulStopMs: 5000,
        startTimeMs: 0,
      },
    ],
    thresholds: {},
    timeoutMs: 3000,
  };
}

/**
 * The first report's k6 test, compressed: ramping VUs, each POSTs / then sleeps 1 s. No `expect`: a k6
 * `check` records a failure but does not end the iteration, so the sleep still happens.
 */
export function postThenSleepVus(o: {
  vus: number;
  rampUpMs: number;
  holdMs: number;
  rampDownMs: number;
}): LoadPlan {
  return {
    source: 'prove: POST / then sleep 1 s (k6 stages)',
    scenarios: [
      {
        name: 'post-and-sleep',
        executor: {
          type: 'ramping-vus',
          startVUs: 0,
          stages: [
            { durationMs: o.rampUpMs, target: o.vus },
            { durationMs: o.holdMs, target: o.vus },
            { durationMs: o.rampDownMs, target: 0 },
          ],
          gracefulRampDownMs: 5000,
        },
        flows: [
          {
            kind: 'steps',
            name: 'POST /',
            weight: 1,
            steps: [
              { kind: 'request', method: 'POST', url: '/' },
              { kind: 'think', seconds: 1 },
            ],
          },
        ],
        gracefulStopMs: 5000,
        startTimeMs: 0,
      },
    ],
    thresholds: {},
    timeoutMs: 60_000,
  };
}

/** Steady GET / traffic at a constant arrival rate (the deploy experiment's background load). */
export function steadyGets(o: { rate: number; durationMs: number }): LoadPlan {
  return {
    source: 'prove: steady GET /',
    scenarios: [
      {
        name: 'steady-get',
        executor: {
          type: 'arrivals',
          phases: [{ kind: 'rate', durationMs: o.durationMs, rate: o.rate }],
          preAllocatedVUs: 10,
          maxVUs: 200,
          label: 'constant arrival rate',
        },
        flows: [
          {
            kind: 'steps',
            name: 'GET /',
            weight: 1,
            steps: [{ kind: 'request', method: 'GET', url: '/', expect: [200] }],
          },
        ],
        gracefulStopMs: 5000,
        startTimeMs: 0,
      },
    ],
    thresholds: {},
    timeoutMs: 10_000,
  };
}
