import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase, queryOnce } from '../../../test/databases.js';
import { migrateDatabase } from '../src/db/migrate-database.js';
import { DEMO_USERS } from '../src/db/seed-demo-users.js';
import { API_DIST } from './api-harness.js';

const schemaSnapshot = (url: string) =>
  queryOnce<{ table_name: string; column_name: string; data_type: string }>(
    url,
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );

function runMigrateProcess(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(API_DIST, 'migrate.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c;
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('migrations', () => {
  it('apply once and are idempotent: a second run applies nothing and changes nothing', async () => {
    const url = await createEmptyDatabase();
    const first = await migrateDatabase(url, { seed: true });
    expect(first.applied).toBeGreaterThanOrEqual(1);
    expect(first.seededUsers).toBe(DEMO_USERS.length);
    const schema = await schemaSnapshot(url);
    expect(schema.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([
      'logs.created_at',
      'logs.id',
      'logs.updated_at',
      'users.created_at',
      'users.email',
      'users.id',
      'users.password_hash',
    ]);

    const second = await migrateDatabase(url, { seed: true });
    expect(second).toMatchObject({ applied: 0, seededUsers: 0 });
    expect(await schemaSnapshot(url)).toEqual(schema);
    expect(await queryOnce(url, 'SELECT email FROM users')).toHaveLength(DEMO_USERS.length);
  });

  it('are safe when two migrate processes start at once: one applies, the other waits and finds nothing', async () => {
    const url = await createEmptyDatabase();
    const runs = await Promise.all([runMigrateProcess(url), runMigrateProcess(url), runMigrateProcess(url)]);
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const appliedCounts = runs.map((r) => Number(/migrations: (\d+) applied/.exec(r.output)?.[1]));
    expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
    expect(appliedCounts.filter((n) => n === 0)).toHaveLength(2);
    const journal = await queryOnce<{ n: string }>(
      url,
      'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
    );
    expect(Number(journal[0]?.n)).toBe(Math.max(...appliedCounts));
    expect(await queryOnce(url, 'SELECT email FROM users')).toHaveLength(DEMO_USERS.length);
  });

  it('seed nothing when seeding is off', async () => {
    const url = await createEmptyDatabase();
    expect((await migrateDatabase(url, { seed: false })).seededUsers).toBe(0);
    expect(await queryOnce(url, 'SELECT email FROM users')).toHaveLength(0);
  });
});
