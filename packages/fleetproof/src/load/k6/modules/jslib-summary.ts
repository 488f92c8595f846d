/**
 * jslib.k6.io/k6-summary (textSummary, jUnit), which scripts import from a URL inside handleSummary: served
 * locally, formatting the summary data object k6 passes to handleSummary.
 */
interface MetricData {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
interface CheckData {
  name: string;
  passes: number;
  fails: number;
}
interface GroupData {
  name: string;
  groups: GroupData[];
  checks: CheckData[];
}
interface SummaryData {
  root_group: GroupData;
  metrics: Record<string, MetricData>;
  options?: { summaryTrendStats?: string[] };
}

const duration = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : ms >= 1 ? `${ms.toFixed(2)}ms` : `${(ms * 1000).toFixed(2)}µs`;
const data = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;

function value(m: MetricData, key: string): string {
  const v = m.values[key] ?? 0;
  if (m.contains === 'time' && key !== 'count' && key !== 'rate') return duration(v);
  if (m.contains === 'data') return key === 'rate' ? `${data(v)}/s` : data(v);
  return Number.isInteger(v)
    ? String(v)
    : v
        .toFixed(key === 'rate' ? 6 : 2)
        .replace(/0+$/, '')
        .replace(/\.$/, '');
}

function metricLine(name: string, m: MetricData, trendStats: string[]): string {
  switch (m.type) {
    case 'counter':
      return `${value(m, 'count')} ${value(m, 'rate')}/s`;
    case 'gauge':
      return `${value(m, 'value')} min=${value(m, 'min')} max=${value(m, 'max')}`;
    case 'rate':
      return `${((m.values.rate ?? 0) * 100).toFixed(2)}% ✓ ${m.values.passes ?? 0} ✗ ${m.values.fails ?? 0}`;
    default:
      return (
        trendStats
          .filter((s) => s in m.values)
          .map((s) => `${s}=${value(m, s)}`)
          .join(' ') || name
      );
  }
}

function groupLines(group: GroupData, indent: string, depth: number): string[] {
  const lines: string[] = [];
  const pad = `${indent}${'  '.repeat(depth)}`;
  for (const c of group.checks) {
    const mark = c.fails === 0 ? '✓' : '✗';
    lines.push(`${pad}${mark} ${c.name}`);
    if (c.fails > 0) {
      const rate = Math.floor((100 * c.passes) / (c.passes + c.fails));
      lines.push(`${pad}  ↳  ${rate}% — ✓ ${c.passes} / ✗ ${c.fails}`);
    }
  }
  for (const g of group.groups) {
    lines.push('', `${pad}█ ${g.name}`, '');
    lines.push(...groupLines(g, indent, depth + 1));
  }
  return lines;
}

export function textSummary(
  summary: SummaryData,
  options: { indent?: string; enableColors?: boolean } = {},
): string {
  const indent = options.indent ?? ' ';
  const trendStats = summary.options?.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const lines = groupLines(summary.root_group, indent, 1);
  if (lines.length > 0) lines.push('');
  const names = Object.keys(summary.metrics).sort();
  const width = Math.max(...names.map((n) => n.length), 10) + 3;
  for (const name of names) {
    const m = summary.metrics[name] as MetricData;
    const thresholds = Object.values(m.thresholds ?? {});
    const mark = thresholds.length === 0 ? ' ' : thresholds.every((t) => t.ok) ? '✓' : '✗';
    lines.push(`${indent}${mark} ${name.padEnd(width, '.')}: ${metricLine(name, m, trendStats)}`);
  }
  return `${lines.join('\n')}\n`;
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One test case per threshold, failed when the threshold failed (as the jslib's jUnit does). */
export function jUnit(summary: SummaryData, options: { name?: string; classname?: string } = {}): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, m] of Object.entries(summary.metrics)) {
    for (const [expression, t] of Object.entries(m.thresholds ?? {})) {
      const name = xml(`${metric} - ${expression}`);
      const classname = xml(options.classname ?? 'Unnamed folder');
      if (t.ok) cases.push(`<testcase name="${name}" classname="${classname}" />`);
      else {
        failures += 1;
        cases.push(
          `<testcase name="${name}" classname="${classname}"><failure message="failed" /></testcase>`,
        );
      }
    }
  }
  const name = xml(options.name ?? 'k6 thresholds');
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n<testsuite name="${name}" tests="${cases.length}" failures="${failures}">${cases.join('\n')}\n</testsuite>\n</testsuites>`;
}

export default { textSummary, jUnit };
