import { isObj, type Obj } from '../plain-values.js';
import type { Executor, ScenarioPlan, ThresholdSpec } from '../plan.js';
import type { ArrivalPhase } from '../schedule/arrivals.js';
import { parseDuration } from '../schedule/durations.js';
import { validateThreshold } from '../thresholds.js';
import { rejectUnknownKeys, UnsupportedInScript } from './unsupported.js';

const num = (v: unknown, where: string): number => {
  if (typeof v !== 'number') throw new Error(`${where}: got ${JSON.stringify(v)}, expected a number`);
  return v;
};
const GRACEFUL_STOP_MS = 30_000;

/** k6 `options` (stages, vus/duration, iterations, scenarios, thresholds) as scenarios and thresholds. */
/** Options fleetproof honours as k6 does (k6/modules and k6-host.ts read the ones beyond the schedule). */
const OPTIONS = [
  'stages',
  'vus',
  'duration',
  'iterations',
  'scenarios',
  'thresholds',
  'userAgent',
  'discardResponseBodies',
  'maxRedirects',
  'summaryTrendStats',
  'summaryTimeUnit',
  'setupTimeout',
  'teardownTimeout',
  'noCookiesReset',
  'minIterationDuration',
  'throw',
  'tags',
  // Read by k6 cloud only; a local k6 run ignores them too.
  'ext',
  'cloud',
];
const COMMON = ['executor', 'exec', 'startTime', 'gracefulStop', 'env', 'tags'];
const EXECUTOR_KEYS: Record<string, string[]> = {
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};

/** Every option and scenario key fleetproof would not honour, so a script is refused with all of them at once. */
export function unsupportedOptions(options: Obj): string[] {
  const problems = Object.keys(options)
    .filter((k) => !OPTIONS.includes(k))
    .map((k) => `options.${k}`);
  if (isObj(options.scenarios)) {
    for (const [name, raw] of Object.entries(options.scenarios)) {
      if (!isObj(raw)) continue;
      const own = EXECUTOR_KEYS[String(raw.executor)];
      if (!own) {
        problems.push(`options.scenarios.${name}.executor ${JSON.stringify(raw.executor)}`);
        continue;
      }
      for (const key of Object.keys(raw))
        if (![...COMMON, ...own].includes(key)) problems.push(`options.scenarios.${name}.${key}`);
    }
  }
  return problems;
}

export function scenariosFromOptions(
  source: string,
  options: Obj,
  exports: string[],
  typeOf?: (metric: string) => 'trend' | 'rate' | 'counter' | 'gauge' | undefined,
) {
  rejectUnknownKeys(source, 'options', options, OPTIONS);
  const thresholds = importThresholds(source, options.thresholds, typeOf);
  const flowFor = (exec: string): ScenarioPlan['flows'] => {
    if (!exports.includes(exec))
      throw new UnsupportedInScript(
        source,
        `scenario exec ${JSON.stringify(exec)}`,
        'no exported function of that name',
      );
    return [{ kind: 'k6', name: exec, weight: 1, exportName: exec }];
  };
  const base = (
    name: string,
    executor: Executor,
    exec = 'default',
    startTimeMs = 0,
    gracefulStopMs = GRACEFUL_STOP_MS,
  ): ScenarioPlan => ({
    name,
    executor,
    flows: flowFor(exec),
    startTimeMs,
    gracefulStopMs,
  });

  if (options.scenarios !== undefined) {
    if (!isObj(options.scenarios))
      throw new UnsupportedInScript(source, 'options.scenarios that is not an object');
    const scenarios = Object.entries(options.scenarios).map(([name, raw]) => {
      if (!isObj(raw))
        throw new UnsupportedInScript(source, `options.scenarios.${name} that is not an object`);
      return importScenario(source, name, raw, base);
    });
    return { scenarios, thresholds };
  }
  if (Array.isArray(options.stages)) {
    const stages = importStages(options.stages, 'options.stages');
    return {
      scenarios: [
        base('default', {
          type: 'ramping-vus',
          startVUs: Number(options.vus ?? 1),
          stages,
          gracefulRampDownMs: 30_000,
        }),
      ],
      thresholds,
    };
  }
  if (options.iterations !== undefined) {
    const executor: Executor = {
      type: 'shared-iterations',
      vus: Number(options.vus ?? 1),
      iterations: num(options.iterations, 'options.iterations'),
      maxDurationMs: options.duration
        ? parseDuration(options.duration as string, 'options.duration')
        : 600_000,
    };
    return { scenarios: [base('default', executor)], thresholds };
  }
  const durationMs =
    options.duration !== undefined ? parseDuration(options.duration as string, 'options.duration') : 0;
  // k6 with no options runs one iteration on one VU.
  const executor: Executor =
    durationMs > 0
      ? { type: 'constant-vus', vus: Number(options.vus ?? 1), durationMs }
      : { type: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000 };
  return { scenarios: [base('default', executor)], thresholds };
}

function importStages(raw: unknown[], where: string) {
  return raw.map((s, i) => {
    if (!isObj(s)) throw new Error(`${where}[${i}]: expected { duration, target }`);
    return {
      durationMs: parseDuration(s.duration as string, `${where}[${i}].duration`),
      target: num(s.target, `${where}[${i}].target`),
    };
  });
}

function importScenario(
  source: string,
  name: string,
  raw: Obj,
  base: (name: string, e: Executor, exec?: string, start?: number, grace?: number) => ScenarioPlan,
): ScenarioPlan {
  const where = `options.scenarios.${name}`;
  const common = COMMON;
  const exec = typeof raw.exec === 'string' ? raw.exec : 'default';
  const start =
    raw.startTime !== undefined ? parseDuration(raw.startTime as string, `${where}.startTime`) : 0;
  const grace =
    raw.gracefulStop !== undefined
      ? parseDuration(raw.gracefulStop as string, `${where}.gracefulStop`)
      : GRACEFUL_STOP_MS;
  const strings = (value: unknown, key: string): Record<string, string> | undefined => {
    if (value === undefined) return undefined;
    if (!isObj(value)) throw new Error(`${where}.${key}: expected an object of strings`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  };
  const env = strings(raw.env, 'env');
  const tags = strings(raw.tags, 'tags');
  const make = (e: Executor) => ({
    ...base(name, e, exec, start, grace),
    ...(env ? { env } : {}),
    ...(tags ? { tags } : {}),
  });
  const timeUnitS = () =>
    raw.timeUnit !== undefined ? parseDuration(raw.timeUnit as string, `${where}.timeUnit`) / 1000 : 1;
  switch (raw.executor) {
    case 'constant-vus':
      rejectUnknownKeys(source, where, raw, [...common, 'vus', 'duration']);
      return make({
        type: 'constant-vus',
        vus: Number(raw.vus ?? 1),
        durationMs: parseDuration(raw.duration as string, `${where}.duration`),
      });
    case 'ramping-vus':
      rejectUnknownKeys(source, where, raw, [...common, 'startVUs', 'stages', 'gracefulRampDown']);
      return make({
        type: 'ramping-vus',
        startVUs: Number(raw.startVUs ?? 1),
        stages: importStages((raw.stages as unknown[]) ?? [], `${where}.stages`),
        gracefulRampDownMs:
          raw.gracefulRampDown !== undefined
            ? parseDuration(raw.gracefulRampDown as string, `${where}.gracefulRampDown`)
            : 30_000,
      });
    case 'per-vu-iterations':
    case 'shared-iterations':
      rejectUnknownKeys(source, where, raw, [...common, 'vus', 'iterations', 'maxDuration']);
      return make({
        type: raw.executor,
        vus: Number(raw.vus ?? 1),
        iterations: Number(raw.iterations ?? 1),
        maxDurationMs:
          raw.maxDuration !== undefined
            ? parseDuration(raw.maxDuration as string, `${where}.maxDuration`)
            : 600_000,
      });
    case 'constant-arrival-rate': {
      rejectUnknownKeys(source, where, raw, [
        ...common,
        'rate',
        'timeUnit',
        'duration',
        'preAllocatedVUs',
        'maxVUs',
      ]);
      const rate = num(raw.rate, `${where}.rate`) / timeUnitS();
      const phases: ArrivalPhase[] = [
        { kind: 'rate', durationMs: parseDuration(raw.duration as string, `${where}.duration`), rate },
      ];
      const pre = Number(raw.preAllocatedVUs ?? 1);
      return make({
        type: 'arrivals',
        label: 'constant-arrival-rate',
        phases,
        preAllocatedVUs: pre,
        maxVUs: Number(raw.maxVUs ?? pre),
      });
    }
    case 'ramping-arrival-rate': {
      rejectUnknownKeys(source, where, raw, [
        ...common,
        'startRate',
        'timeUnit',
        'stages',
        'preAllocatedVUs',
        'maxVUs',
      ]);
      const unit = timeUnitS();
      let from = Number(raw.startRate ?? 0) / unit;
      const phases: ArrivalPhase[] = importStages((raw.stages as unknown[]) ?? [], `${where}.stages`).map(
        (s) => {
          const to = s.target / unit;
          const phase: ArrivalPhase = { kind: 'ramp', durationMs: s.durationMs, from, to };
          from = to;
          return phase;
        },
      );
      const pre = Number(raw.preAllocatedVUs ?? 1);
      return make({
        type: 'arrivals',
        label: 'ramping-arrival-rate',
        phases,
        preAllocatedVUs: pre,
        maxVUs: Number(raw.maxVUs ?? pre),
      });
    }
    default:
      throw new UnsupportedInScript(source, `${where}.executor ${JSON.stringify(raw.executor)}`);
  }
}

export function importThresholds(
  source: string,
  raw: unknown,
  typeOf?: (metric: string) => 'trend' | 'rate' | 'counter' | 'gauge' | undefined,
): Record<string, ThresholdSpec[]> {
  const out: Record<string, ThresholdSpec[]> = {};
  if (raw === undefined) return out;
  if (!isObj(raw)) throw new UnsupportedInScript(source, 'options.thresholds that is not an object');
  for (const [metric, list] of Object.entries(raw)) {
    if (!Array.isArray(list))
      throw new Error(`options.thresholds.${metric}: expected an array of expressions`);
    out[metric] = list.map((item, i) => {
      const spec =
        typeof item === 'string'
          ? { expression: item, abortOnFail: false }
          : isObj(item)
            ? { expression: String(item.threshold), abortOnFail: item.abortOnFail === true }
            : undefined;
      if (!spec)
        throw new Error(
          `options.thresholds.${metric}[${i}]: expected a string or { threshold, abortOnFail }`,
        );
      if (isObj(item))
        rejectUnknownKeys(source, `options.thresholds.${metric}[${i}]`, item, ['threshold', 'abortOnFail']);
      validateThreshold(metric, spec.expression, typeOf);
      return spec;
    });
  }
  return out;
}
