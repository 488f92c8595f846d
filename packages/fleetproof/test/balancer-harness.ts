import { connect } from 'node:net';
import { Balancer, type BalancerOptions } from '../src/balancer/balancer.js';
import { systemClock } from '../src/clock.js';
import { startToyUpstream, type ToyUpstream } from './fixtures/toy-upstream.js';

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

const cleanups: (() => Promise<void>)[] = [];

/** Stops every balancer and upstream setupBalancer started, newest first: call it in afterEach. */
export async function cleanUpBalancers(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** `count` toy upstreams registered as i-0, i-1, … with a balancer, once all are healthy. */
export async function setupBalancer(count: number, over: Partial<BalancerOptions> = {}) {
  const upstreams: ToyUpstream[] = [];
  for (let i = 0; i < count; i++) {
    const u = await startToyUpstream(`u${i}`);
    upstreams.push(u);
    cleanups.push(() => u.close());
  }
  const balancer = await startBalancer(over);
  cleanups.push(() => balancer.stop());
  for (const [i, u] of upstreams.entries()) balancer.register(`i-${i}`, u.host, u.port);
  await until(() => balancer.group.all().every((t) => t.state === 'healthy'), 5000, 'targets healthy');
  return { balancer, upstreams };
}

/** GET through the balancer: status, headers and body text. */
export async function getText(balancer: Balancer, path = '/') {
  const res = await fetch(`${balancer.url}${path}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}
