import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../../../test/databases.js';
import { editConfig, failedChecks, NOTES_WRITE, proveResults, USER_WRITE } from './fixtures/user-project.js';

const PACKAGE = join(import.meta.dirname, '..');
const FIXTURES = join(PACKAGE, '..', '..', 'test', 'fixtures');

/** `npx fleetproof …` in the user's project; output collected as it comes (for a command that keeps running). */
function npx(cwd: string, args: string[], env: Record<string, string>) {
  const child = spawn('npx', ['--no-install', 'fleetproof', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => {
    output += c;
  });
  child.stderr.on('data', (c) => {
    output += c;
  });
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
  return { done, output: () => output };
}

// fleetproof as a user gets it: `npm pack` of the package (the dist/ that `npm test` built), installed into the
// notes fixture, a CommonJS project, copied outside this repository: `npm install <tarball>`, no build step, no
// workspace, and npm's default of not running dependencies' install scripts.
describe('fleetproof installed from its tarball into a project of its own', () => {
  const work = mkdtempSync(join(tmpdir(), 'fleetproof-user-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('init finds the notes API’s command, variables, migration and health route; up serves; prove --quick passes', async () => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: PACKAGE,
      stdio: 'ignore',
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = join(work, 'notes');
    cpSync(join(FIXTURES, 'notes-node'), project, { recursive: true });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, tarball as string)], {
      cwd: project,
      stdio: 'ignore',
      timeout: 300_000,
    });
    expect(existsSync(join(project, 'node_modules', 'fleetproof', 'dist', 'cli', 'main.js'))).toBe(true);
    const env = { DATABASE_URL: await createEmptyDatabase() };

    const init = await npx(project, ['init'], env).done;
    expect(init.code, init.output).toBe(0);
    expect(init.output).toMatch(/health +\/healthz answered 200/);
    expect(init.output).toContain(
      'NOTES_DB_HOST, NOTES_DB_PORT, NOTES_DB_USER, NOTES_DB_PASSWORD, NOTES_DB_NAME',
    );
    expect(init.output).toMatch(/migrate: migrations applied: 1/);
    const again = await npx(project, ['init'], env).done;
    expect(again.code).toBe(2);
    expect(again.output).toContain('already exists');

    // up: the listener answers through a healthy instance; down stops everything.
    const up = npx(project, ['up'], env);
    const deadline = Date.now() + 60_000;
    while (!/ready: /.test(up.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(up.output()).toMatch(/ready: /);
    expect(up.output()).toMatch(/network: a network namespace per instance/);
    const created = await fetch('http://127.0.0.1:8080/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'from the tarball' }),
    });
    expect(created.status).toBe(201);
    const down = await npx(project, ['down'], env).done;
    expect(down.code, down.output).toBe(0);
    expect((await up.done).code).toBe(0);

    // As a user would, the write to audit replaces init's commented example; then the whole proof.
    editConfig(project, USER_WRITE, NOTES_WRITE);
    const prove = await npx(project, ['prove', '--quick'], env).done;
    const results = proveResults(prove);
    expect(results.map((r) => r.id)).toEqual(['capacity', 'scale', 'deploy', 'crash', 'writes']);
    for (const r of results) expect(failedChecks(r), r.id).toEqual([]);
    expect(prove.code, prove.output).toBe(0);
  }, 600_000);
});
