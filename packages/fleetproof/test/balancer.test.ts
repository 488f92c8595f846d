import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Balancer } from '../src/balancer/balancer.js';
import { rawRequest, startBalancer, until } from './balancer-harness.js';
import { startToyUpstream, type ToyUpstream } from './fixtures/toy-upstream.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(count: number, over: Parameters<typeof startBalancer>[0] = {}) {
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

const get = async (balancer: Balancer, path = '/') => {
  const res = await fetch(`${balancer.url}${path}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
};

describe('(d) requests that smuggle or exceed limits', () => {
  const H = 'Host: x\r\n';
  const corpus: [string, string, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      '400',
    ],
    [
      'duplicate differing Content-Length',
      `POST /b HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
      '400',
    ],
    [
      'invalid chunk size',
      `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      '400',
    ],
    ['obs-fold header continuation', `GET /d HTTP/1.1\r\n${H}X-A: a\r\n  folded\r\n\r\n`, '400'],
    ['bare LF in headers', `GET /e HTTP/1.1\r\n${H}X-A: a\nX-B: b\r\n\r\n`, '400'],
    ['bare CR in headers', `GET /f HTTP/1.1\r\n${H}X-A: a\rX-B: b\r\n\r\n`, '400'],
    ['space before the colon', `POST /g HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, '400'],
    [
      'Transfer-Encoding listed twice',
      `POST /h HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`,
      '400',
    ],
    ['signed Content-Length', `POST /i HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\nhello`, '400'],
    ['NUL in a header value', `GET /j HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`, '400'],
    ['one header over 16 KB', `GET /k HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, '431'],
    [
      'headers over 64 KB in total',
      `GET /l HTTP/1.1\r\n${H}${Array.from({ length: 9 }, (_, i) => `X-${i}: ${'a'.repeat(8000)}\r\n`).join('')}\r\n`,
      '431',
    ],
    [
      'Transfer-Encoding other than chunked',
      `POST /m HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc`,
      '501',
    ],
    [
      'X-Forwarded-For with 31 addresses',
      `GET /n HTTP/1.1\r\n${H}X-Forwarded-For: ${Array(31).fill('10.0.0.1').join(', ')}\r\n\r\n`,
      '463',
    ],
  ];

  it.each(corpus)('%s → %s and the connection is closed', async (_name, payload, status) => {
    const { balancer, upstreams } = await setup(1);
    const result = await rawRequest(balancer.url, payload);
    expect(result.statusLine).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(result.closed).toBe(true);
    expect(upstreams[0]?.log).toEqual([]);
  });

  it('a well-formed request on the same kind of connection reaches the upstream', async () => {
    const { balancer, upstreams } = await setup(1);
    const result = await rawRequest(balancer.url, 'GET /fine HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(result.statusLine).toBe('HTTP/1.1 200 OK');
    expect(upstreams[0]?.log.map((l) => l.url)).toEqual(['/fine']);
  });
});

describe('(e) fail open and no targets', () => {
  it('routes to every registered target when none is healthy', async () => {
    const { balancer, upstreams } = await setup(2);
    for (const u of upstreams) u.healthy = false;
    await until(() => balancer.group.all().every((t) => t.state === 'unhealthy'), 5000, 'all unhealthy');
    expect(balancer.group.all().map((t) => t.reason)).toEqual([
      'Target.ResponseCodeMismatch',
      'Target.ResponseCodeMismatch',
    ]);
    expect(balancer.group.failingOpen).toBe(true);
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await get(balancer, '/x');
      expect(res.status).toBe(200);
      names.add(res.headers.get('x-upstream') ?? '');
    }
    expect([...names].sort()).toEqual(['u0', 'u1']);
  });

  it('routes only to healthy targets while at least one is healthy', async () => {
    const { balancer, upstreams } = await setup(2);
    (upstreams[1] as ToyUpstream).healthy = false;
    await until(() => balancer.group.get('i-1')?.state === 'unhealthy', 5000, 'i-1 unhealthy');
    for (let i = 0; i < 6; i++) expect((await get(balancer, '/x')).headers.get('x-upstream')).toBe('u0');
  });

  it('answers 503 (from the balancer, as ALB words it) when no target is registered', async () => {
    const balancer = await startBalancer();
    cleanups.push(() => balancer.stop());
    const res = await get(balancer);
    expect(res.status).toBe(503);
    expect(res.headers.get('server')).toBe('awselb/2.0');
    expect(res.text).toContain('503 Service Temporarily Unavailable');
  });

  it('a new target becomes healthy after one passing check; an unhealthy one needs the healthy threshold', async () => {
    const { balancer, upstreams } = await setup(1, {
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
    const { balancer, upstreams } = await setup(2, { deregistrationDelayMs: 5000 });
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
      expect((await get(balancer, '/after')).headers.get('x-upstream')).toBe(other.name);
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
    const { balancer } = await setup(1, { deregistrationDelayMs: 300 });
    const slow = fetch(`${balancer.url}/slow?ms=3000`).then((r) => r.status);
    await until(() => (balancer.group.get('i-0')?.inFlight ?? 0) === 1, 2000, 'in flight');
    await balancer.deregister('i-0');
    expect(await slow).toBe(502);
  });
});

describe('502 and 504 exactly when ALB sends them', () => {
  it('502 when the target refuses the connection', async () => {
    const { balancer, upstreams } = await setup(1);
    await (upstreams[0] as ToyUpstream).close();
    const res = await get(balancer);
    expect(res.status).toBe(502);
    expect(res.text).toContain('502 Bad Gateway');
  });

  it('504 when the target sends nothing within the idle timeout', async () => {
    const { balancer } = await setup(1, { idleTimeoutMs: 300 });
    expect((await get(balancer, '/slow?ms=1500')).status).toBe(504);
  });

  it('passes the target’s own 5xx through unchanged (that is not the balancer’s error)', async () => {
    const { balancer, upstreams } = await setup(1);
    (upstreams[0] as ToyUpstream).healthy = false;
    const res = await fetch(`${balancer.url}/health`);
    expect(res.status).toBe(500);
    expect(res.headers.get('server')).not.toBe('awselb/2.0');
  });
});

describe('idle timeout on the client side', () => {
  it('408 for a client that starts a request and sends nothing more within the idle timeout', async () => {
    const { balancer, upstreams } = await setup(1, { idleTimeoutMs: 400 });
    const result = await rawRequest(balancer.url, 'GET /partial HTTP/1.1\r\nHost: x\r\n', 3000);
    expect(result.statusLine).toMatch(/^HTTP\/1.1 408 /);
    expect(result.closed).toBe(true);
    expect(upstreams[0]?.log).toEqual([]);
  });

  it('closes an idle keep-alive connection after the idle timeout', async () => {
    const { balancer } = await setup(1, { idleTimeoutMs: 400 });
    const { hostname, port } = new URL(balancer.url);
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), hostname);
      let start = 0;
      socket.on('data', () => {
        start = Date.now();
      });
      socket.on('close', () => resolve(Date.now() - start));
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(closedAfter).toBeGreaterThanOrEqual(300);
    expect(closedAfter).toBeLessThan(3000);
  });
});

describe('forwarding', () => {
  it('adds X-Forwarded-For (appended), -Proto, -Port and an X-Amzn-Trace-Id; keeps a trace id it was given', async () => {
    const { balancer } = await setup(1);
    const res = await fetch(`${balancer.url}/h`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    const { headers } = (await res.json()) as { headers: Record<string, string> };
    expect(headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-port']).toBe(new URL(balancer.url).port);
    expect(headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const traced = await fetch(`${balancer.url}/h`, {
      headers: { 'x-amzn-trace-id': 'Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa' },
    });
    expect(((await traced.json()) as { headers: Record<string, string> }).headers['x-amzn-trace-id']).toBe(
      'Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa',
    );
  });

  it('round robin alternates; least outstanding requests avoids the busy target', async () => {
    const rr = await setup(2);
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await get(rr.balancer, '/')).headers.get('x-upstream'));
    expect(new Set(order).size).toBe(2);
    expect(order[0]).not.toBe(order[1]);
    expect(order[1]).not.toBe(order[2]);

    const lor = await setup(2, { algorithm: 'least_outstanding_requests' });
    const slow = fetch(`${lor.balancer.url}/slow?ms=700`);
    await until(() => lor.balancer.group.all().some((t) => t.inFlight === 1), 2000, 'one busy');
    const busy = lor.balancer.group.all().find((t) => t.inFlight === 1)?.id;
    const idleName = busy === 'i-0' ? 'u1' : 'u0';
    for (let i = 0; i < 4; i++)
      expect((await get(lor.balancer, '/')).headers.get('x-upstream')).toBe(idleName);
    await slow;
  });

  it('streams large bodies both ways and reuses upstream connections (keep-alive)', async () => {
    const { balancer, upstreams } = await setup(1);
    const u = upstreams[0] as ToyUpstream;
    const upload = Buffer.alloc(5 * 1024 * 1024, 98);
    const echoed = await fetch(`${balancer.url}/echo`, { method: 'POST', body: upload });
    expect(((await echoed.json()) as { bytes: number }).bytes).toBe(upload.length);
    const download = await fetch(`${balancer.url}/big?kb=8192`);
    expect((await download.arrayBuffer()).byteLength).toBe(8192 * 1024);
    for (let i = 0; i < 20; i++) await get(balancer, '/');
    // 22 proxied requests, made one after another, over a single upstream connection.
    expect(u.log).toHaveLength(22);
    expect(new Set(u.log.map((l) => l.fromPort)).size).toBe(1);
  });

  it('passes a Content-Length body on as it comes (first bytes before a pause), whole, and HEAD without one', async () => {
    const { balancer, upstreams } = await setup(1);
    const started = Date.now();
    const response = await fetch(`${balancer.url}/sized?kb=64&pauseMs=1000`);
    expect(response.headers.get('content-length')).toBe(String(64 * 1024));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const firstByteMs = Date.now() - started;
    let bytes = first.value?.byteLength ?? 0;
    for (let next = await reader.read(); !next.done; next = await reader.read())
      bytes += next.value.byteLength;
    // The first KB was not held back until the rest arrived.
    expect(firstByteMs).toBeLessThan(800);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(bytes).toBe(64 * 1024);
    // A one-read body (the fast path) and HEAD (a Content-Length, no body).
    const small = await fetch(`${balancer.url}/sized?kb=1`);
    expect((await small.arrayBuffer()).byteLength).toBe(1024);
    const head = await fetch(`${balancer.url}/sized?kb=4`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('4096');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    expect((await get(balancer, '/')).status).toBe(200);
    // Both GETs reused one upstream connection: the response framing was right. (undici closes its connection
    // after a HEAD, in case a server sends a body anyway, so the last request may use a new one.)
    const [big, one] = (upstreams[0] as ToyUpstream).log;
    expect(one?.fromPort).toBe(big?.fromPort);
  });

  it('counts a client that hangs up before the response as 460', async () => {
    const { balancer } = await setup(1);
    await new Promise<void>((resolve) => {
      const req = request(`${balancer.url}/slow?ms=2000`);
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await until(() => balancer.counters.clientClosed === 1, 3000, '460 counted');
    expect(balancer.group.get('i-0')?.inFlight).toBe(0);
  });
});

describe('beyond ALB (opt-in)', () => {
  it('off by default: a refused connection is a 502, not retried', async () => {
    const { balancer, upstreams } = await setup(2);
    await (upstreams[0] as ToyUpstream).close();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(balancer, '/')).status);
    expect(statuses).toContain(502);
  });

  it('retryIdempotentOnce: a GET whose target refuses the connection is answered by another target', async () => {
    const { balancer, upstreams } = await setup(2, { retryIdempotentOnce: true });
    await (upstreams[0] as ToyUpstream).close();
    for (let i = 0; i < 6; i++) {
      const res = await get(balancer, '/');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-upstream')).toBe('u1');
    }
  });

  it('outlier ejection: after N consecutive errors a target gets no traffic for the ejection time', async () => {
    const { balancer, upstreams } = await setup(2, {
      outlierEjection: { consecutiveErrors: 2, ejectMs: 60_000 },
    });
    await (upstreams[0] as ToyUpstream).close();
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(balancer, '/')).status);
    expect(statuses.filter((s) => s === 502)).toHaveLength(2);
    expect(statuses.slice(-5)).toEqual([200, 200, 200, 200, 200]);
  });
});
