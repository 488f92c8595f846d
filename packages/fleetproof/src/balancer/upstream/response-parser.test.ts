import { describe, expect, it } from 'vitest';
import { ResponseParser, UpstreamProtocolError } from './response-parser.js';

interface Parsed {
  status: number;
  headers: readonly string[];
  body: string;
  ended: boolean;
  keepAlive: boolean | undefined;
}

/** Parses `wire` fed whole and byte by byte (framing must not depend on read boundaries); both must agree. */
function parse(wire: string, options: { head?: boolean; close?: boolean } = {}): Parsed {
  const run = (pieces: Buffer[]): Parsed => {
    const out: Parsed = { status: 0, headers: [], body: '', ended: false, keepAlive: undefined };
    const parser = new ResponseParser(
      {
        onHead: (status, headers) => {
          out.status = status;
          out.headers = headers;
        },
        onBody: (chunk) => {
          out.body += chunk.toString('latin1');
        },
        onEnd: (keepAlive) => {
          out.ended = true;
          out.keepAlive = keepAlive;
        },
      },
      options.head ?? false,
    );
    for (const piece of pieces) parser.execute(piece);
    if (options.close) parser.closed();
    return out;
  };
  const bytes = Buffer.from(wire, 'latin1');
  const whole = run([bytes]);
  const byByte = run([...bytes].map((b) => Buffer.from([b])));
  expect(byByte).toEqual(whole);
  return whole;
}

const refused = (wire: string, options: { head?: boolean; close?: boolean } = {}) =>
  expect(() => parse(wire, options)).toThrow(UpstreamProtocolError);

describe('ResponseParser: framing', () => {
  it('Content-Length: body of that length, keep-alive by default on HTTP/1.1', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello');
    expect(r).toEqual({
      status: 200,
      headers: ['Content-Type', 'text/plain', 'Content-Length', '5'],
      body: 'hello',
      ended: true,
      keepAlive: true,
    });
  });

  it('chunked: chunks joined, extensions and trailers read and dropped', () => {
    const r = parse(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Sum: 1\r\n\r\n',
    );
    expect([r.body, r.ended, r.keepAlive]).toEqual(['hello world', true, true]);
  });

  it('neither length nor chunked: the body runs to the close and the connection is not reused', () => {
    const r = parse('HTTP/1.1 200 OK\r\n\r\nuntil the end', { close: true });
    expect([r.body, r.ended, r.keepAlive]).toEqual(['until the end', true, false]);
  });

  it('no body for HEAD, 204 and 304 whatever the headers say; Connection: close and HTTP/1.0 end keep-alive', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', { head: true })).toMatchObject({
      body: '',
      ended: true,
    });
    expect(parse('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n')).toMatchObject({ ended: true });
    expect(parse('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n')).toMatchObject({
      ended: true,
    });
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').keepAlive).toBe(
      true,
    );
  });

  it('skips 100 and 103 heads; the final head is the one reported', () => {
    const r = parse(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
    );
    expect([r.status, r.headers, r.body]).toEqual([201, ['Content-Length', '2'], 'ok']);
  });

  it('an empty reason phrase is allowed; a response cut short by the close is an error', () => {
    expect(parse('HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n').status).toBe(200);
    expect(parse('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n').status).toBe(200);
    refused('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', { close: true });
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', { close: true });
  });
});

describe('ResponseParser: refused (the balancer answers 502)', () => {
  it.each([
    ['a status line that is not HTTP/1.x NNN', 'HTTP/2 200 OK\r\n\r\n'],
    ['a status code below 100', 'HTTP/1.1 099 Odd\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
    ['a header name that is not a token', 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n'],
    ['a line without a colon', 'HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n'],
    ['a bare LF inside a field', 'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\nContent-Length: 0\r\n\r\n'],
    ['a bare CR inside a field', 'HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\nContent-Length: 0\r\n\r\n'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n'],
    [
      'both Transfer-Encoding and Content-Length',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n',
    ],
    [
      'differing Content-Length values',
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
    ],
    ['a non-numeric Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello'],
    ['a list in Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello'],
    [
      'a chunk size that is not hex',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    ],
    [
      'a negative chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n',
    ],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n',
    ],
    ['bytes after a complete response', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'],
  ])('%s', (_what, wire) => refused(wire));

  it('a head over 64 KB', () => {
    refused(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\nContent-Length: 0\r\n\r\n`);
  });

  it('duplicate equal Content-Length values are one length, not an error', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok').body).toBe('ok');
  });
});

describe('ResponseParser: one parser for a connection’s responses (reset between them)', () => {
  const collect = () => {
    const seen: { status: number; headers: readonly string[]; body: string; keepAliveS?: number }[] = [];
    const parser = new ResponseParser(
      {
        onHead: (status, headers, keepAliveS) =>
          seen.push({ status, headers, body: '', ...(keepAliveS !== undefined ? { keepAliveS } : {}) }),
        onBody: (chunk) => {
          (seen[seen.length - 1] as { body: string }).body += chunk.toString('latin1');
        },
        onEnd: () => {},
      },
      false,
    );
    const feed = (wire: string) => {
      parser.reset(false);
      parser.execute(Buffer.from(wire, 'latin1'));
    };
    return { seen, feed };
  };

  it('a repeated head gives the same fields; a head that differs is parsed anew (its own framing)', () => {
    const { seen, feed } = collect();
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n\r\n';
    feed(`${head}ok`);
    feed(`${head}no`);
    feed('HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmore');
    expect(seen).toEqual([
      { status: 200, headers: ['Content-Length', '2', 'Keep-Alive', 'timeout=5'], body: 'ok', keepAliveS: 5 },
      { status: 200, headers: ['Content-Length', '2', 'Keep-Alive', 'timeout=5'], body: 'no', keepAliveS: 5 },
      { status: 201, headers: ['Content-Length', '4'], body: 'more' },
    ]);
    // Handed out again for a repeated head, so nobody may change it.
    expect(Object.isFrozen(seen[0]?.headers)).toBe(true);
  });

  it('a head refused once is refused when it comes again (nothing of it is kept)', () => {
    const { feed } = collect();
    const bad = 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n';
    expect(() => feed(bad)).toThrow('invalid header line');
    expect(() => feed(bad)).toThrow('invalid header line');
  });

  it.each([
    ['HTTP/2 200 OK\r\nContent-Length: 0', 'invalid status line'],
    ['HTTP/1.1 200 OK\r\nX-A: one\x01two\r\nContent-Length: 0', 'control character in header X-A'],
    ['HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0', 'invalid header line'],
  ])('a refused head says which rule it broke: %j', (head, reason) => {
    const { feed } = collect();
    expect(() => feed(`${head}\r\n\r\n`)).toThrow(reason);
  });
});
