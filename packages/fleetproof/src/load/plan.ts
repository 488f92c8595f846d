import type { ArtilleryScript } from './artillery/artillery-script.js';
import type { ArrivalPhase } from './schedule/arrivals.js';
import type { Stage } from './schedule/ramping-vus.js';
import type { Segment } from './schedule/segments.js';

/** One step of a data-defined flow (YAML or TypeScript). */
export type Step =
  | {
      kind: 'request';
      method: string;
      /** Absolute, or relative to the plan's target. `{{ var }}` is replaced from captured variables. */
      url: string;
      headers?: Record<string, string>;
      json?: unknown;
      body?: string;
      /** Acceptable statuses (a check); none = any. */
      expect?: number[];
      /** Artillery capture: a JSONPath-like `$.a.b[0]` from the JSON response into a variable. */
      capture?: { json: string; as: string }[];
    }
  | { kind: 'think'; seconds: number }
  | { kind: 'loop'; count: number; steps: Step[] };

export type Flow =
  | { kind: 'steps'; name: string; weight: number; steps: Step[] }
  /** A k6 script's function, run inside the load worker (see importers/k6.ts). */
  | { kind: 'k6'; name: string; weight: number; exportName: string }
  /** An Artillery scenario, by its index in plan.artillery.scenarios (artillery/artillery-vu.ts runs it). */
  | { kind: 'artillery'; name: string; weight: number; index: number };

export type Executor =
  | { type: 'constant-vus'; vus: number; durationMs: number }
  | { type: 'ramping-vus'; startVUs: number; stages: Stage[]; gracefulRampDownMs: number }
  | { type: 'per-vu-iterations'; vus: number; iterations: number; maxDurationMs: number }
  | { type: 'shared-iterations'; vus: number; iterations: number; maxDurationMs: number }
  /** constant-arrival-rate, ramping-arrival-rate and Artillery phases, as arrival phases. */
  | { type: 'arrivals'; phases: ArrivalPhase[]; preAllocatedVUs: number; maxVUs: number; label: string };

export interface ScenarioPlan {
  name: string;
  executor: Executor;
  flows: Flow[];
  /** After the executor's duration, iterations may finish for this long before being cut (k6: 30 s). */
  gracefulStopMs: number;
  startTimeMs: number;
  /** k6 scenario env (over __ENV) and tags (on every sample of the scenario). */
  env?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ThresholdSpec {
  expression: string;
  abortOnFail: boolean;
}

/** A k6 script, bundled into one module and probed once (k6/compile-k6.ts). */
export interface K6ScriptPlan {
  moduleUrl: string;
  scriptPath: string;
  /** The script's exported options, as its init context computed them. */
  options: Record<string, unknown>;
  /** Its exported functions (default, setup, teardown, handleSummary, scenario exec functions). */
  functions: string[];
  /** Custom metrics its init context declares. */
  metrics: { name: string; type: 'counter' | 'gauge' | 'rate' | 'trend'; isTime: boolean }[];
  /** Extra __ENV entries (fleetproof load -e KEY=VALUE), over the process environment. */
  env: Record<string, string>;
  /**
   * How the VUs run: inline (the fast path, many VUs on the load thread, each its own instance of the
   * rewritten script) or on a thread each (always exact; chosen when the analysis cannot prove the rewrite).
   */
  runtime: { kind: 'inline'; factoryPath: string } | { kind: 'threads'; reasons: string[] };
}

export interface LoadPlan {
  /** Where the test came from (file path or config), for messages. */
  source: string;
  script?: K6ScriptPlan;
  /** An Artillery test as Artillery prepares it (config merged, environment applied, payloads read). */
  artillery?: ArtilleryScript;
  target?: string;
  scenarios: ScenarioPlan[];
  thresholds: Record<string, ThresholdSpec[]>;
  /** Per request (k6 default 60 s). */
  timeoutMs: number;
  /** Run only this part of the plan (load --segment i/n): its share of VUs, iterations and arrivals. */
  segment?: Segment;
}

/** Longest a plan runs (without graceful stops), for progress. */
export function plannedDurationMs(plan: LoadPlan): number {
  return Math.max(0, ...plan.scenarios.map((s) => s.startTimeMs + executorDurationMs(s.executor)));
}

export function executorDurationMs(e: Executor): number {
  switch (e.type) {
    case 'constant-vus':
      return e.durationMs;
    case 'ramping-vus':
      return e.stages.reduce((n, s) => n + s.durationMs, 0);
    case 'per-vu-iterations':
    case 'shared-iterations':
      return e.maxDurationMs;
    case 'arrivals':
      return e.phases.reduce((n, p) => n + p.durationMs, 0);
  }
}

/** VUs to initialise before a k6 test starts, as k6 does: each scenario's most at once (arrival rates: preallocated). */
export function initialVus(plan: LoadPlan): number {
  return plan.scenarios.reduce((n, s) => {
    const e = s.executor;
    if (e.type === 'arrivals') return n + e.preAllocatedVUs;
    if (e.type === 'ramping-vus') return n + Math.max(e.startVUs, ...e.stages.map((st) => st.target));
    return n + e.vus;
  }, 0);
}

/** The plan aimed at another target (--target, an experiment's listener): an Artillery test's config.target too. */
export function withTarget(plan: LoadPlan, target: string): LoadPlan {
  if (!plan.artillery) return { ...plan, target };
  return { ...plan, target, artillery: { ...plan.artillery, config: { ...plan.artillery.config, target } } };
}
