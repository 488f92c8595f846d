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
