import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../src/prove/types.js';
import { runCommand } from '../src/service/run-command.js';
import { BIN } from './cli-harness.js';
import { faultProject, pgDatabase, pgService } from './fixtures/fault-project.js';

const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A proof section: GET /items as the load, POST /items as the write read back from the table, only faults. */
const proof = (faults: string, port: number) => `
  scenarios: {
    items: {
      config: { target: 'http://127.0.0.1:${port}', phases: [{ duration: 10, arrivalRate: 5 }] },
      scenarios: [{ flow: [{ get: { url: '/items' } }] }],
    },
  },
  proof: {
    load: { scenario: 'items' },
    serviceLevel: { p99Ms: 2000, maxErrorRate: 0 },
    write: { request: { method: 'POST', url: '/items' }, id: '$.id', readBack: { sql: 'SELECT 1 FROM items WHERE id = $1' } },
    experiments: { capacity: false, scale: false, deploy: false, crash: false, writes: false, faults: ${faults} },
  },`;

/** `fleetproof prove --quick` in the project, as a user runs it (its own embedded PostgreSQL). */
function prove(dir: string) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  return runCommand([process.execPath, BIN, 'prove', '--quick'], { cwd: dir, env });
}

/** Writes the proof section (and its scenario) into the project's config. */
function withProof(dir: string, faults: string, port: number): void {
  const config = `${dir}/fleetproof.config.ts`;
  writeFileSync(config, readFileSync(config, 'utf8').replace(/\n};\n$/, `${proof(faults, port)}\n};\n`));
}

const resultOf = (output: string) => {
  const json = /data {4}(\S+prove\.json)/.exec(output)?.[1];
  expect(json, output).toBeDefined();
  const { results } = JSON.parse(readFileSync(json as string, 'utf8')) as { results: ExperimentResult[] };
  return results.find((r) => r.id === 'faults') as ExperimentResult;
};

describe('prove: the faults experiment on a service it has never seen (real fleets, real PostgreSQL)', () => {
  it('a pooled service passes every fault, and the report shades them', async () => {
    const { dir, port } = await faultProject(projects, pgService(`{ PG_MODE: 'pool' }`), pgDatabase, '');
    withProof(dir, '{ forSeconds: 4, recoverWithinSeconds: 6, latencyMs: 150 }', port);
    const run = await prove(dir);
    const faults = resultOf(run.output);
    expect(faults.checks.filter((c) => !c.passed).map((c) => `${c.label}: ${c.measured}`)).toEqual([]);
    expect(run.code, run.output).toBe(0);
    expect(faults.checks.map((c) => c.label.split(':')[0])).toEqual([
      'hang',
      'hang',
      'hang',
      'az-outage',
      'az-outage',
      'az-outage',
      'launch-failure',
      'launch-failure',
      'launch-failure',
      'db-restart',
      'db-restart',
      'db-latency',
      'db-latency',
    ]);
    const report = readFileSync(/report {2}(\S+report\.html)/.exec(run.output)?.[1] as string, 'utf8');
    for (const label of ['hang i-', 'az-outage az1', 'launch-failure', 'db-restart', 'db-latency +150 ms'])
      expect(report).toContain(`<span class="fault">${label}`);
  });

  it('a service with one database connection for life fails the db-restart verdict, naming it', async () => {
    const { dir, port } = await faultProject(projects, pgService(`{ PG_MODE: 'single' }`), pgDatabase, '');
    withProof(dir, "{ kinds: ['db-restart'], recoverWithinSeconds: 4 }", port);
    const run = await prove(dir);
    expect(run.code, run.output).toBe(10);
    const failed = resultOf(run.output).checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.label)).toContain(
      'db-restart: the service recovers by itself within 4 s of the database being back',
    );
    expect(run.output).toMatch(/FAIL {2}faults/);
  });
});
