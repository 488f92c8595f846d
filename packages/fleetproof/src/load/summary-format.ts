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
export function formatSummary(s: LoadSummary, thresholds: ThresholdResult[], aborted?: string): string {
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
  ];
  const mark = (metric: string) => {
    const own = thresholds.filter((t) => t.metric === metric);
    if (own.length === 0) return '  ';
    return own.every((t) => t.passed) ? '✓ ' : '✗ ';
  };
  const lines = rows.map(([name, value]) => `   ${mark(name)}${name.padEnd(22, '.')}: ${value}`);
  const failedVusers = s.vusers.created ? ` (${pct(s.vusers.failed / s.vusers.created)} failed)` : '';
  lines.push(
    `     vusers.created / completed / failed: ${s.vusers.created} / ${s.vusers.completed} / ${s.vusers.failed}${failedVusers}`,
  );
  const errors = Object.entries(s.errors).map(([kind, n]) => `${kind} ${n}`);
  if (errors.length > 0) lines.push(`     errors by kind: ${errors.join(', ')}`);
  const codes = Object.entries(s.codes).map(([code, n]) => `${code}: ${n}`);
  if (codes.length > 0) lines.push(`     http codes: ${codes.join(', ')}`);
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
