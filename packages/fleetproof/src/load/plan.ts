import type { ArrivalPhase } from './schedule/arrivals.js';
import type { Stage } from './schedule/ramping-vus.js';

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
  | { kind: 'k6'; name: string; weight: number; modulePath: string; exportName: string };

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
}

export interface ThresholdSpec {
  expression: string;
  abortOnFail: boolean;
}

export interface LoadPlan {
  /** Where the test came from (file path or config), for messages. */
  source: string;
  target?: string;
  scenarios: ScenarioPlan[];
  thresholds: Record<string, ThresholdSpec[]>;
  /** Per request (k6 default 60 s). */
  timeoutMs: number;
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
