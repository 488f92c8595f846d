import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { control, currentRun } from '../../control/control-client.js';
import { FleetError } from '../../errors.js';
import type { GroupStatus } from '../../fleet/group-status.js';
import type { RefreshState } from '../../fleet/types.js';
import type { RunInfo } from '../../metrics/run-folder.js';
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

const VERSION = /^[\w.-]{1,64}$/;

/** --ref: the commit's release, checked out and built (or cached) before the fleet is asked to deploy it. */
async function releaseFor(ref: string, version: string | undefined, info: RunInfo) {
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const { prepareRelease, pruneReleases } = await import('../../releases/release-store.js');
  const release = await prepareRelease({
    root,
    ref,
    build: config.service.build,
    env: process.env,
    version,
    onLine: (text) => line(dim(`  ${text}`)),
  });
  const status = await control<{ group: GroupStatus }>(info, 'GET', '/status');
  const inUse = new Set([
    release.sha,
    ...status.group.instances.flatMap((i) => (i.release ? [i.release] : [])),
  ]);
  const pruned = await pruneReleases(root, inUse);
  if (pruned.length > 0)
    line(dim(`  pruned ${pruned.length} old release(s): ${pruned.map((s) => s.slice(0, 7)).join(', ')}`));
  return release;
}

export async function deployCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { version: { type: 'string' }, ref: { type: 'string' } },
    strict: true,
  });
  if (values.version !== undefined ? !VERSION.test(values.version) : values.ref === undefined) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--version: got ${JSON.stringify(values.version)}, expected letters, digits, dot, dash or underscore (or --ref <git-ref> to deploy a commit)`,
    );
  }
  const info = run();
  const release = values.ref === undefined ? undefined : await releaseFor(values.ref, values.version, info);
  const version = values.version ?? (release?.shortSha as string);
  const asked = Date.now();
  if (release)
    line(
      dim(
        `  deploying ${version} from release ${release.shortSha}: its migrations first, then the instance refresh`,
      ),
    );
  const started = await control<RefreshState>(info, 'POST', '/deploy', {
    version,
    ...(release ? { release: { sha: release.sha, root: release.root } } : {}),
  });
  line(
    `${bold('instance refresh')} ${started.id} → ${version}: ${started.totalToReplace} instance(s) to replace`,
  );
  let since = asked - 1;
  for (;;) {
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
    if (refresh.status === 'in-progress') {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    const took = ((Date.now() - started.startedAt) / 1000).toFixed(1);
    if (refresh.status === 'successful') {
      line(green(`deployed ${version}: refresh ${refresh.id} successful in ${took} s`));
      return 0;
    }
    line(
      red(
        `refresh ${refresh.id} ${refresh.status} after ${took} s (${refresh.failedLaunches} new instance(s) failed)`,
      ),
    );
    throw new FleetError('FLEET_ERR_DEPLOY_FAILED', `deploy of ${version} ${refresh.status}`);
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
