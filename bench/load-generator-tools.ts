/**
 * What bench/load-generator.ts needs around the generators: a run measured with the process's CPU (GNU
 * time: user + sys of the generator and its threads), pinned to a core when asked, and Artillery itself
 * installed on first use (npm, --ignore-scripts: no browser download) under bench/.artillery.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Measured {
  stdout: string;
  stderr: string;
  /** User + system CPU of the process and its threads, seconds. */
  cpuSeconds: number;
  wallSeconds: number;
}

const TIME_MARK = '__fleetproof_time__';

/** Runs a command under GNU time (on `cpu` with taskset when given); its output and CPU. */
export function measured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cpu?: number; cwd?: string } = {},
): Promise<Measured> {
  const timed = ['-f', `${TIME_MARK} %e %U %S`, command, ...args];
  const [file, argv] =
    options.cpu !== undefined
      ? ['taskset', ['-c', String(options.cpu), '/usr/bin/time', ...timed]]
      : ['/usr/bin/time', timed];
  return new Promise((resolve, reject) =>
    execFile(
      file,
      argv,
      { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        const m = new RegExp(`${TIME_MARK} ([\\d.]+) ([\\d.]+) ([\\d.]+)`).exec(stderr);
        if (!m) return reject(new Error(`${command}: ${stderr || error?.message}`));
        resolve({ stdout, stderr, wallSeconds: Number(m[1]), cpuSeconds: Number(m[2]) + Number(m[3]) });
      },
    ),
  );
}

/** GNU time, for the CPU figures; Debian's `time` package when missing (as root). */
export function haveGnuTime(): boolean {
  if (existsSync('/usr/bin/time')) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync('apt-get', ['install', '-y', '-qq', 'time'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return existsSync('/usr/bin/time');
}

/** Artillery's CLI, installed once under bench/.artillery from npm without install scripts. */
export function artilleryBin(repo: string): string | undefined {
  const dir = join(repo, 'bench', '.artillery');
  const bin = join(dir, 'node_modules', 'artillery', 'bin', 'run');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-artillery', private: true }));
  console.log('installing artillery from npm into bench/.artillery (--ignore-scripts: no browser download)…');
  const result = spawnSync(
    'npm',
    ['install', 'artillery@^2', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, stdio: 'inherit' },
  );
  return result.status === 0 && existsSync(bin) ? bin : undefined;
}

/**
 * The highest rate `sustains(rate)` holds: doubling from `start` until it fails, then halving the gap
 * `steps` times. Returns 0 when even `start` fails.
 */
export async function highestSustained(
  start: number,
  steps: number,
  sustains: (rate: number) => Promise<boolean>,
): Promise<number> {
  let good = 0;
  let bad = 0;
  for (let rate = start; ; rate *= 2) {
    if (await sustains(rate)) good = rate;
    else {
      bad = rate;
      break;
    }
    if (rate > 1e6) return rate;
  }
  for (let i = 0; i < steps && bad - good > 1; i++) {
    const mid = Math.round((good + bad) / 2);
    if (await sustains(mid)) good = mid;
    else bad = mid;
  }
  return good;
}
