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

/** The URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
