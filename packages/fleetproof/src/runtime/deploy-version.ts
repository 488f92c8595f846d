/**
 * A deploy: an instance refresh to a version. A release's migrations run first, once, on the shared database,
 * from the release's folder, while the running version keeps serving: what a migration at instance start does
 * on AWS, and the mixed-version window a backward-incompatible migration breaks.
 */
import type { FleetproofConfig } from '../config/schema.js';
import type { AutoScalingGroup, FleetEvent } from '../fleet/auto-scaling-group.js';
import type { RefreshPolicy, RefreshState, ReleaseSource } from '../fleet/types.js';
import type { DbConnection } from '../service/connection-env.js';
import { migrateOnce } from './fleet-database.js';

export interface DeployRequest {
  readonly version: string;
  readonly release?: ReleaseSource | undefined;
  /** The refresh's own preferences (StartInstanceRefresh's); else the config's rollout. */
  readonly policy?: RefreshPolicy | undefined;
}

export interface DeployContext {
  readonly root: string;
  readonly config: FleetproofConfig;
  readonly connection: DbConnection | undefined;
  readonly group: AutoScalingGroup;
  readonly now: () => number;
  readonly record: (event: FleetEvent) => void;
  readonly say: (line: string) => void;
}

export async function deployVersion(ctx: DeployContext, request: DeployRequest): Promise<RefreshState> {
  const { release, version } = request;
  ctx.group.assertNoRefresh();
  if (release && ctx.config.database?.migrateCommand) {
    const short = release.sha.slice(0, 7);
    const event = (reason: string, message: string) =>
      ctx.record({
        t: ctx.now(),
        source: 'release',
        reason,
        message,
        data: { release: release.sha, version },
      });
    event(
      'MigrationStarted',
      `${version} (release ${short}): migrating the shared database before its first launch`,
    );
    try {
      const last = await migrateOnce(ctx.root, ctx.config, ctx.connection, ctx.say, release.root);
      event('MigrationSucceeded', `${version} (release ${short}) migrated: ${last ?? 'done'}`);
    } catch (error) {
      event('MigrationFailed', `${version} (release ${short}): ${(error as Error).message}`);
      throw error;
    }
  }
  return ctx.group.startRefresh(version, release, request.policy);
}
