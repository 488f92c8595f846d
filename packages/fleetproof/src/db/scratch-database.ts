import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the server `url` points at, for an experiment that changes the schema (a release's
 * migration) and must not leave the project's own database migrated ahead of its working tree. Needs the
 * right to create databases: `{ refused }`, with the server's reason, when the user's role lacks it.
 */
export async function createScratchDatabase(
  url: string,
  prefix: string,
): Promise<ScratchDatabase | { refused: string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  try {
    await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  } catch (error) {
    return { refused: (error as Error).message };
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(
        () => {},
      ),
  };
}
