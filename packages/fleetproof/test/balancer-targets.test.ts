import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpBalancers, getText, setupBalancer, until } from './balancer-harness.js';
import type { ToyUpstream } from './fixtures/toy-upstream.js';

afterEach(cleanUpBalancers);

// Target health and the errors ALB answers for its targets: fail open, 503, draining, 502/504, and the opt-in retry and outlier ejection.

describe('(e) fail open and no targets', () => {
  it('routes to every registered target when none is healthy', async () => {
    const { balancer, upstreams } = await setupBalancer(2);
    for (const u of upstreams) u.healthy = false;
    await until(() => balancer.group.all().every((t) => t.state === 'unhealthy'), 5000, 'all unhealthy');
    expect(balancer.group.all().map((t) => t.reason)).toEqual([
      'Target.ResponseCodeMismatch',
      'Target.ResponseCodeMismatch',
    ]);
    expect(balancer.group.failingOpen).toBe(true);
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await getText(balancer, '/x');
      expect(res.status).toBe(200);
      names.add(res.headers.get('x-upstream') ?? '');
    }
    expect([...names].sort()).toEqual(['u0', 'u1']);
  });

  it('routes only to healthy targets while at least one is healthy', async () => {
    const { balancer, upstreams } = await setupBalancer(2);
    (upstreams[1] as ToyUpstream).healthy = false;
    await until(() => balancer.group.get('i-1')?.state === 'unhealthy', 5000, 'i-1 unhealthy');
    for (let i = 0; i < 6; i++) expect((await getText(balancer, '/x')).headers.get('x-upstream')).toBe('u0');
  });

  it('answers 503 (from the balancer, as ALB words it) when no target is registered', async () => {
    const { balancer } = await setupBalancer(0);
    const res = await getText(balancer);
    expect(res.status).toBe(503);
    expect(res.headers.get('server')).toBe('awselb/2.0');
    expect(res.text).toContain('503 Service Temporarily Unavailable');
  });

  it('a new target becomes healthy after one passing check; an unhealthy one needs the healthy threshold', async () => {
    const { balancer, upstreams } = await setupBalancer(1, {
      thresholds: { healthyThreshold: 3, unhealthyThreshold: 2 },
    });
    const u = upstreams[0] as ToyUpstream;
    const changes: string[] = [];
    balancer.group.on('change', (c: { to: string }) => changes.push(c.to));
    u.healthy = false;
    await until(() => balancer.group.get('i-0')?.state === 'unhealthy', 5000, 'unhealthy');
    u.healthy = true;
    await until(() => balancer.group.get('i-0')?.state === 'healthy', 5000, 'healthy again');
    expect(changes).toEqual(['unhealthy', 'healthy']);
    expect(balancer.group.get('i-0')?.consecutiveSuccesses).toBe(3);
  });
});

describe('(f) draining', () => {
  it('a draining target finishes its in-flight request and gets no new one', async () => {
    const { balancer, upstreams } = await setupBalancer(2, { deregistrationDelayMs: 5000 });
    const [u0, u1] = upstreams as [ToyUpstream, ToyUpstream];
    // Round robin: find which target the next request goes to by sending the slow one and checking the log.
    const slow = fetch(`${balancer.url}/slow?ms=800`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await until(() => u0.log.length + u1.log.length === 1, 2000, 'slow request to arrive');
    const busy = u0.log.length === 1 ? u0 : u1;
    const other = busy === u0 ? u1 : u0;
    const busyId = busy === u0 ? 'i-0' : 'i-1';
    const drained = balancer.deregister(busyId);
    expect(balancer.group.get(busyId)?.state).toBe('draining');
    for (let i = 0; i < 5; i++)
      expect((await getText(balancer, '/after')).headers.get('x-upstream')).toBe(other.name);
    expect(busy.log.map((l) => l.url)).toEqual(['/slow?ms=800']);
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.body.name).toBe(busy.name);
    const started = Date.now();
    await drained;
    // Draining ended early (nothing left in flight), long before the 5 s delay.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(balancer.group.get(busyId)).toBeUndefined();
  });

  it('a request still running when the deregistration delay ends gets 502', async () => {
    const { balancer } = await setupBalancer(1, { deregistrationDelayMs: 300 });
    const slow = fetch(`${balancer.url}/slow?ms=3000`).then((r) => r.status);
    await until(() => (balancer.group.get('i-0')?.inFlight ?? 0) === 1, 2000, 'in flight');
    await balancer.deregister('i-0');
    expect(await slow).toBe(502);
  });
});

describe('502 and 504 exactly when ALB sends them', () => {
  it('502 when the target refuses the connection', async () => {
    const { balancer, upstreams } = await setupBalancer(1);
    await (upstreams[0] as ToyUpstream).close();
    const res = await getText(balancer);
    expect(res.status).toBe(502);
    expect(res.text).toContain('502 Bad Gateway');
  });

  it('504 when the target sends nothing within the idle timeout', async () => {
    const { balancer } = await setupBalancer(1, { idleTimeoutMs: 300 });
    expect((await getText(balancer, '/slow?ms=1500')).status).toBe(504);
  });

  it('502 for a malformed response (Content-Length with chunked), and that connection is closed, not reused', async () => {
    // A raw target: a valid answer to health checks and /ok, a response with ambiguous framing to anything else.
    const sockets = new Set<Socket>();
    let connections = 0;
    const raw = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('data', (data) => {
        const line = data.toString('latin1').split('\r\n')[0] ?? '';
        socket.write(
          line.includes(' /health ') || line.includes(' /ok ')
            ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
            : 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
        );
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const { balancer } = await setupBalancer(0);
    try {
      const port = (raw.address() as { port: number }).port;
      balancer.register('i-raw', '127.0.0.1', port);
      await until(() => balancer.group.get('i-raw')?.state === 'healthy', 5000, 'raw target healthy');
      expect((await getText(balancer, '/ok')).text).toBe('ok');
      const before = connections;
      const bad = await getText(balancer, '/smuggle');
      expect(bad.status).toBe(502);
      expect(bad.text).toContain('502 Bad Gateway');
      // The connection that carried the bad response is gone: the next request needs a new one.
      expect((await getText(balancer, '/ok')).text).toBe('ok');
      expect(connections).toBe(before + 1);
    } finally {
      for (const socket of sockets) socket.destroy();
      raw.close();
    }
  });

  it('passes the target’s own 5xx through unchanged (that is not the balancer’s error)', async () => {
    const { balancer, upstreams } = await setupBalancer(1);
    (upstreams[0] as ToyUpstream).healthy = false;
    const res = await fetch(`${balancer.url}/health`);
    expect(res.status).toBe(500);
    expect(res.headers.get('server')).not.toBe('awselb/2.0');
  });
});

describe('beyond ALB (opt-in)', () => {
  it('off by default: a refused connection is a 502, not retried', async () => {
    const { balancer, upstreams } = await setupBalancer(2);
    await (upstreams[0] as ToyUpstream).close();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await getText(balancer, '/')).status);
    expect(statuses).toContain(502);
  });

  it('retryIdempotentOnce: a GET whose target refuses the connection is answered by another target', async () => {
    const { balancer, upstreams } = await setupBalancer(2, { retryIdempotentOnce: true });
    await (upstreams[0] as ToyUpstream).close();
    for (let i = 0; i < 6; i++) {
      const res = await getText(balancer, '/');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-upstream')).toBe('u1');
    }
  });

  it('outlier ejection: after N consecutive errors a target gets no traffic for the ejection time', async () => {
    const { balancer, upstreams } = await setupBalancer(2, {
      outlierEjection: { consecutiveErrors: 2, ejectMs: 60_000 },
    });
    await (upstreams[0] as ToyUpstream).close();
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await getText(balancer, '/')).status);
    expect(statuses.filter((s) => s === 502)).toHaveLength(2);
    expect(statuses.slice(-5)).toEqual([200, 200, 200, 200, 200]);
  });
});
