import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Flow, LoadPlan, Step, ThresholdSpec } from '../plan.js';
import type { ArrivalPhase } from '../schedule/arrivals.js';
import { parseDuration } from '../schedule/durations.js';
import { rejectUnknownKeys, UnsupportedInScript } from './unsupported.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * An Artillery v2 YAML test as a plan: config.target, config.phases (arrivalRate/rampTo, arrivalCount, pause,
 * maxVusers), config.ensure, config.http.timeout, and scenarios (weight, flow of get/post/put/patch/delete with
 * url/json/body/headers/capture json/expect statusCode, think, loop/count). Each arrival is a new virtual
 * user running one scenario, as in Artillery.
 */
export function importArtillery(path: string, text = readFileSync(path, 'utf8')): LoadPlan {
  return importArtilleryObject(path, parse(text) as unknown);
}

/** The same, from an object (a .ts test or fleetproof.config.ts `scenarios` entry). */
export function importArtilleryObject(path: string, doc: unknown): LoadPlan {
  if (!isObj(doc) || !isObj(doc.config) || !Array.isArray(doc.scenarios)) {
    throw new UnsupportedInScript(
      path,
      'a file without config and scenarios',
      'expected an Artillery test script',
    );
  }
  rejectUnknownKeys(path, '', doc, ['config', 'scenarios']);
  const config = doc.config;
  rejectUnknownKeys(path, 'config', config, ['target', 'phases', 'ensure', 'http']);
  if (typeof config.target !== 'string')
    throw new UnsupportedInScript(path, 'config.target missing', 'expected a URL');
  if (!Array.isArray(config.phases) || config.phases.length === 0)
    throw new UnsupportedInScript(path, 'config.phases missing');
  let timeoutMs = 10_000; // Artillery's default per-request timeout
  if (isObj(config.http)) {
    rejectUnknownKeys(path, 'config.http', config.http, ['timeout']);
    if (config.http.timeout !== undefined)
      timeoutMs = parseDuration(config.http.timeout as string | number, 'config.http.timeout');
  }

  let maxVusers = 0;
  const phases: ArrivalPhase[] = config.phases.map((raw, i) => {
    if (!isObj(raw)) throw new UnsupportedInScript(path, `config.phases[${i}] that is not a mapping`);
    rejectUnknownKeys(path, `config.phases[${i}]`, raw, [
      'duration',
      'arrivalRate',
      'rampTo',
      'arrivalCount',
      'pause',
      'maxVusers',
      'name',
    ]);
    if (typeof raw.maxVusers === 'number') maxVusers = Math.max(maxVusers, raw.maxVusers);
    if (raw.pause !== undefined)
      return { kind: 'pause', durationMs: parseDuration(raw.pause as string, `config.phases[${i}].pause`) };
    const durationMs = parseDuration(raw.duration as string, `config.phases[${i}].duration`);
    if (typeof raw.arrivalCount === 'number') return { kind: 'count', durationMs, count: raw.arrivalCount };
    const rate = Number(raw.arrivalRate ?? 0);
    if (raw.rampTo !== undefined) return { kind: 'ramp', durationMs, from: rate, to: Number(raw.rampTo) };
    return { kind: 'rate', durationMs, rate };
  });

  const flows: Flow[] = doc.scenarios.map((raw, i) => {
    if (!isObj(raw)) throw new UnsupportedInScript(path, `scenarios[${i}] that is not a mapping`);
    rejectUnknownKeys(path, `scenarios[${i}]`, raw, ['name', 'weight', 'flow']);
    if (!Array.isArray(raw.flow)) throw new UnsupportedInScript(path, `scenarios[${i}] without a flow`);
    return {
      kind: 'steps',
      name: typeof raw.name === 'string' ? raw.name : `scenario ${i + 1}`,
      weight: typeof raw.weight === 'number' ? raw.weight : 1,
      steps: raw.flow.map((step, j) => importStep(path, step, `scenarios[${i}].flow[${j}]`)),
    };
  });

  return {
    source: path,
    target: config.target,
    timeoutMs,
    thresholds: importEnsure(path, config.ensure),
    scenarios: [
      {
        name: 'artillery',
        startTimeMs: 0,
        gracefulStopMs: timeoutMs + 5000,
        flows,
        executor: {
          type: 'arrivals',
          label: 'Artillery phases',
          phases,
          preAllocatedVUs: 10,
          maxVUs: maxVusers || 100_000,
        },
      },
    ],
  };
}

function importStep(path: string, raw: unknown, where: string): Step {
  if (!isObj(raw)) throw new UnsupportedInScript(path, `${where} that is not a mapping`);
  if ('think' in raw) return { kind: 'think', seconds: Number(raw.think) };
  if ('loop' in raw) {
    rejectUnknownKeys(path, where, raw, ['loop', 'count']);
    if (!Array.isArray(raw.loop) || typeof raw.count !== 'number') {
      throw new UnsupportedInScript(
        path,
        `${where}.loop without a count`,
        'loops over arrays and infinite loops are not supported',
      );
    }
    return {
      kind: 'loop',
      count: raw.count,
      steps: raw.loop.map((s, k) => importStep(path, s, `${where}.loop[${k}]`)),
    };
  }
  const method = METHODS.find((m) => m in raw);
  if (!method) throw new UnsupportedInScript(path, `${where}.${Object.keys(raw)[0] ?? '(empty)'}`);
  rejectUnknownKeys(path, where, raw, [method]);
  const spec = raw[method];
  if (!isObj(spec) || typeof spec.url !== 'string')
    throw new UnsupportedInScript(path, `${where}.${method} without url`);
  rejectUnknownKeys(path, `${where}.${method}`, spec, [
    'url',
    'json',
    'body',
    'headers',
    'capture',
    'expect',
  ]);
  const step: Extract<Step, { kind: 'request' }> = {
    kind: 'request',
    method: method.toUpperCase(),
    url: spec.url,
  };
  if (spec.json !== undefined) step.json = spec.json;
  if (typeof spec.body === 'string') step.body = spec.body;
  if (isObj(spec.headers))
    step.headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, String(v)]));
  if (spec.capture !== undefined) {
    const captures = Array.isArray(spec.capture) ? spec.capture : [spec.capture];
    step.capture = captures.map((c, k) => {
      if (!isObj(c) || typeof c.json !== 'string' || typeof c.as !== 'string') {
        throw new UnsupportedInScript(
          path,
          `${where}.${method}.capture[${k}]`,
          'only { json: "$.path", as: name } captures',
        );
      }
      return { json: c.json, as: c.as };
    });
  }
  if (spec.expect !== undefined) {
    const expects = Array.isArray(spec.expect) ? spec.expect : [spec.expect];
    step.expect = expects.map((e, k) => {
      if (!isObj(e) || typeof e.statusCode !== 'number')
        throw new UnsupportedInScript(path, `${where}.${method}.expect[${k}]`, 'only statusCode');
      return e.statusCode;
    });
  }
  return step;
}

/** Artillery `ensure`: legacy `p95: 200` / `maxErrorRate: 1`, or `thresholds: [{ "http.response_time.p99": 100 }]`. */
function importEnsure(path: string, ensure: unknown): Record<string, ThresholdSpec[]> {
  const out: Record<string, ThresholdSpec[]> = {};
  const add = (metric: string, expression: string) => {
    out[metric] ??= [];
    out[metric].push({ expression, abortOnFail: false });
  };
  if (ensure === undefined) return out;
  if (!isObj(ensure)) throw new UnsupportedInScript(path, 'config.ensure that is not a mapping');
  for (const [key, value] of Object.entries(ensure)) {
    if (/^(p\d+|median|max|min)$/.test(key)) {
      add('http_req_waiting', `${toK6Aggregation(key)}<=${Number(value)}`);
    } else if (key === 'maxErrorRate') {
      // Artillery: percentage of virtual users that failed.
      add('vusers_failed', `rate<=${Number(value) / 100}`);
    } else if (key === 'thresholds' && Array.isArray(value)) {
      for (const item of value) {
        if (!isObj(item)) continue;
        for (const [metric, limit] of Object.entries(item)) {
          const m = /^http\.response_time\.(p\d+|median|max|min)$/.exec(metric);
          if (!m)
            throw new UnsupportedInScript(
              path,
              `config.ensure.thresholds metric ${metric}`,
              'only http.response_time.*',
            );
          // http.response_time in Artillery is time to first byte.
          add('http_req_waiting', `${toK6Aggregation(m[1] as string)}<=${Number(limit)}`);
        }
      }
    } else {
      throw new UnsupportedInScript(path, `config.ensure.${key}`);
    }
  }
  return out;
}

function toK6Aggregation(key: string): string {
  if (key === 'median') return 'med';
  if (key === 'max' || key === 'min') return key;
  return `p(${key.slice(1)})`;
}
