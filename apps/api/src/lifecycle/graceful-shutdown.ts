import type { Server, ServerResponse } from 'node:http';
import type { Lifecycle } from './lifecycle.js';

export interface ShutdownOptions {
  /** Time between failing readiness and refusing connections, so the balancer sees the failed check first. */
  readonly delayMs: number;
  /** Total budget; requests still running after it are cut and the exit code is 1. */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export type ShutdownOutcome = { clean: true } | { clean: false; cutRequests: number };

const IDLE_SWEEP_MS = 50;

/** Tracks responses in flight so shutdown can tell their clients not to reuse the connection. */
export function trackResponses(server: Server): Set<ServerResponse> {
  const active = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    active.add(res);
    res.once('close', () => active.delete(res));
  });
  return active;
}

/**
 * The shutdown sequence behind a load balancer:
 *   1. readiness answers 503 at once (the balancer starts its unhealthy count);
 *   2. after `delayMs` the listener closes, so new connections are refused;
 *   3. requests in flight finish, each with `Connection: close`; idle keep-alive sockets are closed;
 *   4. the caller then closes the database and exits.
 * Worked example with the defaults (delay 5 s, timeout 30 s): a 2 s request that arrives 4 s after SIGTERM
 * is accepted, ends at 6 s, and the process exits at about 6 s with code 0.
 */
export async function shutDownGracefully(
  server: Server,
  active: Set<ServerResponse>,
  lifecycle: Lifecycle,
  options: ShutdownOptions,
): Promise<ShutdownOutcome> {
  const started = performance.now();
  lifecycle.beginShutdown(Date.now());
  options.log(`shutdown: readiness now 503; new connections refused in ${options.delayMs} ms`);
  await sleep(Math.min(options.delayMs, options.timeoutMs));

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  server.closeIdleConnections();
  options.log(`shutdown: listener closed; waiting for ${active.size} request(s) in flight`);

  const remaining = Math.max(0, options.timeoutMs - (performance.now() - started));
  const finished = await Promise.race([closed.then(() => true), sleep(remaining).then(() => false)]);
  clearInterval(sweep);
  if (finished) return { clean: true };
  const cutRequests = active.size;
  server.closeAllConnections();
  return { clean: false, cutRequests };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
