import { cpus as machineCpus } from 'node:os';
import type { ScaleSettings } from '../config/proof-schema.js';
import { type CalibrationStep, nextCalibrationStep, stepCpuPercent } from './calibration-steps.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { pct } from './measure.js';
import { atSteadyRate, type ProofLoad } from './proof-load.js';
import { type Ramp, rateAt } from './ramp.js';
import { secondBreaks } from './service-level.js';
import type { ProveContext, RunRecording, ServiceLevel } from './types.js';

/**
 * What one machine's balancer and load generator push beside the instances without becoming the bottleneck
 * themselves (arrivals per second per core; measured: at 1600/s on 2 cores health checks timed out and
 * instances were replaced for the rig's sake, not the service's).
 */
export const RIG_RATE_PER_CORE = 400;

/**
 * The CPU cost of one arrival per second on one instance, in % of its vCPUs: the median of CPU ÷ rate over
 * the later half of a ramp's seconds (capacity's) where the instance was neither idle nor saturated. The
 * early seconds overstate it (a JIT compiling, caches filling: a Node service measured 0.078 there and 0.056
 * once warm), and a full core says nothing about cost. E.g. 30% at 200/s → 0.15.
 */
export function costPerArrival(run: RunRecording, loadStartMs: number, ramp: Ramp): number | undefined {
  const usable = run.fleet
    .filter((p) => p.t >= loadStartMs + 2000)
    .map((p) => ({ rate: rateAt(ramp, p.t - loadStartMs), cpu: p.targets[0]?.cpuPercent }))
    .filter((c): c is { rate: number; cpu: number } => c.cpu !== undefined && c.cpu >= 10 && c.cpu <= 85);
  const costs = usable
    .slice(Math.floor(usable.length / 2))
    .map((c) => c.cpu / c.rate)
    .sort((a, b) => a - b);
  return costs[Math.floor(costs.length / 2)];
}

/**
 * The rate (and, if need be, a smaller instance) that puts one instance at `wantedPercent` CPU while staying
 * under `maxRate` and under 0.8 × the rate that broke the service level. E.g. 0.039 %/arrival on 0.5 vCPU
 * wants 1667/s for 65%; with a ceiling of 800/s the instance shrinks to 0.5 × 800/1667 = 0.24 vCPU.
 */
export function fitRate(o: {
  cost: number | undefined;
  cpus: number;
  wantedPercent: number;
  maxRate: number;
  breakRate: number | undefined;
  /** The highest rate calibration ran at. */
  rampTo: number;
}): { rate: number; cpus: number; why: string } {
  const ceiling = Math.min(
    o.maxRate,
    o.breakRate === undefined ? Number.POSITIVE_INFINITY : 0.8 * o.breakRate,
  );
  if (o.cost === undefined || o.cost <= 0)
    return {
      rate: Math.round(Math.min(o.rampTo, ceiling)),
      cpus: o.cpus,
      why: `calibration at rates up to ${o.rampTo}/s never put one instance between 10% and 85% CPU`,
    };
  const wanted = o.wantedPercent / o.cost;
  const measured = `calibration on one instance measured ${o.cost.toFixed(3)}% CPU of ${o.cpus} vCPU per arrival/s`;
  if (wanted <= ceiling)
    return {
      rate: Math.round(wanted * 10) / 10,
      cpus: o.cpus,
      why: `${measured}: ${pct(o.wantedPercent)} at ${wanted.toFixed(1)}/s`,
    };
  // Not below 0.2 vCPU: smaller, a cold start (a JIT compiling its first requests) takes many seconds.
  const cpus = Math.max(0.2, Math.round(o.cpus * (ceiling / wanted) * 100) / 100);
  return {
    rate: Math.round(ceiling),
    cpus,
    why: `${measured}: ${pct(o.wantedPercent)} would take ${wanted.toFixed(0)}/s, more than this machine's balancer and load generator push cleanly (${Math.round(ceiling)}/s), so instances of ${cpus} vCPU at ${Math.round(ceiling)}/s`,
  };
}

/** A calibration step's length: long enough for a few arrivals at low rates, short at high ones. */
export function stepMs(rate: number): number {
  return Math.round(Math.min(20_000, Math.max(5000, (8 / rate) * 1000)));
}

/**
 * One instance, scaling off, the load's flows at steady rates chosen step by step (calibration-steps.ts) until
 * one puts its CPU where the experiment wants it: the rate (and size) at which CPU passes the target.
 */
export async function calibrate(
  context: ProveContext,
  settings: ScaleSettings,
  load: ProofLoad,
  sl: ServiceLevel,
  cpus: number,
): Promise<{ rate: number; cpus: number; why: string }> {
  const maxRate = RIG_RATE_PER_CORE * machineCpus().length;
  const wantedPercent = Math.min(85, context.config.scaling.targetCpuPercent * 1.3);
  const limits = {
    wantedPercent,
    maxRate: Math.min(settings.calibrateTo, maxRate),
    minRate: 0.1,
    maxSteps: 6,
  };
  const fleet = await ExperimentFleet.start(context, {
    label: 'scale: calibration',
    setup: `1 instance of ${cpus} vCPU, scaling off; steady rates chosen step by step until its CPU is near ${wantedPercent}%`,
    override: {
      instance: { ...settings.instance, cpus },
      scaling: { min: 1, max: 1, desired: 1, enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  const steps: CalibrationStep[] = [];
  let decision = nextCalibrationStep(steps, limits);
  try {
    while (decision.kind === 'run') {
      steps.push(await runStep(fleet, load, sl, decision.rate));
      decision = nextCalibrationStep(steps, limits);
    }
  } finally {
    await fleet.stop();
  }
  return fitRate({
    cost: decision.cost,
    cpus,
    wantedPercent,
    maxRate,
    breakRate: decision.breakRate,
    rampTo: decision.highestRate,
  });
}

async function runStep(
  fleet: ExperimentFleet,
  load: ProofLoad,
  sl: ServiceLevel,
  rate: number,
): Promise<CalibrationStep> {
  const startMs = fleet.elapsedMs();
  const what = `calibration at ${rate}/s`;
  let broke = false;
  await fleet.load(atSteadyRate(load, rate, stepMs(rate)), what, {
    stopWhen: (s) => {
      broke ||= secondBreaks(s, sl, 1) !== undefined;
      return broke;
    },
  });
  const samples = fleet.recording.fleet.map((p) => ({ t: p.t, cpuPercent: p.targets[0]?.cpuPercent }));
  return { rate, broke, cpuPercent: stepCpuPercent(samples, startMs, fleet.elapsedMs(), 1500) };
}
