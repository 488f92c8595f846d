/**
 * The few git operations a release needs, through the user's own `git`: where the repository is, which commit a
 * ref names, and a detached worktree of that commit.
 */
import { execFile } from 'node:child_process';
import { FleetError } from '../errors.js';

function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', cwd, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new FleetError('FLEET_ERR_USAGE', 'releases from git refs need git on PATH: it was not found'),
        );
        return;
      }
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** The top of the git repository holding `dir`. */
export async function gitTop(dir: string): Promise<string> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--ref needs the project in a git repository: ${dir} is not in one (${top.stderr || 'git rev-parse failed'})`,
    );
  }
  return top.stdout;
}

/** The full sha of the commit `ref` names (a branch, tag, sha or expression such as HEAD~1). */
export async function resolveCommit(top: string, ref: string): Promise<string> {
  if (ref.length === 0 || ref.startsWith('-') || /[\s\0]/.test(ref)) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--ref: got ${JSON.stringify(ref)}, expected a commit, branch or tag (no leading dash or spaces)`,
    );
  }
  const found = await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (found.code !== 0 || !/^[0-9a-f]{40,64}$/.test(found.stdout)) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--ref: got ${JSON.stringify(ref)}, expected a commit, branch or tag of ${top}: git knows no such commit`,
    );
  }
  return found.stdout;
}

/** Checks out `sha` into `dir` as a detached worktree (replacing a stale registration of the same path). */
export async function addWorktree(top: string, dir: string, sha: string): Promise<void> {
  await git(top, ['worktree', 'prune']);
  const added = await git(top, ['worktree', 'add', '--force', '--detach', dir, sha]);
  if (added.code !== 0) {
    throw new FleetError(
      'FLEET_ERR_BUILD',
      `could not check out ${sha.slice(0, 12)} into ${dir}: ${added.stderr || added.stdout}`,
    );
  }
}

/** Removes a worktree (and its registration); a folder git no longer knows is left to the caller. */
export async function removeWorktree(top: string, dir: string): Promise<void> {
  await git(top, ['worktree', 'remove', '--force', '--force', dir]);
  await git(top, ['worktree', 'prune']);
}
