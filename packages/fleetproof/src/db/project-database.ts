import { join } from 'node:path';
import { stateDir } from '../project.js';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.js';

export interface ProjectDatabase {
  readonly url: string;
  /** Set when fleetproof started the database itself. */
  readonly embedded?: RunningPostgres;
  stop(): Promise<void>;
}

/** DATABASE_URL when set (a database the user runs), otherwise the project's embedded PostgreSQL. */
export async function openProjectDatabase(
  root: string,
  env: NodeJS.ProcessEnv,
  onProgress: (line: string) => void,
): Promise<ProjectDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({ dataDir: join(stateDir(root), 'pg', 'data'), onProgress });
  return { url: embedded.url, embedded, stop: () => embedded.stop() };
}

/**
 * The environment openProjectDatabase should see for a config: `mode: 'url'` uses its url (or $DATABASE_URL);
 * `embedded` still yields to a $DATABASE_URL the user set, as `npm start` does.
 */
export function databaseEnv(database: {
  mode: 'embedded' | 'url';
  url?: string | undefined;
}): NodeJS.ProcessEnv {
  return { DATABASE_URL: (database.mode === 'url' ? database.url : undefined) ?? process.env.DATABASE_URL };
}

/** The URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
