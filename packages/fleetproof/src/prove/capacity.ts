import { cpus } from 'node:os';
import type { CapacitySettings } from '../config/proof-schema.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { loadFigures, ms, pct, peakInstances, scaleOutMapping } from './measure.js';
import { arrivals, onSchedule, type ProofLoad } from './proof-load.js';
import { type Ramp, rateAt } from './ramp.js';
import { referenceRows } from './reference-rows.js';
import { costPerArrival, RIG_RATE_PER_CORE } from './scale-calibration.js';
import { describeServiceLevel, secondBreaks, serviceLevelFor, summaryHolds } from './service-level.js';
import type {
  Check,
  ExperimentFindings,
  LoadSecond,
  Override,
  ProveContext,
  RunRecording,
  ServiceLevel,
} from './types.js';

/** Where one instance broke: the ramp's rate at that second, and why. */
export interface BreakPoint {
  /** ms from the load's start. */
  atMs: number;
  rate: number;
  reason: string;
}

export interface CapacityRecording {
  single: RunRecording;
  fleet: RunRecording;
  ramp: Ramp;
  /** When the single instance's load started, run-relative (its seconds are run-relative too). */
  singleLoadStartMs: number;
  breakPoint: BreakPoint | undefined;
}

/**
 * The first second of two in a row that break the service level on the ramp (one bad second is noise,
 * two is a limit). Pure: the recorded seconds in, the break point out.
 */
export function findBreakPoint(
  seconds: readonly LoadSecond[],
  loadStartMs: number,
  ramp: Ramp,
  sl: ServiceLevel,
): BreakPoint | undefined {
  for (let i = 0; i + 1 < seconds.length; i++) {
    const a = seconds[i] as LoadSecond;
    const reason = secondBreaks(a, sl);
    if (reason && secondBreaks(seconds[i + 1] as LoadSecond, sl)) {
      const atMs = a.t - loadStartMs;
      return { atMs, rate: Math.round(rateAt(ramp, atMs) * 10) / 10, reason };
    }
  }
  return undefined;
}

/**
 * The fleet's size at the start of its run: as many instances as target tracking wants at the breaking rate
 * (rate × CPU per arrival ÷ target, as desired = ceil(instances × metric ÷ target)), within min..max.
 * Starting at `min` instead made the hold a race between a queue and a scale-out that the fleet sometimes
 * lost: a break is seen only once the queue holds seconds of work, so the breaking rate overstates what one
 * instance serves, and this machine's speed moves 2× between minutes. E.g. 358/s at 0.4%/arrival → 143% of
 * one instance → 3 at a 50% target. Pure; without a measured cost, `min`.
 */
export function fleetStart(o: {
  min: number;
  max: number;
  rate: number;
  costPerArrival: number | undefined;
  targetCpuPercent: number;
}): number {
  if (o.costPerArrival === undefined || o.costPerArrival <= 0) return o.min;
  const wanted = Math.ceil((o.rate * o.costPerArrival) / o.targetCpuPercent - 1e-9);
  return Math.min(o.max, Math.max(o.min, wanted));
}

/** The verdict: one instance breaks on the ramp, and the fleet holds the rate that broke it. */
export function judgeCapacity(rec: CapacityRecording, sl: ServiceLevel): Check[] {
  const b = rec.breakPoint;
  const fleet = summaryHolds(rec.fleet.summary, sl);
  return [
    {
      label: `the ramp finds where one instance breaks the service level (${describeServiceLevel(sl)})`,
      passed: b !== undefined,
      measured: b
        ? `broke at ${b.rate} arrivals/s, ${(b.atMs / 1000).toFixed(0)} s into the ramp: ${b.reason}`
        : `one instance held the whole ramp to ${rec.ramp.to}/s and the hold there: raise proof.experiments.capacity.ramp.to or make the instance smaller`,
    },
    {
      label: 'the fleet holds the load that broke one instance',
      passed: b !== undefined && fleet.passed,
      measured: b ? `${fleet.measured} at up to ${b.rate} arrivals/s` : 'not run: no breaking load was found',
    },
  ];
}

export const COLUMNS = ['requests', 'failed', 'timeouts', 'failed users', 'p99', 'peak instances'];

/**
 * `capacity`: the load's flows on a ramp of arrivals against one instance with scaling off, until it breaks
 * the service level; then the same ramp up to that rate, held, against the fleet (the second report's single
 * EC2 against its HA architecture, for any service).
 */
export async function capacity(
  context: ProveContext,
  settings: CapacitySettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const config = context.config;
  // Small instances by default, so that the fleet's headroom (up to four of them) fits this machine beside
  // the balancer and the load generator: otherwise the machine, not the instance, is what breaks.
  const cpusEach =
    settings.instance?.cpus ?? Math.min(config.instance.cpus, Math.max(0.25, cpus().length / 8));
  const instance: { cpus: number; memoryMiB?: number } = { ...settings.instance, cpus: cpusEach };
  const fleetMin = settings.fleet?.min ?? Math.max(2, config.scaling.min);
  const fleetMax = Math.max(settings.fleet?.max ?? Math.max(config.scaling.max, 4), fleetMin);
  // Never steeper than this machine's balancer and load generator drive cleanly beside the instances.
  const ramp: Ramp = {
    from: settings.ramp.from,
    to: Math.min(settings.ramp.to, RIG_RATE_PER_CORE * cpus().length),
    seconds: settings.ramp.seconds * context.durationFactor,
  };
  const holdMs = settings.holdSeconds * context.durationFactor * 1000;
  const balancer = settings.balancer ?? {};
  const overrides: Override[] = [
    {
      section: 'instance.cpus',
      value: String(cpusEach),
      why: 'small enough that up to the fleet’s maximum fits this machine next to the balancer and the load generator',
    },
    {
      section: 'scaling',
      value: `single run: 1, scaling off; fleet run: ${fleetMin}–${fleetMax}`,
      why: 'one instance against the fleet, as the second report compared a single EC2 with the HA tier',
    },
    ...(settings.balancer?.algorithm
      ? [
          {
            section: 'balancer.algorithm',
            value: settings.balancer.algorithm,
            why: 'set by proof.experiments.capacity',
          },
        ]
      : []),
  ];

  const firstTry = await rampOneInstance(
    context,
    settings,
    load,
    sl,
    { ...instance, cpus: cpusEach },
    ramp,
    holdMs,
  );
  let single = firstTry;
  const tries = [firstTry.run];
  if (!firstTry.breakPoint) {
    // It held a ramp as steep as this machine can drive cleanly: make the instance small enough to break
    // under that ceiling, from what its CPU said about the cost of an arrival, and ramp once more.
    const smaller = smallerInstance(firstTry.run, firstTry.loadStartMs, ramp, cpusEach);
    if (smaller) {
      overrides.push({ section: 'instance.cpus', value: String(smaller.cpus), why: smaller.why });
      instance.cpus = smaller.cpus;
      single = await rampOneInstance(context, settings, load, sl, { ...instance }, ramp, holdMs);
      tries.push(single.run);
    }
    // A cost measured on a ramp (a JIT still compiling, a machine busy that minute) can overstate what an
    // arrival costs, so the smaller size may hold too: halve it once more (not below 0.05 vCPU).
    const size = instance.cpus ?? cpusEach;
    if (!single.breakPoint && size > 0.05) {
      const half = Math.max(0.05, Math.round(size * 50) / 100);
      overrides.push({
        section: 'instance.cpus',
        value: String(half),
        why: `${size} vCPU held the whole ramp too: half of it`,
      });
      instance.cpus = half;
      single = await rampOneInstance(context, settings, load, sl, { ...instance }, ramp, holdMs);
      tries.push(single.run);
    }
  }
  const breakPoint = single.breakPoint;
  const cost = costPerArrival(single.run, single.loadStartMs, ramp);
  const start = breakPoint
    ? fleetStart({
        min: fleetMin,
        max: fleetMax,
        rate: breakPoint.rate,
        costPerArrival: cost,
        targetCpuPercent: config.scaling.targetCpuPercent,
      })
    : fleetMin;
  if (start > fleetMin && breakPoint && cost !== undefined)
    overrides.push({
      section: 'scaling.min (fleet run)',
      value: String(start),
      why: `what target tracking wants at the breaking rate: ${breakPoint.rate}/s × ${cost.toFixed(3)}% CPU per arrival/s ÷ ${config.scaling.targetCpuPercent}% target, so the hold does not race a scale-out`,
    });

  const fleet = await ExperimentFleet.start(context, {
    label: 'capacity: fleet',
    setup: `${start}–${fleetMax} instances (${instance.cpus} vCPU each), target tracking at ${config.scaling.targetCpuPercent}% CPU`,
    override: {
      instance,
      scaling: { min: start, max: fleetMax, desired: start, enabled: true },
      balancer,
    },
    instanceEnv: settings.env,
  });
  try {
    if (breakPoint) {
      const rampMs = Math.max(1000, breakPoint.atMs);
      await fleet.load(
        onSchedule(
          load,
          arrivals(
            [
              { kind: 'ramp', durationMs: rampMs, from: ramp.from, to: breakPoint.rate },
              { kind: 'rate', durationMs: holdMs, rate: breakPoint.rate },
            ],
            10_000,
          ),
          `ramp to ${breakPoint.rate}/s, then held`,
        ),
        'ramp and hold',
      );
    }
  } finally {
    await fleet.stop();
  }

  const rec: CapacityRecording = {
    single: single.run,
    fleet: fleet.recording,
    ramp,
    singleLoadStartMs: single.loadStartMs,
    breakPoint,
  };
  const row = (label: string, run: RunRecording) => {
    if (!run.summary) return { label, values: COLUMNS.map(() => '—') };
    const f = loadFigures(run.summary);
    return {
      label,
      values: [
        String(f.requests),
        pct((f.failedRequests / Math.max(1, f.requests)) * 100),
        pct(f.timeoutsPercent),
        pct(f.failedUsersPercent),
        ms(f.p99Ms),
        String(peakInstances(run)),
      ],
    };
  };
  return {
    id: 'capacity',
    title: 'Capacity: one instance against the fleet',
    origin: settings.about ?? 'Does the fleet hold the load that breaks one instance?',
    load: `${load.name}: its flows on a ramp of arrivals`,
    serviceLevel: sl,
    overrides,
    checks: judgeCapacity(rec, sl),
    columns: COLUMNS,
    rows: [
      row('one instance (here)', single.run),
      row('fleet (here)', fleet.recording),
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: [...tries, fleet.recording],
    mapped: scaleOutMapping(fleet.recording, fleet.config, context),
    explanation: [
      `Load: ${load.name}, each arrival one virtual user running one of its flows. One instance gets arrivals rising from ${ramp.from}/s towards ${ramp.to}/s over ${ramp.seconds.toFixed(0)} s, then ${ramp.to}/s for ${(holdMs / 1000).toFixed(0)} s; the ramp stops 3 s after two seconds in a row break the service level (${describeServiceLevel(sl)}).`,
      breakPoint
        ? `The fleet (${start}–${fleetMax} instances) then gets the same ramp up to ${breakPoint.rate}/s, held for ${(holdMs / 1000).toFixed(0)} s.`
        : 'No second broke the service level, so there was no breaking load for the fleet to hold.',
    ],
  };
}

/** One instance, scaling off, the load's flows on the ramp, stopped 3 s after it breaks the service level. */
async function rampOneInstance(
  context: ProveContext,
  settings: CapacitySettings,
  load: ProofLoad,
  sl: ServiceLevel,
  instance: { cpus: number; memoryMiB?: number },
  ramp: Ramp,
  holdMs: number,
): Promise<{ run: RunRecording; loadStartMs: number; breakPoint: BreakPoint | undefined }> {
  const single = await ExperimentFleet.start(context, {
    label: `capacity: one instance of ${instance.cpus} vCPU`,
    setup: `1 instance (${instance.cpus} vCPU), scaling off; arrivals ramp ${ramp.from} → ${ramp.to}/s over ${ramp.seconds.toFixed(0)} s`,
    override: {
      instance,
      scaling: { min: 1, max: 1, desired: 1, enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  const loadStartMs = single.elapsedMs();
  let brokeAtMs: number | undefined;
  try {
    await single.load(
      onSchedule(
        load,
        arrivals(
          [
            { kind: 'ramp', durationMs: ramp.seconds * 1000, from: ramp.from, to: ramp.to },
            // At the top a queue may still be building: hold there before calling the instance unbroken.
            { kind: 'rate', durationMs: holdMs, rate: ramp.to },
          ],
          10_000,
        ),
        'ramped arrivals',
      ),
      'ramp',
      {
        // Keep going a few seconds past the break, so the charts show what breaking looked like.
        stopWhen: (second) => {
          if (brokeAtMs === undefined && findBreakPoint(single.recording.load, loadStartMs, ramp, sl))
            brokeAtMs = second.t;
          return brokeAtMs !== undefined && second.t - brokeAtMs >= 3000;
        },
      },
    );
  } finally {
    await single.stop();
  }
  return {
    run: single.recording,
    loadStartMs,
    breakPoint: findBreakPoint(single.recording.load, loadStartMs, ramp, sl),
  };
}

/**
 * An instance small enough to saturate at half the ramp's top, from the CPU cost of an arrival measured on
 * the ramp it held (or, when its CPU never left the idle band, its peak CPU at the top). E.g. 0.25 vCPU at
 * 0.02 %/arrival saturates at 5000/s; for a ramp to 800/s it becomes 0.25 × 400 / 5000 = 0.02 → 0.05 (the
 * floor). undefined when nothing was measured.
 */
export function smallerInstance(
  run: RunRecording,
  loadStartMs: number,
  ramp: Ramp,
  cpus: number,
): { cpus: number; why: string } | undefined {
  const peak = Math.max(0, ...run.fleet.flatMap((p) => p.targets.map((t) => t.cpuPercent ?? 0)));
  const cost = costPerArrival(run, loadStartMs, ramp) ?? (peak > 0 ? peak / ramp.to : undefined);
  if (cost === undefined || cost <= 0) return undefined;
  const saturatesAt = 100 / cost;
  const smaller = Math.max(0.05, Math.round(cpus * ((0.5 * ramp.to) / saturatesAt) * 100) / 100);
  if (smaller >= cpus) return undefined;
  return {
    cpus: smaller,
    why: `one instance of ${cpus} vCPU held the whole ramp to ${ramp.to}/s (the most this machine drives cleanly): at ${cost.toFixed(3)}% CPU per arrival/s it would saturate near ${saturatesAt.toFixed(0)}/s, so ${smaller} vCPU, which should break near ${(0.5 * ramp.to).toFixed(0)}/s`,
  };
}
