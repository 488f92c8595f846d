import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../../../test/databases.js';
import {
  editConfig,
  failedChecks,
  fleetproof,
  NOTES_WRITE,
  proveResults,
  USER_WRITE,
  userProject,
} from './fixtures/user-project.js';

// Services fleetproof did not write for itself (test/fixtures), each set up by `fleetproof init` as a user
// would, then proved; and a broken variant of each, whose matching verdict must fail with the measured reason.

describe('a Node notes API on PostgreSQL (listens on all interfaces, reads NOTES_DB_* variables)', () => {
  // Set up by init and proved in full from the package's tarball: test/package-install.e2e.test.ts.
  it('broken: notes kept in process memory: the writes verdict fails, naming the missing ids', async () => {
    const dir = userProject('notes-node');
    const env = { DATABASE_URL: await createEmptyDatabase() };
    expect((await fleetproof(dir, ['init'], env)).code).toBe(0);
    editConfig(dir, USER_WRITE, NOTES_WRITE);
    editConfig(dir, /\/\/ env: \{ LOG_LEVEL.*$/m, "env: { NOTES_STORE: 'memory' },");
    const prove = await fleetproof(dir, ['prove', '--quick', '--only', 'writes'], env);
    expect(prove.code, prove.output).toBe(10);
    const [writes] = proveResults(prove);
    expect(writes?.passed).toBe(false);
    expect(failedChecks(writes as never).join('\n')).toMatch(
      /every acknowledged write reads back .*, showing its own token: \d+ of \d+ found; missing ids \d+/,
    );
  }, 300_000);
});

describe('releases of the notes API from git: a migration across the mixed-version window', () => {
  /**
   * The project as a git repository: main is the fixture; branch `breaking` renames the column the running
   * version reads; branch `additive` adds a nullable one (expand/contract). The load writes a note and reads
   * it back, so both versions' queries run while both serve.
   */
  async function notesRepository() {
    const dir = userProject('notes-node');
    const env = { DATABASE_URL: await createEmptyDatabase() };
    expect((await fleetproof(dir, ['init'], env)).code).toBe(0);
    editConfig(
      dir,
      /scenarios: \[\{ name: 'GET .*$/m,
      "scenarios: [{ name: 'write and read', flow: [{ post: { url: '/notes', json: { text: 'hi' }, capture: { json: '$.id', as: 'id' } } }, { get: { url: '/notes/{{ id }}', expect: { statusCode: 200 } } }] }],",
    );
    editConfig(dir, "version: 'v1',", "version: 'v1',\n    build: 'node --check server.js',");
    const server = readFileSync(join(dir, 'server.js'), 'utf8');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    writeFileSync(join(dir, '.gitignore'), '.fleetproof/\n');
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'notes v1');
    const branch = (name: string, migration: string, from: string, to: string) => {
      git('checkout', '-q', '-b', name, 'main');
      writeFileSync(join(dir, 'migrations', `002_${name}.sql`), migration);
      writeFileSync(join(dir, 'server.js'), server.replaceAll(from, to));
      git('add', '-A');
      git('commit', '-q', '-m', name);
    };
    branch('breaking', 'ALTER TABLE notes RENAME COLUMN text TO body;\n', 'notes (text)', 'notes (body)');
    writeFileSync(
      join(dir, 'server.js'),
      readFileSync(join(dir, 'server.js'), 'utf8').replace(
        'SELECT id, text FROM',
        'SELECT id, body AS text FROM',
      ),
    );
    git('commit', '-q', '-am', 'read body');
    branch(
      'additive',
      'ALTER TABLE notes ADD COLUMN tag TEXT;\n',
      'SELECT id, text FROM',
      'SELECT id, text, tag FROM',
    );
    git('checkout', '-q', 'main');
    return { dir, env };
  }

  it("a backward-incompatible migration fails the deploy verdict, naming the old version's errors; expand/contract passes", async () => {
    const { dir, env } = await notesRepository();
    editConfig(dir, 'deploy: { rate: 20 }', "deploy: { rate: 20, ref: 'breaking' }");
    const broken = await fleetproof(dir, ['prove', '--quick', '--only', 'deploy'], env);
    expect(broken.code, broken.output).toBe(10);
    const [deploy] = proveResults(broken);
    expect(failedChecks(deploy as never).join('\n')).toMatch(
      /every version serves without errors while versions are mixed: v1: [1-9]\d* of \d+ failed \(HTTP 500 × \d+.*\) from [\d.]+ s, after [0-9a-f]{7}'s migration at [\d.]+ s; its log: ".*error: column \\"text\\" .*does not exist.*"; [0-9a-f]{7}: 0 of [1-9]\d* failed/,
    );

    editConfig(dir, "ref: 'breaking'", "ref: 'additive'");
    const fine = await fleetproof(dir, ['prove', '--quick', '--only', 'deploy'], env);
    const [passing] = proveResults(fine);
    expect(failedChecks(passing as never)).toEqual([]);
    expect(passing?.checks.find((c) => c.label.startsWith('every version'))?.measured).toMatch(
      /^v1: 0 of [1-9]\d* failed; [0-9a-f]{7}: 0 of [1-9]\d* failed$/,
    );
    expect(fine.code, fine.output).toBe(0);
  }, 400_000);
});

describe('a Python standard-library service with no database and no health route', () => {
  it('init says there is no health route and proposes one; prove --quick passes', async () => {
    const dir = userProject('hello-python');
    const init = await fleetproof(dir, ['init']);
    expect(init.code, init.output).toBe(0);
    expect(init.output).toMatch(/command +python3 server\.py/);
    expect(init.output).toMatch(/no health route: \/health 404/);
    expect(init.output).toContain('proposed: add GET /health');
    const prove = await fleetproof(dir, ['prove', '--quick']);
    const results = proveResults(prove);
    expect(results.map((r) => r.id)).toEqual(['capacity', 'scale', 'deploy', 'crash']);
    for (const r of results) expect(failedChecks(r), r.id).toEqual([]);
    expect(prove.code, prove.output).toBe(0);
    expect(prove.output).not.toContain('PostgreSQL');
  }, 600_000);

  it('broken: a health route that answers 200 before the real routes serve: the deploy verdict fails', async () => {
    const dir = userProject('hello-python');
    expect((await fleetproof(dir, ['init'])).code).toBe(0);
    editConfig(dir, /\/\/ env: \{ LOG_LEVEL.*$/m, "env: { HEALTH_ROUTE: '/health', WARMUP_SECONDS: '3' },");
    editConfig(dir, "healthCheck: { path: '/'", "healthCheck: { path: '/health'");
    const prove = await fleetproof(dir, ['prove', '--quick', '--only', 'deploy']);
    expect(prove.code, prove.output).toBe(10);
    const [deploy] = proveResults(prove);
    expect(failedChecks(deploy as never).join('\n')).toMatch(
      /0 failed requests during the deploy: load [1-9]\d* of \d+ failed/,
    );
  }, 300_000);
});
