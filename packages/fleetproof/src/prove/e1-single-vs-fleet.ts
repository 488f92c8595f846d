import { ExperimentFleet } from './experiment-fleet.js';
import { indexThenLoginArrivals } from './load-plans.js';
import { loadFigures, ms, pct, peakInstances, scaleOutMapping } from './measure.js';
import type { Check, ExperimentFindings, ProveContext } from './types.js';

// Half a vCPU per instance: small enough that the fleet's headroom (up to 4 of them) fits this machine next to
// the balancer, the database and the load generator, as t4g.nano instances fit a small AWS account.
const INSTANCE = { cpus: 0.5, memoryMiB: 512 };

/**
 * E1 (second report): the same ramping arrival-rate load, index then login, against one instance with
 * scaling off and against the fleet (two instances, as an ALB spread over two AZs needs, scaling up to four).
 */
export async function singleVersusFleet(context: ProveContext): Promise<ExperimentFindings> {
  const load = context.quick
    ? { from: 2, to: 30, rampMs: 15_000, holdMs: 6000 }
    : { from: 2, to: 30, rampMs: 20_000, holdMs: 8000 };
  const plan = indexThenLoginArrivals(load);
  // Least outstanding requests: round robin strictly alternates, and with two requests per user on two idle
  // targets every login would land on the same instance (see balancer/routing.ts).
  const balancer = { ...context.config.balancer, algorithm: 'least_outstanding_requests' as const };

  const single = await ExperimentFleet.start(context, {
    label: 'E1 single instance',
    setup: `1 instance (${INSTANCE.cpus} vCPU), scaling off`,
    override: { instance: INSTANCE, scaling: { min: 1, max: 1, enabled: false }, balancer },
  });
  try {
    await single.load(plan, 'ramping arrivals');
  } finally {
    await single.stop();
  }

  const fleet = await ExperimentFleet.start(context, {
    label: 'E1 fleet',
    setup: `2–4 instances (${INSTANCE.cpus} vCPU each), target tracking on CPU at ${context.config.scaling.targetCpuPercent}%`,
    override: { instance: INSTANCE, scaling: { min: 2, max: 4, enabled: true }, balancer },
  });
  try {
    await fleet.load(plan, 'ramping arrivals');
  } finally {
    await fleet.stop();
  }

  const a = loadFigures(single.recording.summary);
  const b = loadFigures(fleet.recording.summary);
  const checks: Check[] = [
    {
      label: 'the fleet: 0 failed virtual users',
      passed: b.failedUsers === 0,
      measured: `${b.failedUsers} of ${b.users} failed`,
    },
    {
      label: 'the single instance fails visibly under the same load (≥ 5% of users fail)',
      passed: a.failedUsersPercent >= 5,
      measured: `${a.failedUsers} of ${a.users} failed (${pct(a.failedUsersPercent)})`,
    },
  ];
  return {
    id: 'E1',
    title: 'Single instance vs fleet',
    origin:
      'Second report (Artillery, index then login, ramp then hold): single EC2 37.6% timeouts and 54.7% failed users; the HA architecture 0% and 0%, p99 25.8 ms.',
    checks,
    columns: ['requests', 'timeouts', 'failed users', 'p99', 'peak instances'],
    rows: [
      {
        label: 'single instance (here)',
        values: [
          String(a.requests),
          pct(a.timeoutsPercent),
          pct(a.failedUsersPercent),
          ms(a.p99Ms),
          String(peakInstances(single.recording)),
        ],
      },
      {
        label: 'fleet (here)',
        values: [
          String(b.requests),
          pct(b.timeoutsPercent),
          pct(b.failedUsersPercent),
          ms(b.p99Ms),
          String(peakInstances(fleet.recording)),
        ],
      },
      { label: 'single EC2 (second report)', values: ['—', '37.6%', '54.7%', '—', '1'] },
      { label: 'HA architecture (second report)', values: ['—', '0%', '0%', '25.8 ms', '—'] },
    ],
    runs: [single.recording, fleet.recording],
    mapped: scaleOutMapping(fleet.recording, fleet.config, context),
    explanation: [
      `Load: new users arrive at ${load.from}/s rising to ${load.to}/s over ${load.rampMs / 1000} s, then ${load.to}/s for ${load.holdMs / 1000} s; each GETs / then POSTs /auth/login (argon2 verify). A user fails on a timeout (3 s) or a non-200 answer.`,
      'One instance saturates part-way up the ramp: queues grow, health checks time out, the group replaces the "unhealthy" instance, and while it restarts the balancer has no target (503). The fleet spreads the same arrivals and adds instances as average CPU crosses the target.',
      'The balancer uses least outstanding requests here: strict round robin on one local balancer node would send every login of a two-request flow to the same instance.',
    ],
  };
}
