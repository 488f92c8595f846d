/**
 * Artillery's custom metrics (events.emit('counter' | 'histogram' | 'rate', …)) and the plugins users rely on
 * for checks and thresholds, implemented here as their docs describe them: expect (expectations per request,
 * plugins.expect.ok/failed, exit code 21 on a failure), metrics-by-endpoint (response time and codes per
 * endpoint), apdex (satisfied/tolerated/frustrated against a threshold, default 500 ms) and ensure
 * (thresholds as `metric < max`, conditions as expressions, maxErrorRate, the legacy p95: keys).
 */
import type { LoadSummary } from '../load-metrics.js';
import { isObj, type Obj } from '../plain-values.js';
import type { ThresholdResult } from '../thresholds.js';
import { Trend, type TrendStats } from '../trend.js';
import type { ArtilleryContext, HookResponse } from './artillery-vu.js';
import { evaluate } from './expression.js';
import { getPath, template } from './template.js';

/** What processor functions get as `events`. */
export interface Events {
  emit(kind: string, name?: unknown, value?: unknown): void;
}

export class ArtilleryMetrics {
  readonly counters = new Map<string, number>();
  readonly histograms = new Map<string, Trend>();
  readonly events: Events;
  readonly expectEnabled: boolean;
  /** apdex or metrics-by-endpoint: every response is looked at. */
  readonly perResponse: boolean;
  private readonly apdexMs: number | undefined;
  private readonly byEndpoint: Obj | undefined;

  constructor(config: Obj) {
    const plugins = isObj(config.plugins) ? config.plugins : {};
    this.expectEnabled = 'expect' in plugins;
    const apdex =
      (isObj(config.apdex) ? config.apdex : undefined) ?? (isObj(plugins.apdex) ? plugins.apdex : undefined);
    this.apdexMs = 'apdex' in plugins || isObj(config.apdex) ? Number(apdex?.threshold ?? 500) : undefined;
    this.byEndpoint = isObj(plugins['metrics-by-endpoint']) ? plugins['metrics-by-endpoint'] : undefined;
    this.perResponse = this.apdexMs !== undefined || this.byEndpoint !== undefined;
    this.events = {
      emit: (kind, name, value) => {
        if (kind === 'counter' || kind === 'rate')
          this.count(String(name), kind === 'rate' ? 1 : Number(value ?? 1));
        else if (kind === 'histogram') this.histogram(String(name), Number(value));
        else if (kind === 'error') this.count(`errors.${String(name)}`, 1);
      },
    };
  }

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  histogram(name: string, value: number): void {
    let trend = this.histograms.get(name);
    if (!trend) {
      trend = new Trend();
      this.histograms.set(name, trend);
    }
    trend.recordMs(value);
  }

  /** What the apdex and metrics-by-endpoint plugins record after each response. */
  afterResponse(response: HookResponse, name: string | undefined): void {
    const firstByte = response.timings.phases.firstByte;
    if (this.apdexMs !== undefined) {
      const t = this.apdexMs;
      this.count(
        firstByte <= t ? 'apdex.satisfied' : firstByte <= 4 * t ? 'apdex.tolerated' : 'apdex.frustrated',
      );
    }
    if (this.byEndpoint) recordEndpoint(this, this.byEndpoint, response, name);
  }

  /** Counters and each histogram's aggregates as Artillery's report has them, for ensure and the summary. */
  report(summary: LoadSummary): Record<string, number> {
    const vars: Record<string, number> = {
      'vusers.created': summary.vusers.created,
      'vusers.completed': summary.vusers.completed,
      'vusers.failed': summary.vusers.failed,
      'http.requests': summary.http_reqs.count,
      'http.responses':
        summary.http_reqs.count -
        Object.entries(summary.errors)
          .filter(([k]) => !k.startsWith('http_'))
          .reduce((n, [, v]) => n + (v ?? 0), 0),
      'http.request_rate': Math.round(summary.http_reqs.rate),
    };
    for (const [code, n] of Object.entries(summary.codes)) vars[`http.codes.${code}`] = n;
    for (const [kind, n] of Object.entries(summary.errors))
      if (!kind.startsWith('http_')) vars[`errors.${kind}`] = n ?? 0;
    // http.response_time is the time to the first byte in Artillery.
    Object.assign(vars, aggregates('http.response_time', summary.http_req_waiting));
    for (const [name, n] of this.counters) vars[name] = n;
    for (const [name, trend] of this.histograms) Object.assign(vars, aggregates(name, trend.stats()));
    return vars;
  }
}

function aggregates(name: string, t: TrendStats): Record<string, number> {
  return {
    [`${name}.min`]: t.min,
    [`${name}.max`]: t.max,
    [`${name}.mean`]: t.avg,
    [`${name}.median`]: t.med,
    [`${name}.p50`]: t.med,
    [`${name}.p90`]: t.p90,
    [`${name}.p95`]: t.p95,
    [`${name}.p99`]: t.p99,
  };
}

/** metrics-by-endpoint: `plugins.metrics-by-endpoint.response_time.<endpoint>` and `….<endpoint>.codes.<n>`. */
export function recordEndpoint(
  metrics: ArtilleryMetrics,
  options: Obj,
  response: HookResponse,
  name: string | undefined,
): void {
  const url = new URL(response.url);
  const path = options.stripQueryString === true ? url.pathname : `${url.pathname}${url.search}`;
  const endpoint = options.useOnlyRequestNames === true && name ? name : name ? `${path} (${name})` : path;
  const prefix =
    typeof options.metricsNamespace === 'string' ? options.metricsNamespace : 'plugins.metrics-by-endpoint';
  metrics.histogram(`${prefix}.response_time.${endpoint}`, response.timings.phases.firstByte);
  metrics.count(`${prefix}.${endpoint}.codes.${response.statusCode}`);
}

/** The expect plugin's checks on one response; each result counted as plugins.expect.ok / .failed. */
export function expectations(
  list: unknown[],
  response: HookResponse,
  context: ArtilleryContext,
  metrics: ArtilleryMetrics,
): void {
  let body: unknown = response.body;
  const type = String(response.headers['content-type'] ?? '');
  if (/json/.test(type)) {
    try {
      body = JSON.parse(response.body);
    } catch {
      body = response.body;
    }
  }
  for (const ex of list) {
    if (!isObj(ex)) continue;
    const [kind, raw] = Object.entries(ex)[0] ?? [];
    if (!kind) continue;
    const expected = template(raw, context);
    let ok = false;
    switch (kind) {
      case 'statusCode':
        ok = (Array.isArray(expected) ? expected : [expected])
          .map(String)
          .includes(String(response.statusCode));
        break;
      case 'notStatusCode':
        ok = !(Array.isArray(expected) ? expected : [expected])
          .map(String)
          .includes(String(response.statusCode));
        break;
      case 'contentType':
        ok =
          expected === 'json'
            ? /json/.test(type) && typeof body === 'object'
            : type.toLowerCase() === String(expected).toLowerCase();
        break;
      case 'hasProperty':
        ok = typeof body === 'object' && getPath(body, String(expected)) !== undefined;
        break;
      case 'notHasProperty':
        ok = !(typeof body === 'object' && getPath(body, String(expected)) !== undefined);
        break;
      case 'equals': {
        const values = (Array.isArray(expected) ? expected : [expected]).map(String);
        ok = values.every((v) => v === values[0]);
        break;
      }
      case 'hasHeader':
        ok = response.headers[String(expected).toLowerCase()] !== undefined;
        break;
      case 'headerEquals': {
        const [header, value] = Array.isArray(expected) ? expected : [];
        ok = String(response.headers[String(header).toLowerCase()]) === String(value);
        break;
      }
      case 'matchesRegexp':
        ok = new RegExp(String(expected)).test(response.body);
        break;
    }
    metrics.count(ok ? 'plugins.expect.ok' : 'plugins.expect.failed');
    metrics.count(`plugins.expect.${ok ? 'ok' : 'failed'}.${kind}`);
  }
}

/** ensure: every check as a threshold result (metric "ensure"), judged on Artillery's report values. */
export function ensureResults(ensure: unknown, report: Record<string, number>): ThresholdResult[] {
  if (!isObj(ensure)) return [];
  /** Each check, and the value to show beside it (the metric for a threshold, else the verdict). */
  const checks: { expression: string; strict: boolean; original: string; shown?: string }[] = [];
  for (const item of Array.isArray(ensure.thresholds) ? ensure.thresholds : []) {
    if (!isObj(item)) continue;
    const [metric, max] = Object.entries(item)[0] ?? [];
    if (metric)
      checks.push({
        expression: `${metric} < ${Number(max)}`,
        strict: true,
        original: `${metric} < ${Number(max)}`,
        shown: metric,
      });
  }
  for (const item of Array.isArray(ensure.conditions) ? ensure.conditions : []) {
    if (isObj(item) && typeof item.expression === 'string')
      checks.push({ expression: item.expression, strict: item.strict !== false, original: item.expression });
  }
  for (const key of ['min', 'max', 'median', 'p95', 'p99']) {
    const metric = `http.response_time.${key}`;
    if (ensure[key] !== undefined)
      checks.push({
        expression: `${metric} < ${Number(ensure[key])}`,
        strict: true,
        original: `${metric} < ${Number(ensure[key])}`,
        shown: metric,
      });
  }
  if (ensure.maxErrorRate !== undefined) {
    const max = Number(ensure.maxErrorRate);
    const rate = '((vusers.created - vusers.completed)/vusers.created * 100)';
    checks.push({
      expression: `${rate} <= ${max}`,
      strict: true,
      original: `maxErrorRate < ${max}`,
      shown: rate,
    });
  }
  return checks.map((check) => {
    let value: unknown = 0;
    try {
      value = evaluate(check.expression, (name) => report[name]);
    } catch (error) {
      value = 0;
      console.log(`ensure: ${(error as Error).message}`);
    }
    const passed = typeof value === 'number' ? value !== 0 && !Number.isNaN(value) : Boolean(value);
    let actual = Number(passed);
    try {
      if (check.shown) actual = Number(evaluate(check.shown, (name) => report[name]));
    } catch {
      actual = Number.NaN;
    }
    return {
      metric: 'ensure',
      expression: check.original + (check.strict ? '' : ' (optional)'),
      actual,
      passed: passed || !check.strict,
      abortOnFail: false,
    };
  });
}

/** ensure's checks from the script's config (config.ensure or config.plugins.ensure). */
export function ensureOf(config: Obj): unknown {
  return config.ensure ?? (isObj(config.plugins) ? config.plugins.ensure : undefined);
}
