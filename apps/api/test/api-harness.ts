import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createEmptyDatabase } from '../../../test/databases.js';
import { loadSettings } from '../src/config/settings.js';
import { migrateDatabase } from '../src/db/migrate-database.js';
import { type RunningServer, startServer } from '../src/server.js';

export const API_DIST = join(import.meta.dirname, '..', 'dist');

/** A fresh database with the migrations applied and the demo users seeded. */
export async function migratedDatabase(): Promise<string> {
  const url = await createEmptyDatabase();
  await migrateDatabase(url, { seed: true });
  return url;
}

export interface InProcessApi {
  readonly url: string;
  readonly running: RunningServer;
  stop(): Promise<void>;
}

/** The real server (same code path as main.ts) listening on a free loopback port in this process. */
export async function startApi(databaseUrl: string, env: Record<string, string> = {}): Promise<InProcessApi> {
  const settings = loadSettings({
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  });
  const running = await startServer(settings, () => {});
  return {
    url: running.url,
    running,
    stop: async () => {
      await running.shutdown();
    },
  };
}

export interface SpawnedApi {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** The built server as its own process (`node dist/main.js`), as a fleet or Docker runs it. */
export async function spawnApi(env: Record<string, string>, port: number): Promise<SpawnedApi> {
  const child = spawn(process.execPath, [join(API_DIST, 'main.js')], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, url, exit, output: () => output };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`api did not become healthy:\n${output}`);
}
