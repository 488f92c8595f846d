import { ExperimentFleet } from './experiment-fleet.js';
import { postThenSleepVus } from './load-plans.js';
import {
  firstEvent,
  loadFigures,
  pct,
  peakGroupCpu,
  peakInstances,
  scaleOutMapping,
  streakStartMs,
} from './measure.js';
import { formatSeconds, mapToAws, scaleInTerms } from './time-mapping.js';
import type { Check, ExperimentFindings, ProveContext } from './types.js';

/**
 * E4 (first report): CPU load takes the group from its minimum to its maximum; after the load stops, the
 * group waits out its scale-in datapoints and returns to the minimum.
 */
export async function scaleOutAndIn(context: ProveContext): Promise<ExperimentFindings> {
  const { min, max, targetCpuPercent: target } = context.config.scaling;
  const load = context.quick
    ? { vus: 16, rampUpMs: 4000, holdMs: 14_000, rampDownMs: 2000 }
    : { vus: 16, rampUpMs: 5000, holdMs: 16_000, rampDownMs: 3000 };
  const fleet = await ExperimentFleet.start(context, {
    label: 'E4 scale out and in',
    setup: `${min}–${max} instances of ${context.config.instance.cpus} vCPU, target ${target}% CPU, CPU_MODE=async`,
    override: { scaling: { enabled: true } },
    instanceEnv: { CPU_MODE: 'async' },
  });
  let loadEndedAt = 0;
  let backToMin = false;
  try {
    await fleet.load(postThenSleepVus(load), 'ramping VUs');
    loadEndedAt = fleet.elapsedMs();
    // Scale-in needs every datapoint of its window under target, then a drain: allow twice that, plus a minute.
    const windowMs = context.config.scaling.scaleInDatapoints * context.fast.metricPeriodSeconds * 1000;
    backToMin = await fleet.until(
      `scale-in to ${min}`,
      () => fleet.fleet.group.status().instances.length === min && fleet.fleet.group.status().desired === min,
      2 * windowMs + 60_000,
    );
  } finally {
    await fleet.stop();
  }
  const run = fleet.recording;
  const scaleOut = firstEvent(run, ['ScaleOutCpuHigh']);
  const scaleIn = firstEvent(run, ['ScaleInCpuLow'], loadEndedAt);
  const terminated = scaleIn && firstEvent(run, ['InstanceTerminated'], scaleIn.t);
  const f = loadFigures(run.summary);
  const checks: Check[] = [
    {
      label: `load pushes average CPU over ${target}%`,
      passed: peakGroupCpu(run) > target,
      measured: `peak CPU datapoint ${pct(peakGroupCpu(run))}`,
    },
    {
      label: `the group scales out ${min} → ${max}`,
      passed: scaleOut !== undefined && peakInstances(run) >= max,
      measured: scaleOut ? `${scaleOut.message} (at ${formatSeconds(scaleOut.t / 1000)})` : 'no scale-out',
    },
    {
      label: `after the load stops, back to ${min}`,
      passed: backToMin && scaleIn !== undefined,
      measured: scaleIn
        ? `scale-in decided ${formatSeconds((scaleIn.t - loadEndedAt) / 1000)} after the load stopped${terminated ? `, instance stopped ${formatSeconds((terminated.t - loadEndedAt) / 1000)} after` : ''}`
        : 'no scale-in',
    },
  ];
  return {
    id: 'E4',
    title: 'Scale out and back in',
    origin:
      'First report: under lighter load CPU passed 50%, a second instance launched, became healthy and both served; about 20 minutes after k6 stopped the group terminated one and returned to 1.',
    checks,
    columns: ['requests', 'failed', 'peak CPU', 'peak instances', 'back to min after load'],
    rows: [
      {
        label: 'here',
        values: [
          String(f.requests),
          String(f.failedRequests),
          pct(peakGroupCpu(run)),
          String(peakInstances(run)),
          terminated ? formatSeconds((terminated.t - loadEndedAt) / 1000) : '—',
        ],
      },
      { label: 'first report', values: ['—', '—', '> 50%', '2', 'about 20 min'] },
    ],
    runs: [run],
    mapped: [
      ...scaleOutMapping(run, context.config, context),
      ...(terminated
        ? [
            mapToAws(
              'scale-in: CPU under target → instance stopped',
              terminated.t -
                streakStartMs(
                  run,
                  scaleIn?.t ?? terminated.t,
                  (cpu) => cpu < target,
                  context.fast.metricPeriodSeconds * 1000,
                ),
              scaleInTerms(context.config),
              context.fast,
              context.aws,
            ),
          ]
        : []),
    ],
    explanation: [
      `Load: ${load.vus} virtual users POST / then sleep 1 s (ramp ${load.rampUpMs / 1000} s, hold ${load.holdMs / 1000} s, ramp down ${load.rampDownMs / 1000} s).`,
      `Target tracking scales out after ${context.config.scaling.scaleOutDatapoints} datapoints over target and in only after ${context.config.scaling.scaleInDatapoints} under it (AWS's asymmetry, so capacity is not taken away at the first quiet minute): with AWS's one-minute datapoints that is 15 minutes, which with the time to drain and stop is the first report's "about 20 minutes".`,
    ],
  };
}
