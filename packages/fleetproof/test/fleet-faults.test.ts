import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForExit } from '../src/util/process-alive.js';
import { cli, instancePids, up } from './cli-harness.js';
import { faultProject, pgDatabase, pgService } from './fixtures/fault-project.js';
import { REPO, until } from './fleet-harness.js';

const TOY = join(REPO, 'packages', 'fleetproof', 'test', 'fixtures', 'toy-service.mjs');
const projects: string[] = [];
const project = (service: string, database: string) => faultProject(projects, service, database);
const fleets: ChildProcess[] = [];
// These fleets start their own embedded PostgreSQL, as a user's project without DATABASE_URL does.
delete process.env.DATABASE_URL;

afterAll(async () => {
  for (const child of fleets) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await waitForExit(child.pid ?? 0, 30_000);
  }
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** `up` in the project until it is ready; `down` is the caller's. */
async function startFleet(dir: string) {
  const fleet = up(dir);
  fleets.push(fleet.child);
  await until(
    () => fleet.output().includes('ready:') || fleet.child.exitCode !== null,
    60_000,
    'up to be ready',
  );
  expect(fleet.output()).toContain('ready:');
  return {
    down: async () => {
      await cli(dir, 'down');
      await waitForExit(fleet.child.pid ?? 0, 30_000);
    },
  };
}

const zonesOf = async (dir: string) =>
  (
    JSON.parse((await cli(dir, 'status', '--json')).out).group.instances as {
      zone: string;
      lifecycle: string;
    }[]
  )
    .filter((i) => i.lifecycle === 'in-service')
    .map((i) => i.zone)
    .sort();

describe('fleetproof fault against a running fleet (real processes)', () => {
  it('az-outage: the zone’s instance is replaced in the other zone, then the zones rebalance; launch-failure backs off', async () => {
    const { dir } = await project(
      `{ name: 'toy', command: ['node', ${JSON.stringify(TOY)}], port: 4100, version: 'V1' }`,
      `{ mode: 'url', url: 'postgres://toy:toy@127.0.0.1:1/none' }`,
    );
    const fleet = await startFleet(dir);
    try {
      expect((await cli(dir, 'scale', '--desired', '2')).code).toBe(0);
      const settled = Date.now() + 20_000;
      while ((await zonesOf(dir)).join() !== 'az1,az2' && Date.now() < settled)
        await new Promise((r) => setTimeout(r, 200));
      expect(await zonesOf(dir)).toEqual(['az1', 'az2']);

      const outage = await cli(dir, 'fault', 'az-outage', '--zone', 'az1', '--for', '4s');
      expect(outage.code, outage.out).toBe(0);
      expect(outage.out).toMatch(/az-outage az1 for 4\.0 s: 1 instance\(s\) stopped/);
      expect(outage.out).toMatch(/LaunchToDesired .* in az2 \(not in az1: closed\)/);
      expect(outage.out).toMatch(
        /capacity restored in the other zone\(s\) after [\d.]+ s; zones rebalanced [\d.]+ s after it ended/,
      );
      expect(await zonesOf(dir)).toEqual(['az1', 'az2']);

      const wrong = await cli(dir, 'fault', 'az-outage', '--zone', 'az9', '--for', '1s');
      expect(wrong.code).toBe(2);
      expect(wrong.out).toContain('zone: got "az9", expected one of az1, az2');
      const noFor = await cli(dir, 'fault', 'az-outage', '--zone', 'az1');
      expect(noFor.code).toBe(2);
      expect(noFor.out).toContain('--for: missing');

      // Launches fail while an instance dies: the group retries with doubling waits, then launches.
      const failing = cli(dir, 'fault', 'launch-failure', '--for', '5s');
      await new Promise((r) => setTimeout(r, 800));
      const [victim] = await instancePids(dir);
      process.kill(-(victim as number), 'SIGKILL');
      const launch = await failing;
      expect(launch.code, launch.out).toBe(0);
      const attempts = launch.out.split('\n').filter((l) => /LaunchFailed/.test(l));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.length).toBeLessThanOrEqual(4);
      expect(launch.out).toMatch(
        /failed launch attempt\(s\) \(at .*; backoff allows at most \d+\); desired capacity in service/,
      );
      expect(await zonesOf(dir)).toHaveLength(2);
    } finally {
      await fleet.down();
    }
  }, 180_000);

  it('db-restart restarts the embedded PostgreSQL: a pooled service recovers with every acknowledged row; one that never reconnects fails the verdict', async () => {
    const { dir, port } = await project(pgService(`{ PG_MODE: 'pool' }`), pgDatabase);
    let fleet = await startFleet(dir);
    try {
      const ids: number[] = [];
      for (let n = 0; n < 5; n++) {
        const res = await fetch(`http://127.0.0.1:${port}/items`, { method: 'POST' });
        expect(res.status).toBe(201);
        ids.push(((await res.json()) as { id: number }).id);
      }
      const restart = await cli(dir, 'fault', 'db-restart', '--down', '2s', '--path', '/items');
      expect(restart.code, restart.out).toBe(0);
      expect(restart.out).toMatch(/embedded PostgreSQL \(pid \d+\): fast shutdown, down 2 s/);
      expect(restart.out).toMatch(/FaultDbRestartEnded .* new pid \d+/);
      expect(restart.out).toMatch(
        /the service answered every probe from [\d.]+ s after that \(bound 10\.0 s\)/,
      );
      const count = await (await fetch(`http://127.0.0.1:${port}/items`)).json();
      expect(count).toEqual({ n: ids.length });

      // Latency on a shallow health check: p99 rises, targets stay healthy.
      const slow = await cli(dir, 'fault', 'db-latency', '--ms', '300', '--for', '3s', '--path', '/items');
      expect(slow.code, slow.out).toBe(0);
      const during = Number(/, (\d+) ms during/.exec(slow.out)?.[1]);
      expect(during).toBeGreaterThanOrEqual(300);
      expect(slow.out).toContain('health checks held');
    } finally {
      await fleet.down();
    }

    // A service with one connection for life: after the restart it never answers again.
    const broken = await project(pgService(`{ PG_MODE: 'single' }`), pgDatabase);
    fleet = await startFleet(broken.dir);
    try {
      const restart = await cli(
        broken.dir,
        'fault',
        'db-restart',
        '--down',
        '1s',
        '--path',
        '/items',
        '--recover-within',
        '3s',
      );
      expect(restart.code, restart.out).toBe(10);
      expect(restart.out).toMatch(/the service still failed probes when the follow ended/);
    } finally {
      await fleet.down();
    }
  }, 240_000);

  it('db-latency over the health check timeout: a deep health check flaps and the verdict says so', async () => {
    const { dir } = await project(pgService(`{ PG_MODE: 'pool', HEALTH: 'deep' }`), pgDatabase);
    const fleet = await startFleet(dir);
    try {
      const slow = await cli(dir, 'fault', 'db-latency', '--ms', '700', '--for', '4s');
      expect(slow.code, slow.out).toBe(10);
      expect(slow.out).toMatch(/health checks flapped: [1-9]\d* unhealthy/);
    } finally {
      await fleet.down();
    }
  }, 180_000);
});
