import type { GroupNode, K6SummaryData } from './k6/k6-metrics.js';
import type { LoadSummary } from './load-metrics.js';
import type { ThresholdResult } from './thresholds.js';
import type { TrendStats } from './trend.js';

const ms = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(2)}s` : v >= 1 ? `${v.toFixed(2)}ms` : `${(v * 1000).toFixed(0)}µs`;
const bytes = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${Math.round(n)} B`;
const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const trend = (t: TrendStats) =>
  `avg=${ms(t.avg)} min=${ms(t.min)} med=${ms(t.med)} max=${ms(t.max)} p(90)=${ms(t.p90)} p(95)=${ms(t.p95)} p(99)=${ms(t.p99)}`;

/**
 * The end-of-test summary in k6's shape (metric name, dots, value), a ✓/✗ mark on metrics with thresholds,
 * then Artillery's virtual-user counts and the errors by kind.
 */
/** A k6 script's checks by group, as k6 prints them above the metrics. */
function checkTree(group: GroupNode, depth: number): string[] {
  const pad = '     '.padEnd(5 + depth * 2);
  const lines: string[] = [];
  for (const c of group.checks) {
    lines.push(`${pad}${c.fails === 0 ? '✓' : '✗'} ${c.name}`);
    if (c.fails > 0)
      lines.push(
        `${pad}  ↳  ${Math.floor((100 * c.passes) / (c.passes + c.fails))}% — ✓ ${c.passes} / ✗ ${c.fails}`,
      );
  }
  for (const g of group.groups) lines.push('', `${pad}█ ${g.name}`, '', ...checkTree(g, depth + 1));
  return lines;
}

/** Custom metrics and sub-metrics of a k6 script, in the summary's row form. */
function customRows(k6: K6SummaryData): [string, string][] {
  const builtIn = new Set([
    'http_reqs',
    'http_req_duration',
    'http_req_waiting',
    'http_req_failed',
    'iteration_duration',
    'iterations',
    'data_received',
    'data_sent',
    'vus',
    'checks',
    'dropped_iterations',
  ]);
  return Object.entries(k6.metrics)
    .filter(([name]) => !builtIn.has(name))
    .map(([name, m]): [string, string] => {
      const v = m.values;
      const show = (n: number | undefined) =>
        m.contains === 'time' ? ms(n ?? 0) : String(Math.round((n ?? 0) * 1000) / 1000);
      if (m.type === 'counter') return [name, `${show(v.count)} ${(v.rate ?? 0).toFixed(2)}/s`];
      if (m.type === 'rate') return [name, `${pct(v.rate ?? 0)} ✓ ${v.passes} ✗ ${v.fails}`];
      if (m.type === 'gauge') return [name, `${show(v.value)} min=${show(v.min)} max=${show(v.max)}`];
      return [
        name,
        Object.entries(v)
          .map(([k, n]) => `${k}=${show(n)}`)
          .join(' '),
      ];
    });
}

export function formatSummary(
  s: LoadSummary,
  thresholds: ThresholdResult[],
  aborted?: string,
  k6?: K6SummaryData,
  artillery?: Record<string, number>,
): string {
  const perSecond = (n: number) => `${(n / Math.max(0.001, s.durationMs / 1000)).toFixed(2)}/s`;
  const rows: [string, string][] = [
    ['checks', `${pct(s.checks.rate)} ✓ ${s.checks.passes} ✗ ${s.checks.fails}`],
    [
      'data_received',
      `${bytes(s.data_received)} ${bytes(s.data_received / Math.max(0.001, s.durationMs / 1000))}/s`,
    ],
    ['data_sent', `${bytes(s.data_sent)} ${bytes(s.data_sent / Math.max(0.001, s.durationMs / 1000))}/s`],
    ['dropped_iterations', `${s.dropped_iterations} ${perSecond(s.dropped_iterations)}`],
    ['http_req_duration', trend(s.http_req_duration)],
    [
      'http_req_failed',
      `${pct(s.http_req_failed.rate)} ✓ ${s.http_req_failed.passes} ✗ ${s.http_req_failed.fails}`,
    ],
    ['http_req_waiting', `${trend(s.http_req_waiting)}  (time to first byte)`],
    ['http_reqs', `${s.http_reqs.count} ${s.http_reqs.rate.toFixed(2)}/s`],
    ['iteration_duration', trend(s.iteration_duration)],
    ['iterations', `${s.iterations.count} ${s.iterations.rate.toFixed(2)}/s`],
    ['vus', `min=${s.vus.min} max=${s.vus.max}`],
    ...(k6 ? customRows(k6) : []),
  ];
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  const mark = (metric: string) => {
    const own = thresholds.filter((t) => t.metric === metric);
    if (own.length === 0) return '  ';
    return own.every((t) => t.passed) ? '✓ ' : '✗ ';
  };
  const width = Math.max(22, ...rows.map(([name]) => name.length + 3));
  const tree = k6 ? checkTree(k6.root_group, 0) : [];
  const lines = [...tree, ...(tree.length > 0 ? [''] : [])];
  lines.push(...rows.map(([name, value]) => `   ${mark(name)}${name.padEnd(width, '.')}: ${value}`));
  const failedVusers = s.vusers.created ? ` (${pct(s.vusers.failed / s.vusers.created)} failed)` : '';
  lines.push(
    `     vusers.created / completed / failed: ${s.vusers.created} / ${s.vusers.completed} / ${s.vusers.failed}${failedVusers}`,
  );
  const errors = Object.entries(s.errors).map(([kind, n]) => `${kind} ${n}`);
  if (errors.length > 0) lines.push(`     errors by kind: ${errors.join(', ')}`);
  const codes = Object.entries(s.codes).map(([code, n]) => `${code}: ${n}`);
  if (codes.length > 0) lines.push(`     http codes: ${codes.join(', ')}`);
  if (artillery) lines.push(...artilleryLines(artillery));
  if (thresholds.length > 0) {
    lines.push('', '   thresholds:');
    for (const t of thresholds) {
      lines.push(
        `     ${t.passed ? '✓' : '✗'} ${t.metric} ${t.expression} (actual ${Number.isInteger(t.actual) ? t.actual : t.actual.toFixed(4)})`,
      );
    }
  }
  if (aborted) lines.push('', `   aborted: ${aborted}`);
  lines.push(
    '',
    '   http_req_duration is timed from the intended send time for arrival-rate (open-model) iterations.',
  );
  return lines.join('\n');
}

/** An Artillery test's own counters and aggregates (custom metrics, expect, apdex, metrics-by-endpoint). */
function artilleryLines(report: Record<string, number>): string[] {
  const own = Object.entries(report).filter(
    ([name]) =>
      !/^(vusers|http)\.|^errors\./.test(name) && !/\.(min|max|mean|median|p50|p90|p99)$/.test(name),
  );
  if (own.length === 0) return [];
  const lines = ['', '   Artillery metrics:'];
  for (const [name, value] of own.sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`     ${name}: ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  const s = report['apdex.satisfied'] ?? 0;
  const t = report['apdex.tolerated'] ?? 0;
  const f = report['apdex.frustrated'] ?? 0;
  if (s + t + f > 0) lines.push(`     apdex score: ${((s + t / 2) / (s + t + f)).toFixed(2)}`);
  return lines;
}
