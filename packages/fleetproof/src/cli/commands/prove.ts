import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { FleetError } from '../../errors.js';
import { findProjectRoot } from '../../project.js';
import { EXPERIMENTS, isExperimentId, runProve } from '../../prove/prove-run.js';
import { formatSeconds } from '../../prove/time-mapping.js';
import type { ExperimentId } from '../../prove/types.js';
import { verdictTable } from '../../prove/verdict-table.js';
import { bold, dim, green, line, red } from '../output.js';

export const proveUsage = `fleetproof prove [--quick] [--only E1,E3]
  Runs the field reports' experiments on the local fleet (E1 single vs fleet, E2 blocking handler, E3 zero-downtime
  deploy, E4 scale out and in, E5 nothing lost), prints verdicts, writes an HTML report; exit 10 if a verdict fails.`;

export async function proveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, only: { type: 'string' } },
    strict: true,
  });
  const only = parseOnly(values.only);
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const quick = values.quick === true;
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  const clear = () => tty && process.stdout.write('\r\x1b[2K');
  line(`${bold('fleetproof prove')} ${dim(`· ${root} · ${only.join(' ')}${quick ? ' · quick' : ''}`)}`);
  const outcome = await runProve({
    root,
    config,
    quick,
    only,
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
    onResult: (result) => {
      clear();
      line(
        `  ${result.id} ${result.title}: ${result.passed ? green('pass') : red('fail')} in ${formatSeconds(result.durationMs / 1000)}`,
      );
    },
  });
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

function parseOnly(value: string | undefined): ExperimentId[] {
  const all = Object.keys(EXPERIMENTS) as ExperimentId[];
  if (value === undefined) return all;
  const ids = value.split(',').map((s) => s.trim().toUpperCase());
  const wrong = ids.filter((id) => !isExperimentId(id));
  if (wrong.length > 0 || ids.length === 0)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--only: got ${JSON.stringify(value)}, expected a comma-separated list of ${all.join(', ')}`,
    );
  return all.filter((id) => ids.includes(id));
}
