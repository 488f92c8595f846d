/**
 * Releases from git refs against a real git repository made here: checked out as worktrees under
 * .fleetproof/releases, built once, cached, rebuilt when the build command changes, pruned.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError } from '../src/errors.js';
import { prepareRelease, pruneReleases, releasesDir } from '../src/releases/release-store.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/** A repository whose project lives in `sub` (a monorepo) when given, with one commit per `versions` entry. */
function repository(versions: string[], sub = '.') {
  const top = mkdtempSync(join(tmpdir(), 'fleetproof-releases-'));
  git(top, 'init', '-q', '-b', 'main');
  const root = join(top, sub);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(top, '.gitignore'), '.fleetproof/\n');
  const shas = versions.map((v) => {
    writeFileSync(join(root, 'version.txt'), v);
    git(top, 'add', '-A');
    git(top, 'commit', '-q', '-m', v);
    git(top, 'tag', v);
    return git(top, 'rev-parse', 'HEAD');
  });
  return { top, root, shas };
}

const lines: string[] = [];
const prepare = (root: string, ref: string, build: string | string[] | undefined) =>
  prepareRelease({
    root,
    ref,
    build,
    env: process.env,
    version: ref,
    onLine: (l) => lines.push(l),
  });
// The build appends to a file outside the worktree: how many times it ran, in which folder, with which version.
const counting = (log: string) => `echo "$APP_VERSION $(cat version.txt) $PWD" >> ${log}`;

describe('releases', () => {
  it('checks a ref out as a worktree, builds it once in its folder, and reuses it', async () => {
    const { root, shas } = repository(['v1', 'v2']);
    const log = join(root, '..', `builds-${Date.now()}.log`);
    const first = await prepare(root, 'v1', counting(log));
    expect(first).toMatchObject({ sha: shas[0], shortSha: shas[0]?.slice(0, 7), cached: false });
    expect(first.root).toBe(join(releasesDir(root), shas[0] as string));
    expect(readFileSync(join(first.root, 'version.txt'), 'utf8')).toBe('v1');
    expect(readFileSync(join(root, 'version.txt'), 'utf8')).toBe('v2');
    const again = await prepare(root, shas[0] as string, counting(log));
    expect(again.cached).toBe(true);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`v1 v1 ${first.root}`]);
    // Another build command is another build.
    const rebuilt = await prepare(root, 'v1', ['/bin/sh', '-c', counting(log)]);
    expect(rebuilt.cached).toBe(false);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('finds the project folder inside a monorepo release', async () => {
    const { root, shas } = repository(['v1'], 'services/api');
    const release = await prepare(root, 'main', undefined);
    expect(release.root).toBe(join(releasesDir(root), shas[0] as string, 'services/api'));
    expect(readFileSync(join(release.root, 'version.txt'), 'utf8')).toBe('v1');
  });

  it('refuses an unknown ref, a ref that looks like an option, and a project outside git', async () => {
    const { root } = repository(['v1']);
    await expect(prepare(root, 'no-such-branch', undefined)).rejects.toThrow(
      /--ref: got "no-such-branch", expected a commit, branch or tag of .*: git knows no such commit/,
    );
    await expect(prepare(root, '--output=x', undefined)).rejects.toThrow(/no leading dash/);
    const outside = mkdtempSync(join(tmpdir(), 'fleetproof-no-git-'));
    await expect(prepare(outside, 'HEAD', undefined)).rejects.toThrow(/is not in one/);
  });

  it('fails a build with its exit code, its last lines and the log, and builds again next time', async () => {
    const { root, shas } = repository(['v1']);
    const failing = prepare(root, 'v1', 'echo compiling; echo "error TS2304: Cannot find name" >&2; exit 3');
    await expect(failing).rejects.toBeInstanceOf(FleetError);
    await expect(failing).rejects.toThrow(
      /service\.build of \w{7} \(v1\) failed with exit 3: compiling \/ error TS2304: Cannot find name; full log: .*\.build\.log/,
    );
    expect(existsSync(join(releasesDir(root), `${shas[0]}.json`))).toBe(false);
    expect((await prepare(root, 'v1', 'true')).cached).toBe(false);
  });

  it('prunes all but the newest releases, never one in use', async () => {
    const { root, shas } = repository(['v1', 'v2', 'v3', 'v4']);
    let clock = 1000;
    for (const v of ['v1', 'v2', 'v3', 'v4'])
      await prepareRelease({
        root,
        ref: v,
        build: undefined,
        env: process.env,
        onLine: () => {},
        now: () => clock++,
      });
    const pruned = await pruneReleases(root, new Set([shas[0] as string]), 2);
    expect(pruned).toEqual([shas[1]]);
    expect(existsSync(join(releasesDir(root), shas[1] as string))).toBe(false);
    for (const kept of [shas[0], shas[2], shas[3]])
      expect(existsSync(join(releasesDir(root), kept as string, 'version.txt'))).toBe(true);
    expect(git(root, 'worktree', 'list')).not.toContain(shas[1] as string);
  });
});
