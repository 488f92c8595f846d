import type { FleetproofConfig } from '../config/schema.js';
import { databaseEnv, openProjectDatabase, type ProjectDatabase, redactUrl } from '../db/project-database.js';
import { FleetError } from '../errors.js';
import {
  connectionFromUrl,
  type DbConnection,
  fillTemplate,
  readDotEnv,
  serviceEnvironment,
  type TemplateScope,
} from '../service/connection-env.js';
import { runCommand } from '../service/run-command.js';

export interface FleetDatabase {
  readonly database: ProjectDatabase | undefined;
  readonly connection: DbConnection | undefined;
  stop(): Promise<void>;
}

/**
 * The fleet's database: `databaseUrl` when given (prove shares one), else the config's (embedded unless it
 * says otherwise); none at all when the config has no database section.
 */
export async function openFleetDatabase(
  root: string,
  config: FleetproofConfig,
  databaseUrl: string | undefined,
  say: (line: string) => void,
): Promise<FleetDatabase> {
  if (!config.database && !databaseUrl)
    return { database: undefined, connection: undefined, stop: async () => {} };
  const database: ProjectDatabase = databaseUrl
    ? { url: databaseUrl, stop: async () => {} }
    : await openProjectDatabase(root, databaseEnv(config.database ?? { mode: 'embedded' }), say);
  return { database, connection: connectionFromUrl(database.url), stop: () => database.stop() };
}

/** The environment the service's references are filled from: the process environment over .env. */
export function templateEnv(root: string): Record<string, string | undefined> {
  return { ...readDotEnv(root), ...process.env };
}

/**
 * Runs database.migrateCommand once, with the database as the service reads it (host's view), in `cwd`: the
 * project's folder, or a release's (whose migrations are that commit's). Returns its last output line.
 */
export async function migrateOnce(
  root: string,
  config: FleetproofConfig,
  connection: DbConnection | undefined,
  say: (line: string) => void,
  cwd = root,
): Promise<string | undefined> {
  const command = config.database?.migrateCommand;
  if (!command) return undefined;
  const scope: TemplateScope = { db: connection, env: templateEnv(root) };
  const argv = command.map((arg, i) => fillTemplate(arg, scope, `database.migrateCommand[${i}]`));
  const migration = await runCommand(argv, {
    cwd,
    env: { ...process.env, ...serviceEnvironment(config, scope) },
  });
  if (migration.code !== 0) {
    const where = connection ? ` (database ${redactUrl(connection.url)})` : '';
    throw new FleetError('FLEET_ERR_MIGRATE', `migrate failed${where}: ${migration.output}`);
  }
  const last = migration.output.split('\n').at(-1) || 'done';
  say(`migrate: ${last}`);
  return last;
}
