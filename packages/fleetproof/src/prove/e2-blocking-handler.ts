import { ExperimentFleet } from './experiment-fleet.js';
import { postThenSleepVus } from './load-plans.js';
import {
  countEvents,
  fiveXxResponses,
  loadFigures,
  longestBreach,
  meanGroupCpu,
  ms,
  pct,
  peakGroupCpu,
  peakInstances,
  scaleOutMapping,
} from './measure.js';
import { mapToAws } from './time-mapping.js';
import type { Check, ExperimentFindings, MappedDuration, ProveContext, RunRecording } from './types.js';

// The first report's instance size: 2 vCPUs, where one blocked thread can use at most half.
const INSTANCE = { cpus: 2, memoryMiB: 1024 };

/**
 * E2 (first report): POST / burns CPU with pbkdf2. Done synchronously (`CPU_MODE=blocking`) it holds the one
 * JavaScript thread, so health checks time out and the instance is replaced before target tracking can act,
 * and its CPU never passes 1/vCPUs. Done asynchronously (libuv's thread pool) the same load scales out.
 */
export async function blockingHandler(context: ProveContext): Promise<ExperimentFindings> {
  const target = context.config.scaling.targetCpuPercent;
  const load = context.quick
    ? { vus: 20, rampUpMs: 6000, holdMs: 14_000, rampDownMs: 2000 }
    : { vus: 20, rampUpMs: 6000, holdMs: 17_000, rampDownMs: 3000 };
  const plan = postThenSleepVus(load);
  const scaling = { min: 1, max: 2, enabled: true };

  const runs: RunRecording[] = [];
  for (const mode of ['blocking', 'async'] as const) {
    const fleet = await ExperimentFleet.start(context, {
      label: `E2 CPU_MODE=${mode}`,
      setup: `pbkdf2 ${mode === 'blocking' ? 'Sync on the event loop' : 'on the thread pool'}; 1–2 instances of ${INSTANCE.cpus} vCPU, target ${target}% CPU`,
      override: { instance: INSTANCE, scaling },
      instanceEnv: { CPU_MODE: mode },
    });
    try {
      await fleet.load(plan, 'ramping VUs');
    } finally {
      runs.push(await fleet.stop());
    }
  }
  const [blocking, asynchronous] = runs as [RunRecording, RunRecording];

  const unhealthy = countEvents(blocking, [
    'Target.Timeout',
    'Target.FailedHealthChecks',
    'Target.ResponseCodeMismatch',
  ]);
  const blocked5xx = fiveXxResponses(blocking.summary);
  const blockedCpu = peakGroupCpu(blocking);
  const ceiling = 100 / INSTANCE.cpus;
  const scaleOutAfter = context.config.scaling.scaleOutDatapoints;
  const b = loadFigures(blocking.summary);
  const a = loadFigures(asynchronous.summary);
  const checks: Check[] = [
    {
      label: 'blocking: health checks fail',
      passed: unhealthy > 0,
      measured: `${unhealthy} unhealthy transition(s)`,
    },
    {
      label: 'blocking: 5xx responses appear',
      passed: blocked5xx > 0,
      measured: `${blocked5xx} responses with 5xx`,
    },
    {
      label: `blocking: average CPU stays under the ${target}% target (never ${scaleOutAfter} datapoints over it in a row), so no scale-out`,
      passed:
        meanGroupCpu(blocking) < target &&
        longestBreach(blocking, target) < scaleOutAfter &&
        countEvents(blocking, ['ScaleOutCpuHigh']) === 0,
      measured: `mean CPU datapoint ${pct(meanGroupCpu(blocking))}, peak ${pct(blockedCpu)}, longest run over target ${longestBreach(blocking, target)} datapoint(s), ${countEvents(blocking, ['ScaleOutCpuHigh'])} scale-out(s)`,
    },
    {
      label: 'async: the same load scales out',
      passed: countEvents(asynchronous, ['ScaleOutCpuHigh']) > 0 && peakInstances(asynchronous) >= 2,
      measured: `peak CPU datapoint ${pct(peakGroupCpu(asynchronous))}, ${peakInstances(asynchronous)} instances`,
    },
    {
      label: 'async: 0 failed requests',
      passed: a.failedRequests === 0,
      measured: `${a.failedRequests} of ${a.requests} failed`,
    },
  ];
  const row = (label: string, run: RunRecording, f: typeof a) => ({
    label,
    values: [
      String(f.requests),
      pct((f.failedRequests / Math.max(1, f.requests)) * 100),
      String(fiveXxResponses(run.summary)),
      pct(peakGroupCpu(run)),
      String(peakInstances(run)),
      ms(f.p99Ms),
    ],
  });
  return {
    id: 'E2',
    title: 'The blocking-handler pitfall',
    origin:
      'First report: with pbkdf2Sync each request took about 1 s, the ALB returned 503s, health checks failed and the instance was judged dead before scaling acted; peak CPU 48%, never over the 50% target. With async pbkdf2 the service scaled.',
    checks,
    columns: ['requests', 'failed', '5xx', 'peak CPU', 'peak instances', 'p99'],
    rows: [
      row('CPU_MODE=blocking (here)', blocking, b),
      row('CPU_MODE=async (here)', asynchronous, a),
      { label: 'pbkdf2Sync (first report)', values: ['—', 'failures', '503s', '48%', '1', '—'] },
    ],
    runs,
    mapped: [
      ...replacementMapping(blocking, context),
      ...scaleOutMapping(asynchronous, context.config, context),
    ],
    explanation: [
      `Load: ${load.vus} virtual users (ramp ${load.rampUpMs / 1000} s, hold ${load.holdMs / 1000} s, ramp down ${load.rampDownMs / 1000} s), each POSTs / then sleeps 1 s, as the first report's k6 script.`,
      `Why CPU cannot reach the target: pbkdf2Sync runs on Node's one JavaScript thread, and one busy thread on a ${INSTANCE.cpus}-vCPU instance is at most 1/${INSTANCE.cpus} of its CPU: ${ceiling.toFixed(0)}%. The target is ${target}%, so target tracking never sees a sustained breach: the instance only ever looks "half busy" while it answers nothing else, health checks included. (A datapoint can land a point or two either side of ${ceiling.toFixed(0)}%: garbage collection and I/O run on other threads. Target tracking acts only on ${context.config.scaling.scaleOutDatapoints} datapoints over target in a row.)`,
      'The health check waits behind the blocked thread, times out, and the group replaces the instance (after its grace period); while the replacement starts there is no registered target, so the balancer answers 503.',
      'With async pbkdf2 the work runs on libuv’s thread pool (4 threads), the event loop stays free to answer health checks, CPU rises past the target and the group adds an instance.',
    ],
  };
}

/**
 * An unhealthy instance's life, launched → replaced: mostly the health check grace period. A replacement's is
 * taken when there is one (the first instance also idled before the load began).
 */
function replacementMapping(run: RunRecording, context: ProveContext): MappedDuration[] {
  const lives = run.events
    .filter((e) => e.reason === 'ReplaceUnhealthy')
    .map((replaced) => {
      const id = replaced.message.split(' ')[0] ?? '';
      const launched = run.events.find((e) => e.reason === 'InstanceLaunched' && e.message.startsWith(id));
      return launched && { launchedAt: launched.t, replacedAt: replaced.t };
    })
    .filter((life) => life !== undefined);
  const life = lives[1] ?? lives[0];
  if (!life) return [];
  return [
    mapToAws(
      'blocking: an instance’s life from launch to its replacement as unhealthy',
      life.replacedAt - life.launchedAt,
      [{ label: 'health check grace period', seconds: (p) => p.healthCheckGracePeriodSeconds }],
      context.fast,
      context.aws,
    ),
  ];
}
