import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;

export interface Database {
  readonly db: Db;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export function openDatabase(url: string, poolMax: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    // Fail fast instead of queueing forever when the database is unreachable; /health reports it.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's connection dying (database restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  let closed: Promise<void> | undefined;
  return {
    db: drizzle(pool, { schema }),
    pool,
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}
