import { connect } from 'node:net';
import { Balancer, type BalancerOptions } from '../src/balancer/balancer.js';
import { systemClock } from '../src/clock.js';

/** A balancer on a free port with fast timings; override what a test is about. */
export async function startBalancer(over: Partial<BalancerOptions> = {}): Promise<Balancer> {
  const balancer = new Balancer({
    clock: systemClock,
    host: '127.0.0.1',
    port: 0,
    algorithm: 'round_robin',
    slowStartMs: 0,
    healthCheck: { path: '/health', matcher: '200', intervalMs: 200, timeoutMs: 100 },
    thresholds: { healthyThreshold: 2, unhealthyThreshold: 2 },
    idleTimeoutMs: 60_000,
    connectTimeoutMs: 1000,
    deregistrationDelayMs: 2000,
    retryIdempotentOnce: false,
    ...over,
  });
  await balancer.start();
  return balancer;
}

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends raw bytes on a new connection; resolves with the status line and whether the server closed it. */
export function rawRequest(
  url: string,
  payload: string,
  waitMs = 1000,
): Promise<{ statusLine: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ statusLine: data.split('\r\n')[0] ?? '', closed });
    };
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(payload);
    setTimeout(() => finish(false), waitMs);
  });
}
