import type { ScaleSettings } from '../config/proof-schema.js';
import type { LoadSummary } from '../load/load-metrics.js';
import { ExperimentFleet } from './experiment-fleet.js';
import {
  firstEvent,
  loadFigures,
  pct,
  peakGroupCpu,
  peakInstances,
  scaleOutMapping,
  streakStartMs,
} from './measure.js';
import { arrivals, atSteadyRate, onSchedule, type ProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { calibrate } from './scale-calibration.js';
import { describeServiceLevel, holds, serviceLevelFor, windowFigures } from './service-level.js';
import { formatSeconds, mapToAws, scaleInTerms } from './time-mapping.js';
import type {
  Check,
  ExperimentFindings,
  Override,
  ProveContext,
  RunRecording,
  ServiceLevel,
} from './types.js';

export interface ScaleRecording {
  run: RunRecording;
  min: number;
  targetCpuPercent: number;
  /** Run-relative: the main load's start and end. */
  loadStartMs: number;
  loadEndMs: number;
  /** How long after the new instance serves the service level is judged from: its warm-up, then 2 s. */
  settleMs: number;
  /** The probe kept up during the scale-in. */
  probe: LoadSummary | undefined;
  backToMin: boolean;
}

const WARM_UP_MS = 6000;
/** The stretch at the end of the load the service level is judged on, once the new instance serves. */
const STEADY_MS = 6000;

/** The verdict on a scale run: CPU over target, scale-out, the service level once it serves, scale-in clean. */
export function judgeScale(rec: ScaleRecording, sl: ServiceLevel): Check[] {
  const { run, targetCpuPercent: target } = rec;
  const scaleOut = firstEvent(run, ['ScaleOutCpuHigh']);
  const served = scaleOut && firstEvent(run, ['Target.Healthy'], scaleOut.t);
  // The steady state once it serves: the load's last seconds, and never before the end of its warm-up (AWS's
  // instance warmup: a new instance is not yet counted on) and 2 s more for the queue built while one
  // instance carried the load to drain.
  const from = served ? Math.max(served.t + rec.settleMs, rec.loadEndMs - STEADY_MS) : 0;
  const after = served ? windowFigures(run.load, from, rec.loadEndMs) : undefined;
  const afterHolds = after && holds(after, sl);
  const scaleIn = firstEvent(run, ['ScaleInCpuLow'], rec.loadEndMs);
  const probeFailed = rec.probe?.http_req_failed.passes ?? 0;
  const probeRequests = rec.probe?.http_reqs.count ?? 0;
  return [
    {
      label: `the load pushes average CPU over the ${target}% target`,
      passed: peakGroupCpu(run) > target,
      measured: `peak CPU datapoint ${pct(peakGroupCpu(run))}`,
    },
    {
      label: `the group scales out from ${rec.min}`,
      passed: scaleOut !== undefined && peakInstances(run) > rec.min,
      measured: scaleOut
        ? `${scaleOut.message} (at ${formatSeconds(scaleOut.t / 1000)})`
        : `no scale-out; peak ${peakInstances(run)} instance(s)`,
    },
    {
      label: `the service level holds once the new instance serves (${describeServiceLevel(sl)})`,
      passed: afterHolds?.passed === true,
      measured: afterHolds
        ? `from ${formatSeconds(from / 1000)} to the load's end (new instance served at ${formatSeconds((served?.t ?? 0) / 1000)}): ${afterHolds.measured}`
        : 'no new instance served during the load',
    },
    {
      label: `after the load, back to ${rec.min}`,
      passed: rec.backToMin && scaleIn !== undefined,
      measured: scaleIn
        ? `scale-in decided ${formatSeconds((scaleIn.t - rec.loadEndMs) / 1000)} after the load ended`
        : 'no scale-in',
    },
    {
      label: 'no failed request during the scale-in',
      passed: probeRequests > 0 && probeFailed === 0,
      measured: `${probeFailed} of ${probeRequests} probe requests failed`,
    },
  ];
}

/**
 * The scale-in probe's rate when the main rate was calibrated: at most a quarter of it, so that with one
 * instance fewer the CPU left is well under target (the main rate puts one instance at 1.3 × target; a
 * quarter of it on two instances is 1.3 / 8 of target each, and ceil(2 × 0.16) = 1 lets target tracking
 * remove one). A fixed probe of expensive requests (1/s of 0.3 s POSTs on 0.5 vCPU: 30% each on two)
 * would hold the group out.
 */
export function lightProbeRate(probeRate: number, calibratedRate: number): number {
  const quarter = Math.round((calibratedRate / 4) * 100) / 100;
  return Math.min(probeRate, Math.max(0.1, quarter));
}

export const COLUMNS = ['requests', 'failed', 'peak CPU', 'peak instances', 'back to min after load'];

/**
 * `scale`: the load's flows at a rate that pushes CPU over target (given, or calibrated on one instance):
 * the group must scale out and keep the service level once the new instance serves; after the load, with a
 * light probe still running, it must scale back in without failing a request.
 */
export async function scale(
  context: ProveContext,
  settings: ScaleSettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const { config } = context;
  const { min, targetCpuPercent: target } = config.scaling;
  const max = Math.max(config.scaling.max, min + 1);
  let rate = settings.rate;
  let rateWhy = 'proof.experiments.scale.rate';
  let probeRate = settings.probeRate;
  let instance: { cpus?: number; memoryMiB?: number } = settings.instance ?? {};
  const overrides: Override[] = [
    {
      section: 'scaling',
      value: `${min}–${max}, enabled`,
      why: 'target tracking must be able to add an instance',
    },
  ];
  if (rate === undefined) {
    const cpus = instance.cpus ?? config.instance.cpus;
    const found = await calibrate(context, settings, load, sl, cpus);
    rate = found.rate;
    rateWhy = found.why;
    if (found.cpus !== cpus) {
      instance = { ...instance, cpus: found.cpus };
      overrides.push({ section: 'instance.cpus', value: String(found.cpus), why: found.why });
    }
    probeRate = lightProbeRate(settings.probeRate, rate);
    if (probeRate !== settings.probeRate)
      overrides.push({
        section: 'probeRate',
        value: `${probeRate}/s`,
        why: 'at most a quarter of the calibrated rate, so that one instance fewer leaves CPU well under target and target tracking can remove it',
      });
  }
  if (settings.instance)
    overrides.push({
      section: 'instance',
      value: JSON.stringify(settings.instance),
      why: 'set by proof.experiments.scale',
    });
  const period = context.fast.metricPeriodSeconds;
  // Long enough for the datapoints of a scale-out, the boot and first checks, and some seconds of serving.
  const holdMs = Math.max(
    (config.scaling.scaleOutDatapoints * period + 16) * 1000,
    settings.holdSeconds * context.durationFactor * 1000,
  );
  const fleet = await ExperimentFleet.start(context, {
    label: 'scale',
    setup: `${min}–${max} instances, target ${target}% CPU; ${rate}/s of ${load.name}`,
    override: {
      instance,
      scaling: { min, max, desired: min, enabled: true },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  const loadStartMs = fleet.elapsedMs();
  let loadEndMs = loadStartMs;
  let probe: LoadSummary | undefined;
  let backToMin = false;
  try {
    // A few seconds of ramp first: a cold instance (a JIT still compiling) hit at full rate from its first
    // second saturates where a warm one runs at the intended CPU.
    const warmUp = { kind: 'ramp' as const, durationMs: WARM_UP_MS, from: Math.max(1, rate / 10), to: rate };
    await fleet.load(
      onSchedule(load, arrivals([warmUp, { kind: 'rate', durationMs: holdMs, rate }]), `${rate}/s`),
      `${rate}/s`,
    );
    loadEndMs = fleet.elapsedMs();
    const windowMs = config.scaling.scaleInDatapoints * period * 1000;
    const atMin = () =>
      fleet.fleet.group.status().instances.length === min && fleet.fleet.group.status().desired === min;
    const probeMs = 2 * windowMs + 40_000;
    const probed = await fleet.load(
      atSteadyRate(load, probeRate, probeMs),
      `scale-in probe at ${probeRate}/s`,
      { keepSummary: true, stopWhen: atMin },
    );
    probe = probed.summary;
    backToMin = atMin();
  } finally {
    await fleet.stop();
  }
  const run = fleet.recording;
  const rec: ScaleRecording = {
    settleMs: context.fast.instanceWarmupSeconds * 1000 + 2000,
    run,
    min,
    targetCpuPercent: target,
    loadStartMs,
    loadEndMs,
    probe,
    backToMin,
  };
  const scaleIn = firstEvent(run, ['ScaleInCpuLow'], loadEndMs);
  const terminated = scaleIn && firstEvent(run, ['InstanceTerminated'], scaleIn.t);
  const f = loadFigures(run.summary);
  return {
    id: 'scale',
    title: 'Scale out and back in',
    origin:
      settings.about ??
      'Does the group add capacity when CPU passes its target, and give it back without failing a request?',
    load: `${load.name}: its flows at ${rate} arrivals/s (${rateWhy}), then ${probeRate}/s during the scale-in`,
    serviceLevel: sl,
    overrides,
    checks: judgeScale(rec, sl),
    columns: COLUMNS,
    rows: [
      {
        label: 'here',
        values: [
          String(f.requests),
          String(f.failedRequests),
          pct(peakGroupCpu(run)),
          String(peakInstances(run)),
          terminated ? formatSeconds((terminated.t - loadEndMs) / 1000) : '—',
        ],
      },
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: [run],
    mapped: [
      ...scaleOutMapping(run, fleet.config, context),
      ...(terminated && scaleIn
        ? [
            mapToAws(
              'scale-in: CPU under target → instance stopped',
              terminated.t - streakStartMs(run, scaleIn.t, (cpu) => cpu < target, period * 1000),
              scaleInTerms(config),
              context.fast,
              context.aws,
            ),
          ]
        : []),
    ],
    explanation: [
      `Load: ${load.name}'s flows ramping to ${rate} arrivals/s over ${WARM_UP_MS / 1000} s, then at that rate for ${(holdMs / 1000).toFixed(0)} s (${rateWhy}), then ${probeRate}/s until the group is back at ${min}.`,
      `Target tracking scales out after ${config.scaling.scaleOutDatapoints} datapoints over target and in only after ${config.scaling.scaleInDatapoints} under it: with AWS's one-minute datapoints a scale-in takes 15 minutes and more.`,
    ],
  };
}
