import type { LoadSummary } from '../load-metrics.js';
import type { ThresholdResult } from '../thresholds.js';
import { MetricSink, parseMetricKey, tagsMatch } from './metric-sink.js';
import type { MetricSample } from './wire.js';

export interface CheckCount {
  name: string;
  passes: number;
  fails: number;
}

/** k6's group tree with the checks made in each group, as handleSummary's root_group has it. */
export interface GroupNode {
  name: string;
  path: string;
  id: string;
  groups: GroupNode[];
  checks: (CheckCount & { path: string; id: string })[];
}

/** The built-in http metrics as sinks, so tag-filtered thresholds such as http_req_duration{name:x} can read them. */
const HTTP_METRICS: Record<string, MetricSample['type']> = {
  http_reqs: 'counter',
  http_req_duration: 'trend',
  http_req_waiting: 'trend',
  http_req_failed: 'rate',
};

/**
 * What a k6 script measures beyond the built-in totals in LoadMetrics: its custom metrics, group_duration,
 * checks per group, and the sub-metrics its thresholds name (k6 keeps only those, and so does this).
 */
export class K6Metrics {
  private readonly sinks = new Map<string, MetricSink>();
  private readonly submetrics: {
    key: string;
    metric: string;
    filter: Record<string, string>;
    sink: MetricSink;
  }[] = [];
  private readonly root: GroupNode = { name: '', path: '', id: '', groups: [], checks: [] };
  /** True when a threshold filters the http metrics by tag: only then are request tags looked at. */
  readonly wantsHttpTags: boolean;

  constructor(
    declared: { name: string; type: MetricSample['type']; isTime: boolean }[],
    thresholdKeys: string[],
  ) {
    for (const d of declared) this.sinks.set(d.name, new MetricSink(d.type, d.isTime));
    this.sinks.set('group_duration', new MetricSink('trend', true));
    for (const key of thresholdKeys) {
      const { metric, filter } = parseMetricKey(key);
      if (Object.keys(filter).length === 0) continue;
      const type = this.typeOf(metric);
      if (type) this.submetrics.push({ key, metric, filter, sink: new MetricSink(type, type === 'trend') });
    }
    this.wantsHttpTags = this.submetrics.some((s) => s.metric in HTTP_METRICS);
  }

  typeOf(metric: string): MetricSample['type'] | undefined {
    if (metric === 'checks') return 'rate';
    return HTTP_METRICS[metric] ?? this.sinks.get(metric)?.type;
  }

  add(sample: MetricSample): void {
    if (sample.metric === 'checks') this.countCheck(sample);
    else {
      let sink = this.sinks.get(sample.metric);
      if (!sink) {
        sink = new MetricSink(sample.type, sample.isTime);
        this.sinks.set(sample.metric, sink);
      }
      sink.add(sample.value);
    }
    for (const s of this.submetrics)
      if (s.metric === sample.metric && tagsMatch(sample.tags, s.filter)) s.sink.add(sample.value);
  }

  /** One request, for the tag-filtered http sub-metrics. */
  addHttp(tags: Record<string, string>, durationMs: number, waitingMs: number, failed: boolean): void {
    for (const s of this.submetrics) {
      if (!(s.metric in HTTP_METRICS) || !tagsMatch(tags, s.filter)) continue;
      s.sink.add(
        s.metric === 'http_reqs'
          ? 1
          : s.metric === 'http_req_failed'
            ? failed
              ? 1
              : 0
            : s.metric === 'http_req_waiting'
              ? waitingMs
              : durationMs,
      );
    }
  }

  private countCheck(sample: MetricSample): void {
    const path = sample.tags.group ?? '';
    let node = this.root;
    let at = '';
    for (const name of path.split('::').slice(1)) {
      at = `${at}::${name}`;
      let child = node.groups.find((g) => g.name === name);
      if (!child) {
        child = { name, path: at, id: at, groups: [], checks: [] };
        node.groups.push(child);
      }
      node = child;
    }
    const name = sample.tags.check ?? '';
    let check = node.checks.find((c) => c.name === name);
    if (!check) {
      check = { name, path: `${path}::${name}`, id: `${path}::${name}`, passes: 0, fails: 0 };
      node.checks.push(check);
    }
    if (sample.value) check.passes += 1;
    else check.fails += 1;
  }

  /** The sink a threshold on `key` reads, when it is not one of the built-in totals. */
  sinkOf(key: string): MetricSink | undefined {
    const sub = this.submetrics.find((s) => s.key === key);
    if (sub) return sub.sink;
    return this.sinks.get(parseMetricKey(key).metric);
  }

  get rootGroup(): GroupNode {
    return this.root;
  }

  /** Custom metrics and sub-metrics with their summary values, for the terminal summary. */
  rows(
    seconds: number,
    trendStats: string[],
  ): { name: string; sink: MetricSink; values: Record<string, number> }[] {
    const rows = [...this.sinks].filter(([name, s]) => s.count > 0 || name !== 'group_duration');
    return [
      ...rows.map(([name, sink]) => ({ name, sink, values: sink.values(seconds, trendStats) })),
      ...this.submetrics.map((s) => ({
        name: s.key,
        sink: s.sink,
        values: s.sink.values(seconds, trendStats),
      })),
    ];
  }
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

export interface K6SummaryData {
  root_group: GroupNode;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<
    string,
    {
      type: string;
      contains: string;
      values: Record<string, number>;
      thresholds?: Record<string, { ok: boolean }>;
    }
  >;
}

/** The object k6 passes to handleSummary(data). */
export function summaryData(
  summary: LoadSummary,
  k6: K6Metrics,
  thresholds: ThresholdResult[],
  options: Record<string, unknown>,
): K6SummaryData {
  const seconds = summary.durationMs / 1000;
  const trendStats = (options.summaryTrendStats as string[] | undefined) ?? TREND_STATS;
  const trend = (t: LoadSummary['http_req_duration']) => {
    const out: Record<string, number> = {};
    for (const stat of trendStats) {
      const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat)?.[1];
      out[stat] =
        stat === 'avg'
          ? t.avg
          : stat === 'min'
            ? t.min
            : stat === 'max'
              ? t.max
              : stat === 'med'
                ? t.med
                : p === '90'
                  ? t.p90
                  : p === '95'
                    ? t.p95
                    : p === '99'
                      ? t.p99
                      : t.p99;
    }
    return out;
  };
  const metrics: Record<
    string,
    {
      type: string;
      contains: string;
      values: Record<string, number>;
      thresholds?: Record<string, { ok: boolean }>;
    }
  > = {
    http_reqs: {
      type: 'counter',
      contains: 'default',
      values: { count: summary.http_reqs.count, rate: summary.http_reqs.rate },
    },
    http_req_duration: { type: 'trend', contains: 'time', values: trend(summary.http_req_duration) },
    http_req_waiting: { type: 'trend', contains: 'time', values: trend(summary.http_req_waiting) },
    http_req_failed: {
      type: 'rate',
      contains: 'default',
      values: {
        rate: summary.http_req_failed.rate,
        passes: summary.http_req_failed.passes,
        fails: summary.http_req_failed.fails,
      },
    },
    iteration_duration: { type: 'trend', contains: 'time', values: trend(summary.iteration_duration) },
    iterations: {
      type: 'counter',
      contains: 'default',
      values: { count: summary.iterations.count, rate: summary.iterations.rate },
    },
    data_received: {
      type: 'counter',
      contains: 'data',
      values: { count: summary.data_received, rate: summary.data_received / Math.max(0.001, seconds) },
    },
    data_sent: {
      type: 'counter',
      contains: 'data',
      values: { count: summary.data_sent, rate: summary.data_sent / Math.max(0.001, seconds) },
    },
    vus: {
      type: 'gauge',
      contains: 'default',
      values: { value: summary.vus.min, min: summary.vus.min, max: summary.vus.max },
    },
  };
  if (summary.checks.passes + summary.checks.fails > 0)
    metrics.checks = {
      type: 'rate',
      contains: 'default',
      values: { rate: summary.checks.rate, passes: summary.checks.passes, fails: summary.checks.fails },
    };
  if (summary.dropped_iterations > 0)
    metrics.dropped_iterations = {
      type: 'counter',
      contains: 'default',
      values: {
        count: summary.dropped_iterations,
        rate: summary.dropped_iterations / Math.max(0.001, seconds),
      },
    };
  for (const row of k6.rows(seconds, trendStats)) {
    if (row.sink.count === 0 && row.name === 'group_duration') continue;
    metrics[row.name] = {
      type: row.sink.type,
      contains: row.sink.isTime ? 'time' : 'default',
      values: row.values,
    };
  }
  for (const t of thresholds) {
    const m = metrics[t.metric];
    if (m) m.thresholds = { ...m.thresholds, [t.expression]: { ok: t.passed } };
  }
  return {
    root_group: k6.rootGroup,
    options: { summaryTrendStats: trendStats, summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: summary.durationMs },
    metrics,
  };
}
