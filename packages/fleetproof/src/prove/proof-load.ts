import { isAbsolute, join } from 'node:path';
import type { LoadRef } from '../config/proof-schema.js';
import type { FleetproofConfig } from '../config/schema.js';
import { FleetError } from '../errors.js';
import { importArtilleryObject } from '../load/importers/artillery.js';
import { loadPlanFromFile } from '../load/load-plan-file.js';
import type { Executor, Flow, LoadPlan, ScenarioPlan } from '../load/plan.js';
import type { ArrivalPhase } from '../load/schedule/arrivals.js';

/** The user's load, read once: its flows (what each virtual user does) and the plan as written. */
export interface ProofLoad {
  /** "scenario index-then-login" or "script load/k6-test.js", for the report. */
  readonly name: string;
  readonly plan: LoadPlan;
}

export async function readProofLoad(
  root: string,
  config: FleetproofConfig,
  ref: LoadRef,
): Promise<ProofLoad> {
  if (ref.scenario !== undefined) {
    const definition = config.scenarios[ref.scenario];
    try {
      return {
        name: `scenario ${ref.scenario}`,
        plan: importArtilleryObject(`scenarios.${ref.scenario}`, definition),
      };
    } catch (error) {
      throw new FleetError('FLEET_ERR_LOAD_SCRIPT', (error as Error).message, { cause: error });
    }
  }
  const script = ref.script as string;
  return {
    name: `script ${script}`,
    plan: await loadPlanFromFile(isAbsolute(script) ? script : join(root, script)),
  };
}

/** Every flow of every scenario of the plan, keeping their weights. */
export function flowsOf(plan: LoadPlan): Flow[] {
  return plan.scenarios.flatMap((s) => s.flows);
}

/**
 * The load's flows on a schedule an experiment chooses (a ramp, a steady rate): the flows are the user's,
 * unchanged; only how many virtual users start when is the experiment's. Thresholds are left out: the
 * experiment's judge decides, by the service level.
 */
export function onSchedule(load: ProofLoad, executor: Executor, what: string): LoadPlan {
  const scenario: ScenarioPlan = {
    name: 'proof',
    executor,
    flows: flowsOf(load.plan),
    gracefulStopMs: 5000,
    startTimeMs: 0,
  };
  return { ...load.plan, source: `${load.name}, ${what}`, scenarios: [scenario], thresholds: {} };
}

export function arrivals(phases: ArrivalPhase[], maxVUs = 2000): Executor {
  return { type: 'arrivals', phases, preAllocatedVUs: 20, maxVUs, label: 'proof arrivals' };
}

/** The plan as written, with every duration multiplied by `factor` (--quick), rates unchanged. */
export function shortened(plan: LoadPlan, factor: number): LoadPlan {
  if (factor === 1) return plan;
  const ms = (n: number) => Math.max(1000, Math.round(n * factor));
  const executor = (e: Executor): Executor => {
    switch (e.type) {
      case 'constant-vus':
        return { ...e, durationMs: ms(e.durationMs) };
      case 'ramping-vus':
        return { ...e, stages: e.stages.map((s) => ({ ...s, durationMs: ms(s.durationMs) })) };
      case 'per-vu-iterations':
      case 'shared-iterations':
        return { ...e, maxDurationMs: ms(e.maxDurationMs) };
      case 'arrivals':
        return {
          ...e,
          phases: e.phases.map((p) =>
            p.kind === 'count'
              ? { ...p, durationMs: ms(p.durationMs), count: Math.max(1, Math.round(p.count * factor)) }
              : { ...p, durationMs: ms(p.durationMs) },
          ),
        };
    }
  };
  return {
    ...plan,
    source: `${plan.source} (durations × ${factor}, --quick)`,
    scenarios: plan.scenarios.map((s) => ({
      ...s,
      executor: executor(s.executor),
      startTimeMs: Math.round(s.startTimeMs * factor),
    })),
  };
}

/** The load's flows at a constant arrival rate for `durationMs`. */
export function atSteadyRate(load: ProofLoad, rate: number, durationMs: number): LoadPlan {
  return onSchedule(load, arrivals([{ kind: 'rate', durationMs, rate }]), `${rate}/s`);
}
