/**
 * Releases: one folder per commit under .fleetproof/releases/<sha>, a git worktree of that commit, built once
 * with service.build and reused by every later deploy of the same commit. A marker file beside the folder
 * (<sha>.json) says it was built, with which command, and when it was last used; pruning keeps the newest.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FleetError } from '../errors.js';
import { stateDir } from '../project.js';
import { type BuildCommand, describeBuild, runBuild } from './build-command.js';
import { addWorktree, gitTop, removeWorktree, resolveCommit } from './git.js';
import { type CachedRelease, releasesToPrune } from './prune-releases.js';

/** How many built releases stay cached (besides any a running instance uses). */
export const KEEP_RELEASES = 5;

export interface Release {
  readonly sha: string;
  readonly shortSha: string;
  readonly ref: string;
  /** The project's folder inside the worktree: where the build, the migration and the instances run. */
  readonly root: string;
  /** Already built by an earlier deploy (same commit, same build command). */
  readonly cached: boolean;
}

interface Marker extends CachedRelease {
  readonly ref: string;
  readonly build: string;
  readonly builtAt: number;
}

export const releasesDir = (root: string) => join(stateDir(root), 'releases');
const markerPath = (root: string, sha: string) => join(releasesDir(root), `${sha}.json`);

function readMarker(path: string): Marker | undefined {
  try {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as Marker;
    return typeof marker.sha === 'string' && typeof marker.lastUsedAt === 'number' ? marker : undefined;
  } catch {
    return undefined;
  }
}

export interface PrepareOptions {
  readonly root: string;
  readonly ref: string;
  readonly build: BuildCommand | undefined;
  /** The build's environment (with APP_VERSION: `version`, else the short sha). */
  readonly env: NodeJS.ProcessEnv;
  readonly version?: string | undefined;
  readonly onLine: (line: string) => void;
  readonly now?: () => number;
}

/** The release of `ref`: checked out and built now, or the cached one when this commit was built before. */
export async function prepareRelease(options: PrepareOptions): Promise<Release> {
  const { root, ref, onLine } = options;
  const now = options.now ?? Date.now;
  const top = await gitTop(root);
  const sha = await resolveCommit(top, ref);
  const shortSha = sha.slice(0, 7);
  const dir = join(releasesDir(root), sha);
  // In a monorepo the project is a folder of the repository: the release's copy of that folder.
  const releaseRoot = join(dir, relative(realpathSync(top), realpathSync(root)));
  const build = options.build === undefined ? '' : describeBuild(options.build);
  const marker = readMarker(markerPath(root, sha));
  if (marker && marker.build === build && existsSync(releaseRoot)) {
    writeFileSync(markerPath(root, sha), JSON.stringify({ ...marker, ref, lastUsedAt: now() }));
    onLine(`release ${shortSha} (${ref}): cached, built ${new Date(marker.builtAt).toISOString()}`);
    return { sha, shortSha, ref, root: releaseRoot, cached: true };
  }
  rmSync(markerPath(root, sha), { force: true });
  await mkdir(releasesDir(root), { recursive: true });
  if (existsSync(dir)) {
    await removeWorktree(top, dir);
    rmSync(dir, { recursive: true, force: true });
  }
  onLine(`release ${shortSha} (${ref}): checking out into ${relative(root, dir)}`);
  await addWorktree(top, dir, sha);
  if (!existsSync(releaseRoot)) {
    throw new FleetError(
      'FLEET_ERR_BUILD',
      `commit ${shortSha} (${ref}) has no ${relative(top, root) || '.'}: the project folder did not exist then`,
    );
  }
  if (options.build !== undefined) {
    const logFile = join(releasesDir(root), `${sha}.build.log`);
    const started = now();
    onLine(`build ${shortSha}: ${build}`);
    const result = await runBuild(options.build, {
      cwd: releaseRoot,
      env: { ...options.env, APP_VERSION: options.version ?? shortSha },
      logFile,
      onLine: (l) => onLine(`  build │ ${l}`),
    });
    if (result.code !== 0) {
      throw new FleetError(
        'FLEET_ERR_BUILD',
        `service.build of ${shortSha} (${ref}) failed with exit ${result.code ?? 'by signal'}: ${result.tail.slice(-5).join(' / ') || 'no output'}; full log: ${logFile}`,
      );
    }
    onLine(`build ${shortSha}: done in ${((now() - started) / 1000).toFixed(1)} s`);
  }
  const written: Marker = { sha, ref, build, builtAt: now(), lastUsedAt: now() };
  writeFileSync(markerPath(root, sha), JSON.stringify(written));
  return { sha, shortSha, ref, root: releaseRoot, cached: false };
}

/** Deletes cached releases beyond the newest `keep` (never one in `inUse`); returns the shas removed. */
export async function pruneReleases(
  root: string,
  inUse: ReadonlySet<string>,
  keep = KEEP_RELEASES,
): Promise<string[]> {
  const dir = releasesDir(root);
  if (!existsSync(dir)) return [];
  const markers = readdirSync(dir)
    .filter((f) => /^[0-9a-f]{40,64}\.json$/.test(f))
    .map((f) => readMarker(join(dir, f)))
    .filter((m): m is Marker => m !== undefined);
  const doomed = releasesToPrune(markers, keep, inUse);
  if (doomed.length === 0) return [];
  const top = await gitTop(root);
  for (const sha of doomed) {
    await removeWorktree(top, join(dir, sha));
    rmSync(join(dir, sha), { recursive: true, force: true });
    rmSync(markerPath(root, sha), { force: true });
    rmSync(join(dir, `${sha}.build.log`), { force: true });
  }
  return doomed;
}
