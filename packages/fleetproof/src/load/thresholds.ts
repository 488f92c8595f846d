import type { MetricSink } from './k6/metric-sink.js';
import { parseMetricKey } from './k6/metric-sink.js';
import type { LoadSummary } from './load-metrics.js';
import type { ThresholdSpec } from './plan.js';

type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

export interface ThresholdResult {
  metric: string;
  expression: string;
  actual: number;
  passed: boolean;
  abortOnFail: boolean;
}

const TRENDS = ['http_req_duration', 'http_req_waiting', 'iteration_duration'] as const;
const RATES = ['http_req_failed', 'checks', 'vusers_failed'] as const;
const COUNTERS = ['http_reqs', 'iterations', 'dropped_iterations', 'data_received', 'data_sent'] as const;
export const THRESHOLD_METRICS = [...TRENDS, ...RATES, ...COUNTERS] as readonly string[];

const EXPRESSION =
  /^\s*(avg|min|max|med|p\((\d+(?:\.\d+)?)\)|rate|count|value)\s*(<=|>=|==|!=|<|>|===)\s*(-?\d+(?:\.\d+)?)\s*$/;

function builtInType(metric: string): MetricType | undefined {
  if ((TRENDS as readonly string[]).includes(metric)) return 'trend';
  if ((RATES as readonly string[]).includes(metric)) return 'rate';
  if ((COUNTERS as readonly string[]).includes(metric)) return 'counter';
  return undefined;
}

/**
 * Checks a k6 threshold expression for a metric key (a name, or a sub-metric such as
 * `http_req_duration{name:login}` when the script's metrics can filter by tag); throws naming what is wrong.
 * `typeOf` knows the script's custom metrics.
 */
export function validateThreshold(
  key: string,
  expression: string,
  typeOf?: (metric: string) => MetricType | undefined,
): void {
  const { metric, filter } = parseMetricKey(key);
  const type = typeOf?.(metric) ?? builtInType(metric);
  if (!type) {
    throw new Error(
      `thresholds: metric ${JSON.stringify(metric)} is not one fleetproof measures; expected one of ${THRESHOLD_METRICS.join(', ')}${typeOf ? ', group_duration or a custom metric the script declares' : ''}`,
    );
  }
  if (Object.keys(filter).length > 0 && !typeOf) {
    throw new Error(
      `thresholds: ${JSON.stringify(key)}: tag-filtered sub-metrics are supported in k6 scripts only`,
    );
  }
  const match = EXPRESSION.exec(expression);
  if (!match) {
    throw new Error(
      `thresholds.${metric}: ${JSON.stringify(expression)} is not a threshold; expected e.g. "p(95)<200", "avg<100", "rate<0.01", "count>10"`,
    );
  }
  const aggregation = (match[1] as string).startsWith('p(') ? 'p' : (match[1] as string);
  const allowed =
    type === 'trend'
      ? ['avg', 'min', 'max', 'med', 'p']
      : type === 'rate'
        ? ['rate']
        : type === 'gauge'
          ? ['value']
          : ['count', 'rate'];
  if (!allowed.includes(aggregation)) {
    throw new Error(
      `thresholds.${key}: aggregation ${match[1]} does not apply; expected ${allowed.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}`,
    );
  }
}

function actualValue(metric: string, aggregation: string, percentile: number, s: LoadSummary): number {
  if ((TRENDS as readonly string[]).includes(metric)) {
    const trend = s[metric as (typeof TRENDS)[number]];
    if (aggregation === 'p') {
      if (percentile === 90) return trend.p90;
      if (percentile === 95) return trend.p95;
      if (percentile === 99) return trend.p99;
      if (percentile === 50) return trend.med;
    }
    return trend[aggregation as 'avg' | 'min' | 'max' | 'med'];
  }
  if (metric === 'http_req_failed') return s.http_req_failed.rate;
  if (metric === 'checks') return s.checks.rate;
  if (metric === 'vusers_failed') return s.vusers.created ? s.vusers.failed / s.vusers.created : 0;
  if (metric === 'dropped_iterations') return s.dropped_iterations;
  if (metric === 'data_received') return s.data_received;
  if (metric === 'data_sent') return s.data_sent;
  const counter = s[metric as 'http_reqs' | 'iterations'];
  return aggregation === 'rate' ? counter.rate : counter.count;
}

/**
 * Evaluates thresholds on a summary. Percentiles other than 50/90/95/99 are read from the histogram through
 * `percentileOf` (the summary keeps only the common ones).
 */
export function evaluateThresholds(
  thresholds: Record<string, ThresholdSpec[]>,
  summary: LoadSummary,
  percentileOf: (metric: string, p: number) => number,
  /** A k6 script's custom metrics and sub-metrics (k6/k6-metrics.ts). */
  sinkOf?: (key: string) => MetricSink | undefined,
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, specs] of Object.entries(thresholds)) {
    for (const spec of specs) {
      const match = EXPRESSION.exec(spec.expression);
      if (!match) continue;
      const aggregation = (match[1] as string).startsWith('p(') ? 'p' : (match[1] as string);
      const percentile = Number(match[2] ?? 0);
      const common = [50, 90, 95, 99].includes(percentile);
      const sink = builtInType(metric) ? undefined : sinkOf?.(metric);
      const actual = sink
        ? sink.aggregate(aggregation, percentile, summary.durationMs / 1000)
        : aggregation === 'p' && !common
          ? percentileOf(metric, percentile)
          : actualValue(metric, aggregation, percentile, summary);
      const limit = Number(match[4]);
      const op = match[3];
      const passed =
        op === '<'
          ? actual < limit
          : op === '<='
            ? actual <= limit
            : op === '>'
              ? actual > limit
              : op === '>='
                ? actual >= limit
                : op === '==' || op === '==='
                  ? actual === limit
                  : actual !== limit;
      results.push({
        metric,
        expression: spec.expression.trim(),
        actual,
        passed,
        abortOnFail: spec.abortOnFail,
      });
    }
  }
  return results;
}
