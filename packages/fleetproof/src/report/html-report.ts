import { cpus } from 'node:os';
import type { FleetproofConfig } from '../config/schema.js';
import { formatSeconds } from '../prove/time-mapping.js';
import type { ExperimentResult, RunRecording } from '../prove/types.js';
import { chartScript } from './chart-client.js';
import { chartLibrary } from './chart-library.js';
import { type ChartSpec, runCharts } from './chart-specs.js';
import { faultSpans } from './fault-spans.js';

export interface ReportInput {
  startedAt: number;
  durationMs: number;
  quick: boolean;
  config: FleetproofConfig;
  results: ExperimentResult[];
}

const MAX_EVENTS_PER_RUN = 300;

/**
 * One self-contained HTML file: styles, data, the chart library and the drawing code are all inline, so it
 * opens from disk, is mailed as an attachment, and never reaches the network.
 */
export function renderReport(input: ReportInput): string {
  const charts: ChartSpec[] = [];
  const sections = input.results.map((result) => experimentSection(result, input.config, charts));
  const passed = input.results.every((r) => r.passed);
  const library = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fleetproof prove · ${passed ? 'PASS' : 'FAIL'} · ${esc(new Date(input.startedAt).toISOString())}</title>
<style>${library.css}
${STYLE}</style>
</head>
<body>
<header>
  <h1>fleetproof prove <span class="badge ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}</span></h1>
  <p class="meta">${esc(new Date(input.startedAt).toISOString())} · ${formatSeconds(input.durationMs / 1000)} · ${cpus().length} CPU cores · Node ${esc(process.version)} · ${input.quick ? 'quick loads (--quick)' : 'full loads'} · service <code>${esc(input.config.service.command.join(' '))}</code></p>
  <p>Your service, measured on a local copy of the AWS high-availability tier: a load balancer with ALB semantics, an auto scaling group with target tracking and instance refresh, real service processes (and PostgreSQL when it has a database). Each experiment drives the config's load, judges by its service level and says which config sections it changed and why. Durations run on the <em>fast</em> timing profile; each experiment says what its durations mean with AWS's defaults.</p>
</header>
<main>
${summaryTable(input.results)}
${sections.join('\n')}
</main>
<script type="application/json" id="chart-data">${jsonForScript(charts)}</script>
<script>${library.script}</script>
<script>
${chartScript()}
chartBoard(uPlot).render(JSON.parse(document.getElementById('chart-data').textContent));
</script>
</body>
</html>
`;
}

function summaryTable(results: readonly ExperimentResult[]): string {
  const rows = results
    .map(
      (r) =>
        `<tr><td><a href="#${r.id}">${r.id}</a></td><td>${esc(r.title)}</td><td>${badge(r.passed)}</td><td>${r.checks
          .map((c) => `${c.passed ? '✓' : '✗'} ${esc(c.label)}: <b>${esc(c.measured)}</b>`)
          .join('<br>')}</td></tr>`,
    )
    .join('\n');
  return `<section><h2>Verdicts</h2><table class="summary"><thead><tr><th></th><th>experiment</th><th>verdict</th><th>what was measured</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function experimentSection(result: ExperimentResult, config: FleetproofConfig, charts: ChartSpec[]): string {
  const figures = `<table><thead><tr><th></th>${result.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${result.rows
    .map(
      (row) => `<tr><td>${esc(row.label)}</td>${row.values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  const mapped =
    result.mapped.length === 0
      ? ''
      : `<h3>Time mapping: here and with AWS defaults</h3><ul class="mapped">${result.mapped
          .map(
            (m) =>
              `<li><b>${esc(m.label)}</b>: ${formatSeconds(m.measuredMs / 1000)} here; with AWS defaults the same decisions take about <b>${formatSeconds(m.awsMs / 1000)}</b>.<br><span class="why">${esc(m.explanation)}</span></li>`,
          )
          .join('')}</ul>`;
  const runs = result.runs
    .map((run, i) => runBlock(run, `${result.id.toLowerCase()}-run${i}`, config, charts))
    .join('\n');
  return `<section id="${result.id}">
<h2>${result.id} · ${esc(result.title)} ${badge(result.passed)}</h2>
<p class="origin">${esc(result.origin)}</p>
<p class="setup-line"><b>Load</b>: ${esc(result.load)} · <b>service level</b>: p99 ≤ ${result.serviceLevel.p99Ms} ms, failed ≤ ${(result.serviceLevel.maxErrorRate * 100).toFixed(1)}%</p>
${overridesList(result)}
<ul class="checks">${result.checks.map((c) => `<li class="${c.passed ? 'ok' : 'bad'}">${c.passed ? '✓' : '✗'} ${esc(c.label)}: <b>${esc(c.measured)}</b></li>`).join('')}</ul>
${figures}
${result.explanation.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${mapped}
${runs}
</section>`;
}

/** Which config sections the experiment changed for its fleets, and why. */
function overridesList(result: ExperimentResult): string {
  if (result.overrides.length === 0) return '';
  return `<p class="setup-line"><b>Overrides</b>: ${result.overrides
    .map((o) => `<code>${esc(o.section)}</code> = ${esc(o.value)} <span class="why">(${esc(o.why)})</span>`)
    .join('; ')}</p>`;
}

function runBlock(
  run: RunRecording,
  idPrefix: string,
  config: FleetproofConfig,
  charts: ChartSpec[],
): string {
  const specs = runCharts(run, idPrefix, config.scaling.targetCpuPercent);
  charts.push(...specs);
  const events = run.events.slice(0, MAX_EVENTS_PER_RUN);
  const more = run.events.length - events.length;
  const faults = faultSpans(run.events, run.durationMs);
  const faultLine = faults.length
    ? `<p class="faults">Faults (shaded on the charts): ${faults.map((f) => `<span class="fault">${esc(f.label)}</span> ${(f.from).toFixed(1)}–${f.to.toFixed(1)} s`).join(' · ')}</p>`
    : '';
  return `<div class="run">
<h3>${esc(run.label)} <span class="setup">${esc(run.setup)} · ${formatSeconds(run.durationMs / 1000)}</span></h3>
${faultLine}<div class="charts">${specs.map((s) => `<div class="chart" id="${s.id}"></div>`).join('')}</div>
<details><summary>Events (${run.events.length}) with their reasons · run folder <code>${esc(run.runDir)}</code></summary>
<table class="events"><thead><tr><th>t</th><th>reason</th><th>what happened</th></tr></thead><tbody>${events
    .map(
      (e) =>
        `<tr${e.reason.startsWith('Fault') ? ' class="fault"' : ''}><td>${(e.t / 1000).toFixed(1)} s</td><td><code>${esc(e.reason)}</code></td><td>${esc(e.message)}</td></tr>`,
    )
    .join('')}</tbody></table>${more > 0 ? `<p>… and ${more} more in the run folder.</p>` : ''}</details>
</div>`;
}

const badge = (passed: boolean) =>
  `<span class="badge ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}</span>`;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const STYLE = `
.setup-line { color: #374151; } .why { color: #6b7280; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { margin-bottom: 4px; } h2 { margin-top: 40px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.meta { color: #6b7280; margin-top: 0; }
.badge { font-size: 13px; padding: 2px 8px; border-radius: 4px; color: white; vertical-align: middle; }
.badge.pass { background: #16a34a; } .badge.fail { background: #dc2626; }
table { border-collapse: collapse; margin: 12px 0; background: white; }
th, td { border: 1px solid #e5e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
.origin { color: #374151; font-style: italic; border-left: 3px solid #9ca3af; padding-left: 10px; }
.checks { list-style: none; padding-left: 0; } .checks .bad { color: #b91c1c; }
.mapped .why { color: #6b7280; font-size: 13px; }
.run { background: white; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 16px; margin: 16px 0; }
.setup { font-weight: normal; color: #6b7280; font-size: 14px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 8px; }
.chart { min-height: 260px; }
.fault { background: rgba(220, 38, 38, 0.14); color: #991b1b; }
.events td:first-child { white-space: nowrap; text-align: right; }
code { font-size: 13px; }
`;
