import { formatSeconds } from './time-mapping.js';
import type { ExperimentResult } from './types.js';

/** The terminal's verdict table: one block per experiment, its checks with what was measured. */
export function verdictTable(
  results: readonly ExperimentResult[],
  paint: { green: (s: string) => string; red: (s: string) => string; bold: (s: string) => string },
): string {
  const lines: string[] = [];
  for (const r of results) {
    const verdict = r.passed ? paint.green('PASS') : paint.red('FAIL');
    lines.push(`${verdict}  ${paint.bold(`${r.id} ${r.title}`)}  (${formatSeconds(r.durationMs / 1000)})`);
    for (const check of r.checks) {
      lines.push(`      ${check.passed ? '✓' : paint.red('✗')} ${check.label}: ${check.measured}`);
    }
    if (r.overrides.length > 0)
      lines.push(
        `      overrides: ${r.overrides.map((o) => `${o.section} = ${o.value}`).join('; ')} (why: see the report)`,
      );
    lines.push(...figureLines(r));
    for (const m of r.mapped) {
      lines.push(
        `      ⏱ ${m.label}: ${formatSeconds(m.measuredMs / 1000)} here ≈ ${formatSeconds(m.awsMs / 1000)} with AWS defaults`,
      );
    }
  }
  return lines.join('\n');
}

/** The experiment's figures (e.g. E1: requests, timeouts, failed users, p99), columns aligned. */
function figureLines(r: ExperimentResult): string[] {
  const table = [['', ...r.columns], ...r.rows.map((row) => [row.label, ...row.values])];
  const widths = (table[0] ?? []).map((_, i) => Math.max(...table.map((cells) => (cells[i] ?? '').length)));
  return table.map((cells) =>
    `      ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd(),
  );
}
