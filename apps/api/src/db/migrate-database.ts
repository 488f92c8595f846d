import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { seedDemoUsers } from './seed-demo-users.js';

// Any constant works as long as every migrator uses the same one; this is "fleetprf" in ASCII.
export const MIGRATION_LOCK_KEY = 0x666c656574707266n;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface MigrationResult {
  applied: number;
  seededUsers: number;
  waitedForLockMs: number;
}

/**
 * Applies the SQL migrations in drizzle/ and, if asked, seeds the demo users. A session-level advisory lock
 * serialises concurrent callers (several instances starting at once): the second waits, then finds nothing
 * left to apply.
 */
export async function migrateDatabase(url: string, options: { seed: boolean }): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lockStart = performance.now();
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const waitedForLockMs = Math.round(performance.now() - lockStart);
    try {
      const db = drizzle(client);
      const before = await countApplied(client);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const applied = (await countApplied(client)) - before;
      const seededUsers = options.seed ? await seedDemoUsers(db) : 0;
      return { applied, seededUsers, waitedForLockMs };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await client.end();
  }
}

async function countApplied(client: pg.Client): Promise<number> {
  // The table does not exist before the first migration, and a query naming it would fail even unexecuted.
  const exists = await client.query("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS yes");
  if (!exists.rows[0]?.yes) return 0;
  const result = await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return Number(result.rows[0]?.n ?? 0);
}
