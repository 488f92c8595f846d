import { describe, expect, it } from 'vitest';
import { CookieJar, domainMatches, parseSetCookie, pathMatches } from './cookie-jar.js';
import { digestAuthorization, parseDigestChallenge } from './digest-auth.js';
import { canonicalHeader, encodeBody } from './http-body.js';
import { gjson } from './http-response.js';
import { parseMetricKey, tagsMatch } from './metric-sink.js';
import { blankComments, scanK6Source } from './scan-k6-source.js';

const SERVED = { k6: ['check', 'sleep', 'group', 'default'], 'k6/http': ['get', 'post', 'default'] };

describe('scanK6Source', () => {
  it.each([
    ["import ws from 'k6/ws';", ['line 1: import from "k6/ws" (WebSockets)']],
    ["import { get, asyncRequest } from 'k6/http';", ['line 1: asyncRequest from "k6/http"']],
    ["import http from 'k6/http';\n\nhttp.asyncRequest('GET', u);", ['line 3: http.asyncRequest (k6/http)']],
    ["import http from 'k6/http';\n// http.asyncRequest() in a comment\nhttp.get(u);", []],
    [
      "import x from 'https://example.com/lib.js';",
      ['line 1: import from "https://example.com/lib.js" (a remote module)'],
    ],
    [
      "import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';",
      ['line 1: textSummary from "https://jslib.k6.io/k6-summary/0.0.2/index.js"'],
    ],
    [
      "import fs from 'node:fs';",
      ['line 1: import from "node:fs" (a Node.js module, which k6 does not have)'],
    ],
    [
      'const doc = res.html();\nres.submitForm({});',
      ['line 1: Response.html() (k6/html parsing)', 'line 2: Response.submitForm() (k6/html parsing)'],
    ],
  ])('%s', (source, problems) => {
    expect(scanK6Source(source, SERVED).problems).toEqual(problems);
  });

  it('lists the script’s own modules to scan in turn', () => {
    expect(
      scanK6Source("import { a } from './lib/a.js';\nimport b from '../b.ts';", SERVED).localImports,
    ).toEqual(['./lib/a.js', '../b.ts']);
  });

  it('blanks comments but keeps lines and strings', () => {
    expect(blankComments("a /* x\ny */ b // c\n'// kept'")).toBe("a     \n     b     \n'// kept'");
  });
});

describe('cookie jar (RFC 6265)', () => {
  const url = new URL('http://shop.example.com/cart/items');
  it.each([
    ['a=1', { name: 'a', value: '1', domain: 'shop.example.com', hostOnly: true, path: '/cart' }],
    ['a=1; Path=/; Domain=.example.com', { domain: 'example.com', hostOnly: false, path: '/' }],
    ['a=1; Max-Age=10; Expires=Thu, 01 Jan 1970 00:00:00 GMT', { expiresAt: 1_000 + 10_000 }],
    ['a=1; Secure; HttpOnly', { secure: true, httpOnly: true }],
  ])('parses %s', (header, expected) => {
    expect(parseSetCookie(header, url, 1_000)).toMatchObject(expected);
  });

  it('ignores a cookie for a domain the server is not in', () => {
    expect(parseSetCookie('a=1; Domain=other.com', url, 0)).toBeUndefined();
  });

  it.each([
    ['a.example.com', 'example.com', true],
    ['example.com', 'example.com', true],
    ['badexample.com', 'example.com', false],
    ['10.0.0.1', '0.0.1', false],
  ])('domain %s matches %s: %s', (host, domain, ok) => expect(domainMatches(host, domain)).toBe(ok));

  it.each([
    ['/cart/items', '/cart', true],
    ['/cartons', '/cart', false],
    ['/cart', '/cart/', false],
    ['/', '/', true],
  ])('path %s matches %s: %s', (path, cookiePath, ok) => expect(pathMatches(path, cookiePath)).toBe(ok));

  it('sends matching, unexpired cookies, longer paths first; Max-Age=0 deletes', () => {
    const jar = new CookieJar();
    jar.storeFromResponse(
      ['root=r; Path=/', 'deep=d; Path=/cart', 'old=o; Max-Age=1', 'secure=s; Secure'],
      url,
      0,
    );
    expect(jar.matching(url, 500).map((c) => c.name)).toEqual(['deep', 'old', 'root']);
    expect(jar.matching(url, 2_000).map((c) => c.name)).toEqual(['deep', 'root']);
    jar.storeFromResponse(['root=; Path=/; Max-Age=0'], url, 3_000);
    expect(jar.matching(url, 3_000).map((c) => c.name)).toEqual(['deep']);
  });
});

describe('digest access authentication', () => {
  // RFC 7616 section 3.9.1: the example's challenge, credentials and cnonce give its responses.
  const header =
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
  const credentials = { username: 'Mufasa', password: 'Circle of Life' };
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('answers the RFC 7616 example with %s', (algorithm, response) => {
    const challenge = parseDigestChallenge(header.replace('MD5', algorithm));
    expect(challenge).toBeDefined();
    const answer = digestAuthorization(
      challenge as NonNullable<typeof challenge>,
      credentials,
      'GET',
      '/dir/index.html',
      cnonce,
    );
    expect(answer).toContain(`response="${response}"`);
    expect(answer).toContain('qop=auth, nc=00000001');
  });
});

describe('request bodies and headers as k6 makes them', () => {
  it.each([
    [{ a: ['1', '2'], b: 'x y' }, 'a=1&a=2&b=x+y'],
    ['raw text', 'raw text'],
  ])('encodes %j as %s', (body, expected) => {
    expect(encodeBody(body, {})).toBe(expected);
  });

  it.each([
    ['content-type', 'Content-Type'],
    ['x-request-id', 'X-Request-Id'],
    ['ETAG', 'Etag'],
  ])('canonical header %s → %s', (name, canonical) => expect(canonicalHeader(name)).toBe(canonical));

  it.each([
    ['a.b.1', { a: { b: [1, 2] } }, 2],
    ['list.#', { list: [1, 2, 3] }, 3],
    ['a\\.b', { 'a.b': 5 }, 5],
    ['missing.x', {}, undefined],
  ])('gjson %s', (selector, value, expected) => expect(gjson(value, selector)).toBe(expected));
});

describe('metric keys with tag filters', () => {
  it.each([
    ['http_req_duration', 'http_req_duration', {}],
    ['http_req_duration{name:login}', 'http_req_duration', { name: 'login' }],
    ['checks{group:::shop, kind:"order"}', 'checks', { group: '::shop', kind: 'order' }],
  ])('%s', (key, metric, filter) => expect(parseMetricKey(key)).toEqual({ metric, filter }));

  it('matches samples carrying every tag of the filter', () => {
    expect(tagsMatch({ name: 'a', status: '200' }, { name: 'a' })).toBe(true);
    expect(tagsMatch({ name: 'b' }, { name: 'a' })).toBe(false);
  });
});
