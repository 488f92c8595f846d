/**
 * What a deploy experiment of a git ref needs before its fleet starts: the release (built once, cached) and,
 * when the service migrates, a scratch database, so the release's migration does not leave the project's own
 * database ahead of its working tree for the experiments after this one.
 */
import { createScratchDatabase } from '../db/scratch-database.js';
import { prepareRelease, type Release } from '../releases/release-store.js';
import type { Override, ProveContext } from './types.js';

export interface DeployTarget {
  release: Release | undefined;
  /** The context for the experiment's fleet (its database may be the scratch one). */
  context: ProveContext;
  overrides: Override[];
  cleanup(): Promise<void>;
}

export async function prepareDeployTarget(
  context: ProveContext,
  ref: string | undefined,
  version: string | undefined,
): Promise<DeployTarget> {
  const none = { release: undefined, context, overrides: [], cleanup: async () => {} };
  if (ref === undefined) return none;
  const release = await prepareRelease({
    root: context.root,
    ref,
    build: context.config.service.build,
    env: process.env,
    version,
    onLine: (line) => context.progress(`deploy: ${line}`),
  });
  if (!context.databaseUrl || !context.config.database?.migrateCommand) return { ...none, release };
  const scratch = await createScratchDatabase(context.databaseUrl, 'fleetproof_deploy');
  if ('refused' in scratch) {
    context.say(
      `deploy: no scratch database (${scratch.refused}); ${release.shortSha}'s migration runs on the project's database`,
    );
    return { ...none, release };
  }
  return {
    release,
    context: { ...context, databaseUrl: scratch.url },
    overrides: [
      {
        section: 'database',
        value: 'a scratch database on the same server',
        why: `${release.shortSha}'s migration must not leave the project's database ahead of its working tree`,
      },
    ],
    cleanup: () => scratch.drop(),
  };
}
