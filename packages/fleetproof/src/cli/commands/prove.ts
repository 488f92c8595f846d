import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { type ProveProgress, proveSource } from '../../dashboard/prove-source.js';
import { FleetError } from '../../errors.js';
import { findProjectRoot } from '../../project.js';
import { EXPERIMENTS, plannedExperiments, proofOf, runProve } from '../../prove/prove-run.js';
import { formatSeconds } from '../../prove/time-mapping.js';
import { EXPERIMENT_NAMES, type ExperimentId } from '../../prove/types.js';
import { verdictTable } from '../../prove/verdict-table.js';
import { DASHBOARD_OPTIONS, startDashboard } from '../dashboard-option.js';
import { bold, dim, green, line, red } from '../output.js';

export async function proveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      list: { type: 'boolean' },
      ...DASHBOARD_OPTIONS,
    },
    strict: true,
  });
  const only = parseOnly(values.only);
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const planned = plannedExperiments(proofOf(config));
  if (values.list) {
    for (const p of planned) {
      const entry = EXPERIMENTS[p.id];
      line(
        `${p.settings ? green('on ') : dim('off')}  ${bold(p.id.padEnd(9))} ${entry.summary}${p.off ? dim(` (${p.off})`) : ''}`,
      );
    }
    return 0;
  }
  const names = (only ?? planned.filter((p) => p.settings).map((p) => p.id)).join(' ');
  const quick = values.quick === true;
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  const clear = () => tty && process.stdout.write('\r\x1b[2K');
  line(`${bold('fleetproof prove')} ${dim(`· ${root} · ${names}${quick ? ' · quick' : ''}`)}`);
  const live: ProveProgress = { current: undefined, results: [] };
  const dashboard = await startDashboard(
    values,
    proveSource(`fleetproof prove · ${config.service.name}`, live),
  );
  const outcome = await runProve({
    root,
    config,
    quick,
    ...(only ? { only } : {}),
    // On a terminal one line is rewritten in place; in a log, a line every 5 s is enough to show it is alive.
    progress: (text) => {
      if (tty) process.stdout.write(`\r\x1b[2K  ${text.slice(0, (process.stdout.columns ?? 120) - 3)}`);
      else if (Date.now() - lastPlain >= 5000) {
        lastPlain = Date.now();
        line(`  ${text}`);
      }
    },
    say: (text) => {
      clear();
      line(`  ${text}`);
    },
    onRun: (run) => {
      live.current = run;
    },
    onResult: (result) => {
      live.results.push(result);
      clear();
      line(
        `  ${result.id} ${result.title}: ${result.passed ? green('pass') : red('fail')} in ${formatSeconds(result.durationMs / 1000)}`,
      );
    },
  }).finally(() => dashboard?.stop());
  clear();
  line('');
  line(verdictTable(outcome.results, { green, red, bold }));
  line('');
  line(`report  ${outcome.reportPath}`);
  line(dim(`data    ${outcome.jsonPath} · took ${formatSeconds(outcome.durationMs / 1000)}`));
  const failed = outcome.results.filter((r) => !r.passed);
  if (failed.length > 0)
    throw new FleetError(
      'FLEET_ERR_VERDICT',
      `${failed.map((r) => r.id).join(', ')} failed: see the report for what was measured`,
    );
  return 0;
}

function parseOnly(value: string | undefined): ExperimentId[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => s.trim().toLowerCase());
  const wrong = ids.filter((id) => !(EXPERIMENT_NAMES as readonly string[]).includes(id));
  if (wrong.length > 0 || ids.length === 0)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--only: got ${JSON.stringify(value)}, expected a comma-separated list of ${EXPERIMENT_NAMES.join(', ')}`,
    );
  return EXPERIMENT_NAMES.filter((id) => ids.includes(id));
}
