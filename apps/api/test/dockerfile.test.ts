import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmdOf, copiesOf, dockerignoreMatchers, parseDockerfile, userOf } from './dockerfile.js';

// No Docker engine here: the image is checked statically against the repository and the build output
// (`npm test` builds first, so apps/api/dist exists).
const repo = join(import.meta.dirname, '..', '..', '..');
const stages = parseDockerfile(join(repo, 'apps/api/Dockerfile'));
const ignored = dockerignoreMatchers(join(repo, '.dockerignore'));
const byName = (name: string) => {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
};
/** Stages' WORKDIR is /app, which mirrors the repository root. */
const repoPathOf = (imagePath: string) => join(repo, imagePath.replace(/^\/app\/?/, ''));

describe('apps/api/Dockerfile', () => {
  it('has the build, deps, app, migrate and runtime stages, on node:22-slim, runtime last (the default target)', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'app', 'migrate', 'runtime']);
    for (const name of ['build', 'deps', 'app']) expect(byName(name).base).toBe('node:22-slim');
    expect(byName('migrate').base).toBe('app');
    expect(byName('runtime').base).toBe('app');
  });

  it('copies from the build context only paths that exist and that .dockerignore does not exclude', () => {
    for (const stage of stages) {
      for (const copy of copiesOf(stage).filter((c) => !c.from)) {
        for (const source of copy.sources) {
          expect(existsSync(join(repo, source)), `${stage.name}: COPY ${source}`).toBe(true);
          expect(
            ignored.some((re) => re.test(source.replace(/\/$/, ''))),
            `${source} is dockerignored`,
          ).toBe(false);
        }
      }
    }
  });

  it('copies from other stages only paths that the build produces', () => {
    const fromStages = stages.flatMap((s) => copiesOf(s).filter((c) => c.from));
    expect(fromStages.map((c) => c.from).sort()).toEqual(['build', 'deps']);
    for (const copy of fromStages) {
      for (const source of copy.sources) expect(existsSync(repoPathOf(source)), source).toBe(true);
    }
  });

  it('runs the built server by default and the built migrator in the migrate target', () => {
    const serverCmd = cmdOf(stages, 'runtime');
    const migrateCmd = cmdOf(stages, 'migrate');
    expect(serverCmd).toEqual(['node', 'apps/api/dist/main.js']);
    expect(migrateCmd).toEqual(['node', 'apps/api/dist/migrate.js']);
    for (const cmd of [serverCmd, migrateCmd])
      expect(existsSync(join(repo, cmd?.[1] ?? 'missing'))).toBe(true);
  });

  it('runs as a non-root user with production settings and production dependencies only', () => {
    for (const name of ['app', 'migrate', 'runtime']) {
      expect(userOf(stages, name)).not.toBe('root');
      expect(userOf(stages, name)).not.toBe('0');
    }
    const deps = byName('deps')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(deps.some((run) => run.includes('npm ci') && run.includes('--omit=dev'))).toBe(true);
    expect(byName('app').instructions).toContainEqual({ keyword: 'ENV', args: 'NODE_ENV=production' });
  });

  it('the migrations the image ships are the ones the migrator reads', () => {
    const migrationsCopy = copiesOf(byName('app')).find((c) => c.sources.includes('apps/api/drizzle'));
    expect(migrationsCopy?.destination).toBe('./apps/api/drizzle');
    expect(existsSync(join(repo, 'apps/api/drizzle/meta/_journal.json'))).toBe(true);
  });
});
