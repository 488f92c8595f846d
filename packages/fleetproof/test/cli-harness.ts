import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './fleet-harness.js';

/** The CLI as a user runs it, from the package's bin. */
export const BIN = join(REPO, 'packages', 'fleetproof', 'bin', 'fleetproof.js');

/** Runs a CLI command without blocking this process (a blocked event loop would stop draining `up`'s output). */
export function cli(dir: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

export function up(dir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'up'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c;
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c;
  });
  return { child, output: () => output };
}

/** The running fleet's control.json: its control URL, token and run id. */
export const controlInfo = (dir: string) =>
  JSON.parse(
    readFileSync(
      join(
        dir,
        '.fleetproof',
        'runs',
        readFileSync(join(dir, '.fleetproof', 'current'), 'utf8').trim(),
        'control.json',
      ),
      'utf8',
    ),
  ) as { controlUrl: string; token: string; runId: string };

export const instancePids = async (dir: string) =>
  JSON.parse((await cli(dir, 'status', '--json')).out).group.instances.map(
    (i: { pid: number }) => i.pid,
  ) as number[];
