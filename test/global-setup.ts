import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../packages/fleetproof/src/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test cluster's `postgres` database; tests create their own databases from it. */
    pgAdminUrl: string;
  }
}

export const TEST_DATABASE_PREFIX = 'fpt_';

export default async function setup(project: TestProject) {
  const root = join(import.meta.dirname, '..');
  // Its own cluster and any free port, apart from the one `npm start` uses, so both can run at once.
  const postgres = await startEmbeddedPostgres({
    dataDir: join(root, '.fleetproof', 'test-pg', 'data'),
    port: 0,
  });
  const adminUrl = await postgres.ensureDatabase('postgres');
  await dropLeftoverDatabases(adminUrl);
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    await postgres.stop();
  };
}

/** Test databases of an interrupted earlier run would otherwise pile up in the persistent cluster. */
async function dropLeftoverDatabases(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DATABASE_PREFIX}%'`,
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
