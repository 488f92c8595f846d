import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { FleetError } from '../../errors.js';
import { importArtilleryObject } from '../../load/importers/artillery.js';
import type { SeriesSecond } from '../../load/load-metrics.js';
import { loadPlanFromFile, type ScriptOptions } from '../../load/load-plan-file.js';
import { type LoadPlan, plannedDurationMs, withTarget } from '../../load/plan.js';
import { runPlan } from '../../load/run-plan.js';
import { parseSegment, segmentLabel } from '../../load/schedule/segments.js';
import { formatSummary } from '../../load/summary-format.js';
import { findProjectRoot } from '../../project.js';
import { DASHBOARD_OPTIONS, startDashboard } from '../dashboard-option.js';
import { loadDashboardSource } from '../load-dashboard.js';
import { bold, dim, line, red } from '../output.js';
import { loadUsage } from '../usages.js';
import { loadMergeCommand } from './load-merge.js';

/** k6 run -e KEY=VALUE: entries of __ENV. */
function envEntries(values: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of values ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0)
      throw new FleetError('FLEET_ERR_USAGE', `-e: got ${JSON.stringify(entry)}, expected KEY=VALUE`);
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

export async function loadCommand(argv: string[]): Promise<number> {
  // `load merge …`, unless a script is really called "merge".
  if (argv[0] === 'merge' && !existsSync('merge')) return loadMergeCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      scenario: { type: 'string' },
      env: { type: 'string', short: 'e', multiple: true },
      environment: { type: 'string' },
      config: { type: 'string' },
      overrides: { type: 'string' },
      segment: { type: 'string' },
      ...DASHBOARD_OPTIONS,
    },
    strict: true,
  });
  // -e is k6's KEY=VALUE or Artillery's environment name: told apart by the '='.
  const named = (values.env ?? []).filter((e) => !e.includes('='));
  if (named.length > 1)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `-e: got ${named.join(', ')}, expected one Artillery environment`,
    );
  const environment = values.environment ?? named[0];
  const segment = values.segment === undefined ? undefined : parseSegment(values.segment);
  const wholePlan = await planFrom(positionals[0], values.scenario, values.target, {
    env: envEntries((values.env ?? []).filter((e) => e.includes('='))),
    artillery: {
      ...(environment ? { environment } : {}),
      ...(values.config ? { configFile: values.config } : {}),
      ...(values.overrides ? { overrides: values.overrides } : {}),
    },
  });
  const plan = segment ? { ...wholePlan, segment } : wholePlan;
  const json = values.json === true;
  const totalMs = plannedDurationMs(plan);
  const series = values.out ? createWriteStream(values.out) : undefined;
  const tty = process.stdout.isTTY === true && !json;
  if (!json)
    line(
      `${bold('fleetproof load')} ${dim(`· ${plan.source} · ${plan.scenarios.map((s) => `${s.name}: ${s.executor.type}`).join(', ')} · ${(totalMs / 1000).toFixed(0)} s${segment ? ` · segment ${segmentLabel(segment)} (its share of VUs, iterations and arrivals)` : ''}`)}`,
    );

  if (!json && plan.script) line(dim(`  ${describeK6Runtime(plan.script.runtime)}`));

  const live = loadDashboardSource(plan);
  // --json is for machines: stdout is the summary alone, and a dashboard only when a port is asked for.
  const dashboard = await startDashboard(
    { ...values, 'no-dashboard': values['no-dashboard'] || (json && values['dashboard-port'] === undefined) },
    live.source,
    { print: !json },
  );
  if (json && dashboard) process.stderr.write(`dashboard ${dashboard.url}\n`);
  if (!json && live.fleet)
    line(
      dim(
        `  fleet       ${live.fleet.run.listenerUrl} (this project's \`fleetproof up\`: on the dashboard too)`,
      ),
    );

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  let lastPlain = 0;
  live.begin();
  const result = await runPlan(plan, {
    signal: controller.signal,
    onScriptError: (message) => !json && line(red(`  script error: ${message}`)),
    onStatus: (message) => !json && line(dim(`  ${message}`)),
    onSecond: (point: SeriesSecond) => {
      live.second(point);
      series?.write(`${JSON.stringify(segment ? { ...point, segment: segmentLabel(segment) } : point)}\n`);
      if (json) return;
      const text = progress(point, totalMs);
      if (tty) process.stdout.write(`\r\x1b[2K${text}`);
      else if (point.elapsedMs - lastPlain >= 5000) {
        lastPlain = point.elapsedMs;
        line(text);
      }
    },
  }).finally(async () => {
    process.off('SIGINT', stop);
    await live.end(dashboard);
  });
  if (tty) process.stdout.write('\r\x1b[2K');
  await new Promise((resolve) => (series ? series.end(resolve) : resolve(undefined)));

  const failed = result.thresholds.filter((t) => !t.passed);
  if (json)
    line(
      JSON.stringify(
        { summary: result.summary, thresholds: result.thresholds, aborted: result.aborted ?? null },
        null,
        2,
      ),
    );
  else if (result.summaryOutputs) writeSummaryOutputs(result.summaryOutputs);
  else
    line(
      `\n${formatSummary(result.summary, result.thresholds, result.aborted, result.k6Summary, result.artillery)}`,
    );
  if (failed.length > 0) {
    throw new FleetError(
      'FLEET_ERR_THRESHOLDS',
      `${failed.length} threshold(s) failed: ${failed.map((t) => `${t.metric} ${t.expression}`).join('; ')}`,
    );
  }
  return 0;
}

/** Which k6 runtime a script got, and why, so a user who needs the fast path can see what keeps it off. */
export function describeK6Runtime(runtime: NonNullable<LoadPlan['script']>['runtime']): string {
  if (runtime.kind === 'inline')
    return 'k6 VUs: inline (every call path to a blocking k6 call is known, so VUs share the load thread)';
  return `k6 VUs: a thread each (exact, costlier per request): ${runtime.reasons.length > 1 ? '\n    ' : ''}${runtime.reasons.join('\n    ')}`;
}

/** What a k6 script's handleSummary returned: stdout / stderr printed, every other key a file written. */
function writeSummaryOutputs(outputs: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(outputs)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (key === 'stdout') process.stdout.write(text);
    else if (key === 'stderr') process.stderr.write(text);
    else {
      writeFileSync(key, text);
      line(dim(`  handleSummary wrote ${key}`));
    }
  }
}

async function planFrom(
  file: string | undefined,
  scenario: string | undefined,
  target: string | undefined,
  options: ScriptOptions,
): Promise<LoadPlan> {
  if (file && scenario) throw new FleetError('FLEET_ERR_USAGE', 'give a script file or --scenario, not both');
  if (file) return loadPlanFromFile(file, target, options);
  if (!scenario)
    throw new FleetError('FLEET_ERR_USAGE', `a script file or --scenario NAME is required\n${loadUsage}`);
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const definition = config.scenarios[scenario];
  if (definition === undefined) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--scenario: got ${JSON.stringify(scenario)}, expected one of ${Object.keys(config.scenarios).join(', ') || '(none in fleetproof.config.ts)'}`,
    );
  }
  try {
    const plan = importArtilleryObject(`fleetproof.config.ts scenarios.${scenario}`, definition);
    return target ? withTarget(plan, target) : plan;
  } catch (error) {
    throw new FleetError('FLEET_ERR_LOAD_SCRIPT', (error as Error).message);
  }
}

function progress(p: SeriesSecond, totalMs: number): string {
  const errors =
    Object.entries(p.errors)
      .map(([k, n]) => `${k} ${n}`)
      .join(' ') || '0';
  return `${(p.elapsedMs / 1000).toFixed(0).padStart(4)}/${(totalMs / 1000).toFixed(0)} s  vus ${p.vus}  ${p.rps} req/s  errors ${errors}  p95 ${p.p95Ms} ms${p.dropped ? `  dropped ${p.dropped}` : ''}`;
}
