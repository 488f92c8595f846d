import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpBalancers, getText, setupBalancer, until } from './balancer-harness.js';
import type { ToyUpstream } from './fixtures/toy-upstream.js';

afterEach(cleanUpBalancers);

// What a forwarded request and its response carry: X-Forwarded-*, trace id, routing, streamed bodies, keep-alive, 460.

describe('forwarding', () => {
  it('adds X-Forwarded-For (appended), -Proto, -Port and an X-Amzn-Trace-Id; keeps a trace id it was given', async () => {
    const { balancer } = await setupBalancer(1);
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
    const rr = await setupBalancer(2);
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await getText(rr.balancer, '/')).headers.get('x-upstream'));
    expect(new Set(order).size).toBe(2);
    expect(order[0]).not.toBe(order[1]);
    expect(order[1]).not.toBe(order[2]);

    const lor = await setupBalancer(2, { algorithm: 'least_outstanding_requests' });
    const slow = fetch(`${lor.balancer.url}/slow?ms=700`);
    await until(() => lor.balancer.group.all().some((t) => t.inFlight === 1), 2000, 'one busy');
    const busy = lor.balancer.group.all().find((t) => t.inFlight === 1)?.id;
    const idleName = busy === 'i-0' ? 'u1' : 'u0';
    for (let i = 0; i < 4; i++)
      expect((await getText(lor.balancer, '/')).headers.get('x-upstream')).toBe(idleName);
    await slow;
  });

  it('streams large bodies both ways and reuses upstream connections (keep-alive)', async () => {
    const { balancer, upstreams } = await setupBalancer(1);
    const u = upstreams[0] as ToyUpstream;
    const upload = Buffer.alloc(5 * 1024 * 1024, 98);
    const echoed = await fetch(`${balancer.url}/echo`, { method: 'POST', body: upload });
    expect(((await echoed.json()) as { bytes: number }).bytes).toBe(upload.length);
    // A body the client sends chunked (no Content-Length) is re-chunked to the target, whole.
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = request(`${balancer.url}/echo`, { method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      for (let i = 0; i < 64; i++) req.write(Buffer.alloc(16 * 1024, 99));
      req.end();
    });
    expect((JSON.parse(chunked) as { bytes: number }).bytes).toBe(64 * 16 * 1024);
    const download = await fetch(`${balancer.url}/big?kb=8192`);
    expect((await download.arrayBuffer()).byteLength).toBe(8192 * 1024);
    for (let i = 0; i < 20; i++) await getText(balancer, '/');
    // 23 proxied requests, made one after another, over a single upstream connection.
    expect(u.log).toHaveLength(23);
    expect(new Set(u.log.map((l) => l.fromPort)).size).toBe(1);
  });

  it('passes a Content-Length body on as it comes (first bytes before a pause), whole, and HEAD without one', async () => {
    const { balancer, upstreams } = await setupBalancer(1);
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
    expect((await getText(balancer, '/')).status).toBe(200);
    // Both GETs reused one upstream connection: the response framing was right. (undici closes its connection
    // after a HEAD, in case a server sends a body anyway, so the last request may use a new one.)
    const [big, one] = (upstreams[0] as ToyUpstream).log;
    expect(one?.fromPort).toBe(big?.fromPort);
  });

  it('counts a client that hangs up before the response as 460', async () => {
    const { balancer } = await setupBalancer(1);
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
