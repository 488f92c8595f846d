import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../../packages/fleetproof/src/util/free-port.js';
import { queryOnce } from '../../../test/databases.js';
import { migratedDatabase, type SpawnedApi, spawnApi } from './api-harness.js';

let api: SpawnedApi | undefined;
afterEach(() => {
  api?.child.kill('SIGKILL');
  api = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the connect error code, or 'connected' if a TCP connection succeeded. */
async function tryConnect(url: string): Promise<string> {
  return fetch(`${url}/health/live`).then(
    () => 'connected',
    (error: { cause?: { code?: string } }) => error.cause?.code ?? 'error',
  );
}

describe('graceful shutdown on SIGTERM (the built server as a process)', () => {
  it('fails readiness at once, refuses new connections after the delay, finishes the slow request, exits 0', async () => {
    const databaseUrl = await migratedDatabase();
    // ~20k pbkdf2 rounds in the thread pool: a POST that takes well over a second.
    api = await spawnApi(
      {
        DATABASE_URL: databaseUrl,
        CPU_ITERATIONS: '20000',
        SHUTDOWN_DELAY_MS: '400',
        SHUTDOWN_TIMEOUT_MS: '20000',
      },
      await findFreePort(),
    );
    const slowStarted = Date.now();
    const slow = fetch(`${api.url}/`, { method: 'POST' }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { id: number },
      tookMs: Date.now() - slowStarted,
    }));
    await sleep(150);
    api.child.kill('SIGTERM');
    await sleep(50);

    // Within the delay: still accepting connections, but readiness is 503 so a balancer stops sending.
    const readiness = await fetch(`${api.url}/health`);
    expect(readiness.status).toBe(503);
    expect(readiness.headers.get('connection')).toBe('close');

    await sleep(600);
    expect(await tryConnect(api.url)).toBe('ECONNREFUSED');

    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.tookMs).toBeGreaterThan(600);
    const { code } = await api.exit;
    expect(code, api.output()).toBe(0);
    expect(
      await queryOnce(databaseUrl, 'SELECT id FROM logs WHERE id = $1', [finished.body.id]),
    ).toHaveLength(1);
    expect(api.output()).toContain('shutdown complete');
  });

  it('exits 1 and says so when a request outlives SHUTDOWN_TIMEOUT_MS', async () => {
    api = await spawnApi(
      {
        DATABASE_URL: await migratedDatabase(),
        CPU_ITERATIONS: '100000',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '300',
      },
      await findFreePort(),
    );
    const slow = fetch(`${api.url}/`, { method: 'POST' }).then(
      (r) => r.status,
      () => 'cut',
    );
    await sleep(150);
    api.child.kill('SIGTERM');
    const { code } = await api.exit;
    expect(code).toBe(1);
    expect(await slow).toBe('cut');
    expect(api.output()).toContain('1 request(s) cut');
  });
});
