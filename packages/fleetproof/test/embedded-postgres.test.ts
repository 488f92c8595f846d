import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { isProcessAlive, waitForExit } from '../src/util/process-alive.js';

const stateRoot = join(import.meta.dirname, '..', '..', '..', '.fleetproof');
const madeDirs: string[] = [];
/** A fresh state directory (0700, as mkdtemp makes it) holding the cluster's data directory. */
function freshDataDir(label: string): string {
  const dir = mkdtempSync(join(stateRoot, `pg-${label}-`));
  madeDirs.push(dir);
  return join(dir, 'data');
}
afterAll(() => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one ?? 0;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('initialises, serves, stops, and restarts on the same data without initialising again', async () => {
    const dataDir = freshDataDir('lifecycle');
    const lines: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, port: 0, onProgress: (l) => lines.push(l) });
    expect(await selectOne(first.url)).toBe(1);
    const serverPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await first.stop();
    expect(isProcessAlive(serverPid)).toBe(false);
    expect(lines.filter((l) => l.startsWith('initialising'))).toHaveLength(1);

    const second = await startEmbeddedPostgres({ dataDir, port: 0, onProgress: (l) => lines.push(l) });
    expect(await selectOne(second.url)).toBe(1);
    await second.stop();
    expect(lines.filter((l) => l.startsWith('initialising'))).toHaveLength(1);
  });

  it('runs the server as a non-root user when started by root', async () => {
    if (process.getuid?.() !== 0) return;
    const dataDir = freshDataDir('user');
    const running = await startEmbeddedPostgres({ dataDir, port: 0 });
    try {
      const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      expect(uid).not.toBe(0);
    } finally {
      await running.stop();
    }
  });

  it('recovers the data directory from a fleetproof that was SIGKILLed with its server running', async () => {
    const dataDir = freshDataDir('orphan');
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'db', 'embedded-postgres.js'))};
      await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: 0 });
      console.log('up');
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => owner.stdout.once('data', () => resolve()));
    const orphanPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    owner.kill('SIGKILL');
    await waitForExit(owner.pid ?? 0, 5000);
    expect(isProcessAlive(orphanPid)).toBe(true);

    const running = await startEmbeddedPostgres({ dataDir, port: 0 });
    expect(isProcessAlive(orphanPid)).toBe(false);
    expect(await selectOne(running.url)).toBe(1);
    await running.stop();
  });

  it('refuses a data directory whose server belongs to a live fleetproof', async () => {
    const dataDir = freshDataDir('busy');
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'db', 'embedded-postgres.js'))};
      const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: 0 });
      process.on('SIGTERM', async () => { await pg.stop(); process.exit(0); });
      console.log('up');
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ownerOutput = '';
    owner.stderr.on('data', (c: Buffer) => {
      ownerOutput += c;
    });
    const ownerExit = new Promise((resolve) => owner.once('exit', (code, signal) => resolve(code ?? signal)));
    await new Promise<void>((resolve) =>
      owner.stdout.on('data', (c: Buffer) => String(c).includes('up') && resolve()),
    );
    try {
      await expect(startEmbeddedPostgres({ dataDir, port: 0 })).rejects.toMatchObject({
        code: 'FLEET_ERR_DB_IN_USE',
        message: expect.stringContaining(`in use by fleetproof pid ${owner.pid}`),
      });
    } finally {
      owner.kill('SIGTERM');
    }
    expect(await ownerExit, ownerOutput).toBe(0);
    const log = readFileSync(join(dataDir, '..', 'postgres.log'), 'utf8');
    expect(existsSync(join(dataDir, 'postmaster.pid')), log).toBe(false);
  });
});
