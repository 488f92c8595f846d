import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import { groupListeningPorts } from '../fleet/socket-owner.js';
import { findFreePort } from '../util/free-port.js';

export const HEALTH_CANDIDATES = [
  '/health',
  '/healthz',
  '/ready',
  '/readyz',
  '/livez',
  '/status',
  '/',
] as const;

export interface ProbeResult {
  /** The port it listened on, and whether that was the PORT it was given. */
  port: number;
  honoursPort: boolean;
  /** Addresses it listened on ("0.0.0.0" = all interfaces). */
  addresses: string[];
  /** First candidate route that answered 2xx, with its status; undefined if none. */
  health: { path: string; status: number } | undefined;
  /** What every candidate answered. */
  answers: Record<string, number>;
  startedInMs: number;
}

/**
 * Starts the service once, as an instance would be (PORT and HOST set), waits for it to listen, finds which
 * port it took and which health-like route answers, then stops it. Bounded: `timeoutMs` to start.
 */
export async function probeService(o: {
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  timeoutMs?: number;
}): Promise<ProbeResult> {
  const port = await findFreePort();
  const logFd = openSync(o.logFile, 'w');
  const [file, ...args] = o.command;
  const child = spawn(file as string, args, {
    cwd: o.cwd,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ...o.env, PORT: String(port), HOST: '127.0.0.1' },
  });
  closeSync(logFd);
  const started = Date.now();
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (${code ?? signal})`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  try {
    const deadline = started + (o.timeoutMs ?? 30_000);
    let listening: { address: string; port: number }[] = [];
    while (Date.now() < deadline && exited === undefined) {
      const seen = child.pid ? groupListeningPorts(child.pid) : undefined;
      if (seen === undefined) {
        // No /proc (not Linux): trust PORT once something answers there.
        if (await answers(`http://127.0.0.1:${port}/`)) listening = [{ address: '127.0.0.1', port }];
      } else listening = seen;
      if (listening.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (listening.length === 0) {
      const log = readFileSync(o.logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
      throw new Error(
        `${o.command.join(' ')} ${exited ?? `did not listen within ${(o.timeoutMs ?? 30_000) / 1000} s`}${log ? `; its output:\n${log}` : ''}`,
      );
    }
    const chosen =
      listening.find((l) => l.port === port) ?? (listening[0] as { address: string; port: number });
    const startedInMs = Date.now() - started;
    const answersBy: Record<string, number> = {};
    let health: ProbeResult['health'];
    for (const path of HEALTH_CANDIDATES) {
      const status = await statusOf(`http://127.0.0.1:${chosen.port}${path}`);
      answersBy[path] = status;
      if (!health && status >= 200 && status < 300) health = { path, status };
    }
    return {
      port: chosen.port,
      honoursPort: chosen.port === port,
      addresses: [...new Set(listening.filter((l) => l.port === chosen.port).map((l) => l.address))],
      health,
      answers: answersBy,
      startedInMs,
    };
  } finally {
    await stopGroup(child.pid);
  }
}

async function statusOf(url: string): Promise<number> {
  try {
    const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

async function answers(url: string): Promise<boolean> {
  return (await statusOf(url)) > 0;
}

async function stopGroup(pid: number | undefined): Promise<void> {
  if (!pid) return;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(-pid, 'SIGKILL');
}
