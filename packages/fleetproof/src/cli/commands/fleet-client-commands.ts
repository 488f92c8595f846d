import { parseArgs } from 'node:util';
import { control, currentRun } from '../../control/control-client.js';
import { FleetError } from '../../errors.js';
import type { GroupStatus } from '../../fleet/group-status.js';
import type { RefreshState } from '../../fleet/types.js';
import { findProjectRoot, stateDir } from '../../project.js';
import { bold, dim, green, line, red } from '../output.js';
import { statusTable } from '../status-format.js';

const run = () => currentRun(stateDir(findProjectRoot()));

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
  const info = run();
  const status = await control<{ listenerUrl: string; isolation: string; group: GroupStatus }>(
    info,
    'GET',
    '/status',
  );
  if (values.json) {
    line(JSON.stringify(status, null, 2));
    return 0;
  }
  line(`${bold('listener')} ${status.listenerUrl}   ${dim(status.isolation)}`);
  line(statusTable(status.group));
  return 0;
}

export async function scaleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { desired: { type: 'string' } }, strict: true });
  const desired = Number(values.desired);
  if (values.desired === undefined || !Number.isInteger(desired)) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--desired: got ${JSON.stringify(values.desired)}, expected a whole number`,
    );
  }
  const group = await control<GroupStatus>(run(), 'POST', '/scale', { desired });
  line(`desired capacity ${group.desired} (min ${group.min}, max ${group.max})`);
  return 0;
}

export async function deployCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { version: { type: 'string' } }, strict: true });
  if (!values.version || !/^[\w.-]{1,64}$/.test(values.version)) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--version: got ${JSON.stringify(values.version)}, expected letters, digits, dot, dash or underscore`,
    );
  }
  const info = run();
  const started = await control<RefreshState>(info, 'POST', '/deploy', { version: values.version });
  line(
    `${bold('instance refresh')} ${started.id} → ${values.version}: ${started.totalToReplace} instance(s) to replace`,
  );
  let since = started.startedAt - 1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const events = await control<{ t: number; reason: string; message: string }[]>(
      info,
      'GET',
      `/events?since=${since}`,
    );
    for (const event of events) {
      since = Math.max(since, event.t);
      const at = ((event.t - started.startedAt) / 1000).toFixed(1).padStart(6);
      line(`${dim(`${at}s`)} ${event.reason.padEnd(32)} ${event.message}`);
    }
    const { refresh } = await control<{ refresh: RefreshState }>(info, 'GET', `/deploy/${started.id}`);
    if (refresh.status === 'in-progress') continue;
    const took = ((Date.now() - started.startedAt) / 1000).toFixed(1);
    if (refresh.status === 'successful') {
      line(green(`deployed ${values.version}: refresh ${refresh.id} successful in ${took} s`));
      return 0;
    }
    line(
      red(
        `refresh ${refresh.id} ${refresh.status} after ${took} s (${refresh.failedLaunches} new instance(s) failed)`,
      ),
    );
    throw new FleetError('FLEET_ERR_DEPLOY_FAILED', `deploy of ${values.version} ${refresh.status}`);
  }
}

export async function downCommand(): Promise<number> {
  const info = run();
  await control(info, 'POST', '/down');
  line(`stopping the fleet (pid ${info.pid})…`);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      process.kill(info.pid, 0);
    } catch {
      line(green('stopped'));
      return 0;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new FleetError('FLEET_ERR_CONTROL', `fleet pid ${info.pid} still running after 120 s`);
}
