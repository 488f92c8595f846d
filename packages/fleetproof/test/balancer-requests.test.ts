import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpBalancers, rawRequest, setupBalancer } from './balancer-harness.js';

afterEach(cleanUpBalancers);

// What the listener refuses or times out before any target sees it: smuggling, limits, ALB's client-side idle timeout.

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
    const { balancer, upstreams } = await setupBalancer(1);
    const result = await rawRequest(balancer.url, payload);
    expect(result.statusLine).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(result.closed).toBe(true);
    expect(upstreams[0]?.log).toEqual([]);
  });

  it('a well-formed request on the same kind of connection reaches the upstream', async () => {
    const { balancer, upstreams } = await setupBalancer(1);
    const result = await rawRequest(balancer.url, 'GET /fine HTTP/1.1\r\nHost: x\r\n\r\n', 300);
    expect(result.statusLine).toBe('HTTP/1.1 200 OK');
    expect(upstreams[0]?.log.map((l) => l.url)).toEqual(['/fine']);
  });
});

describe('idle timeout on the client side', () => {
  it('408 for a client that starts a request and sends nothing more within the idle timeout', async () => {
    const { balancer, upstreams } = await setupBalancer(1, { idleTimeoutMs: 400 });
    const result = await rawRequest(balancer.url, 'GET /partial HTTP/1.1\r\nHost: x\r\n', 3000);
    expect(result.statusLine).toMatch(/^HTTP\/1.1 408 /);
    expect(result.closed).toBe(true);
    expect(upstreams[0]?.log).toEqual([]);
  });

  it('closes an idle keep-alive connection after the idle timeout', async () => {
    const { balancer } = await setupBalancer(1, { idleTimeoutMs: 400 });
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
