import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../../../test/databases.js';
import { validateConfig } from '../src/config/validate.js';
import { type Fleet, startFleet, waitForHealthy } from '../src/runtime/fleet-runtime.js';
import { runCommand } from '../src/service/run-command.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const NOTES = join(REPO, 'test', 'fixtures', 'notes-node');

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

/**
 * The notes fixture as a fleet of two: it calls listen(PORT) on all interfaces. In namespaces it is told only
 * the database's user, password and name, so it looks for PostgreSQL on localhost:5432, as many services do;
 * with ports (no namespace, so no localhost:5432) it is given the host and port as well.
 */
async function notesFleet(network: 'auto' | 'ports') {
  const databaseUrl = await createEmptyDatabase();
  const db = new URL(databaseUrl);
  const pieces = {
    NOTES_DB_HOST: db.hostname,
    NOTES_DB_PORT: db.port,
    NOTES_DB_USER: db.username,
    NOTES_DB_PASSWORD: db.password,
    NOTES_DB_NAME: db.pathname.slice(1),
  };
  const migrated = await runCommand(['node', 'migrate.js'], {
    cwd: NOTES,
    env: { ...process.env, ...pieces },
  });
  expect(migrated.code, migrated.output).toBe(0);
  const config = validateConfig({
    service: { name: 'notes', command: ['node', 'server.js'], port: 3000, version: 'v1' },
    database: {
      mode: 'url',
      url: databaseUrl,
      // In a namespace the service is not told where the database is: it finds it at localhost:5432.
      env: {
        user: 'NOTES_DB_USER',
        password: 'NOTES_DB_PASSWORD',
        name: 'NOTES_DB_NAME',
        ...(network === 'ports' ? { host: 'NOTES_DB_HOST', port: 'NOTES_DB_PORT' } : {}),
      },
    },
    instance: { cpus: 1, memoryMiB: 256, network },
    healthCheck: { path: '/healthz', healthyThreshold: 2 },
    scaling: { min: 2, max: 2, enabled: false },
  });
  fleet = await startFleet({ root: NOTES, config, databaseUrl, balancerPort: 0 });
  await waitForHealthy(fleet, 2, 30_000);
  return fleet;
}

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)(
  'instances with a network identity of their own',
  () => {
    it('namespaces: two copies of a service that listens on all interfaces share its port; the database is at localhost:5432 inside', async () => {
      const f = await notesFleet('auto');
      expect(f.isolation).toContain('a network namespace per instance');
      const addresses = f.group.status().instances.map((i) => i.address);
      expect(addresses).toHaveLength(2);
      expect(new Set(addresses).size).toBe(2);
      expect(addresses.every((a) => a.endsWith(':3000') && a.startsWith('198.1'))).toBe(true);
      // Writes go through both instances, each reaching the database through its namespace's relay.
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${f.listenerUrl}/notes`, {
          method: 'POST',
          body: JSON.stringify({ text: `n${i}` }),
        });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: number }).id);
      }
      const served = f.balancer.group.all().map((t) => t.completedTotal);
      expect(served.every((n) => n > 0)).toBe(true);
      const back = await fetch(`${f.listenerUrl}/notes/${ids[0]}`);
      expect(back.status).toBe(200);
    }, 60_000);

    it('ports: without namespaces each instance gets a PORT of its own, and the service runs as two', async () => {
      const f = await notesFleet('ports');
      expect(f.isolation).toContain('distinct ports on 127.0.0.1');
      const addresses = f.group.status().instances.map((i) => i.address);
      expect(new Set(addresses).size).toBe(2);
      expect(addresses.every((a) => a.startsWith('127.0.0.1:'))).toBe(true);
      const res = await fetch(`${f.listenerUrl}/notes`, {
        method: 'POST',
        body: JSON.stringify({ text: 'x' }),
      });
      expect(res.status).toBe(201);
    }, 60_000);
  },
);
