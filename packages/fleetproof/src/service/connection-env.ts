import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetproofConfig } from '../config/schema.js';
import { FleetError } from '../errors.js';

/** A PostgreSQL connection in the pieces services read it as. */
export interface DbConnection {
  readonly url: string;
  readonly host: string;
  readonly port: string;
  readonly user: string;
  readonly password: string;
  readonly name: string;
}

export function connectionFromUrl(url: string): DbConnection {
  const parsed = new URL(url);
  return {
    url,
    host: parsed.hostname,
    port: parsed.port || '5432',
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    name: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
  };
}

/** The same database as seen from another address (an instance's network namespace reaches it through a relay). */
export function connectionAt(connection: DbConnection, host: string, port: number): DbConnection {
  const url = new URL(connection.url);
  url.hostname = host;
  url.port = String(port);
  return { ...connection, url: url.toString(), host, port: String(port) };
}

/**
 * `KEY=value` lines of a project's .env (comments, `export `, single or double quotes), for `{{ env.NAME }}`.
 * The process environment wins over the file, as dotenv does.
 */
export function readDotEnv(root: string): Record<string, string> {
  const path = join(root, '.env');
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!match) continue;
    let value = match[2] ?? '';
    const quoted = /^(['"])(.*?)\1(\s+#.*)?$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    values[match[1] as string] = value;
  }
  return values;
}

export interface TemplateScope {
  readonly db: DbConnection | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const TEMPLATE = /\{\{\s*([a-zA-Z]+)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const DB_PIECES = ['url', 'host', 'port', 'user', 'password', 'name'] as const;

/**
 * Fills `{{ db.host }}`-style references (the database's pieces, which change with where it runs) and
 * `{{ env.NAME }}` (secrets from the environment or .env, never written in the config). An unknown or unset
 * reference is an error naming where it was: a service started with an empty password fails far less clearly.
 */
export function fillTemplate(value: string, scope: TemplateScope, where: string): string {
  return value.replace(TEMPLATE, (whole, kind: string, key: string) => {
    if (kind === 'env') {
      const found = scope.env[key];
      if (found === undefined)
        throw new FleetError('FLEET_ERR_CONFIG', `${where}: ${whole} is not set in the environment or .env`);
      return found;
    }
    if (kind === 'db') {
      if (!(DB_PIECES as readonly string[]).includes(key))
        throw new FleetError(
          'FLEET_ERR_CONFIG',
          `${where}: got ${whole}, expected one of ${DB_PIECES.map((p) => `{{ db.${p} }}`).join(', ')}`,
        );
      if (!scope.db)
        throw new FleetError('FLEET_ERR_CONFIG', `${where}: ${whole} needs a database section in the config`);
      return scope.db[key as (typeof DB_PIECES)[number]];
    }
    throw new FleetError('FLEET_ERR_CONFIG', `${where}: got ${whole}, expected {{ db.* }} or {{ env.* }}`);
  });
}

/**
 * What a service process gets besides PORT/HOST: service.env with its references filled, and the database
 * under the variable names the config gives (DATABASE_URL unless told otherwise, plus any pieces).
 */
export function serviceEnvironment(config: FleetproofConfig, scope: TemplateScope): Record<string, string> {
  const env: Record<string, string> = {};
  const db = scope.db;
  if (db && config.database) {
    const names = config.database.env;
    env[names.url] = db.url;
    for (const piece of ['host', 'port', 'user', 'password', 'name'] as const) {
      const name = names[piece];
      if (name) env[name] = db[piece];
    }
  }
  for (const [key, value] of Object.entries(config.service.env)) {
    env[key] = fillTemplate(value, scope, `service.env.${key}`);
  }
  return env;
}
