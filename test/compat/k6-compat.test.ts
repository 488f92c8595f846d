/**
 * k6 compatibility: scripts written in k6's documented style, run by `fleetproof load` against a server that
 * records what it received. Each test names the k6 documentation page whose behaviour it checks.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RecordingServer, startRecordingServer } from './recording-server.js';
import { fleetproofLoad, project } from './run-fleetproof.js';

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/**
 * Every test runs twice: inline where the analysis proves the rewrite safe (the default) and on a thread per VU
 * (FLEETPROOF_K6_THREADS=1, always exact): both must send the same requests.
 */
let runtimeEnv: Record<string, string> = {};
const run = (files: Record<string, string>, env: Record<string, string> = {}) => {
  const dir = project(files);
  const args = [Object.keys(files)[0] as string, '-e', `BASE=${server.url}`];
  return { dir, result: fleetproofLoad(dir, args, { ...runtimeEnv, ...env }) };
};
const paths = () => server.seen().map((s) => `${s.method} ${s.path}`);

describe.each([
  ['inline where the analysis allows (the default)', {}],
  ['on a thread per VU (FLEETPROOF_K6_THREADS=1)', { FLEETPROOF_K6_THREADS: '1' }],
])('%s', (_runtime, env: Record<string, string>) => {
  beforeAll(() => {
    runtimeEnv = env;
  });

  describe('k6: the execution model', () => {
    // https://grafana.com/docs/k6/latest/using-k6/modules/ (local modules), .../javascript-api/k6/group/
    it('runs http calls from helpers, imported local modules, group callbacks and array callbacks, in order', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { group } from 'k6';
import { visit } from './lib/pages.js';
export const options = { iterations: 1 };
function helper(path) { return http.get(__ENV.BASE + path); }
export default function () {
  helper('/one');
  group('pages', () => { ['/two', '/three'].forEach((p) => visit(p)); });
  const sizes = ['/four'].map((p) => helper(p).status);
  http.get(__ENV.BASE + '/five?status=' + sizes[0]);
}`,
        'lib/pages.js': `import http from 'k6/http';\nexport function visit(p) { return deeper(p); }\nfunction deeper(p) { return http.get(__ENV.BASE + p); }`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths()).toEqual(['GET /one', 'GET /two', 'GET /three', 'GET /four', 'GET /five']);
      expect(server.seen()[4]?.query.status).toEqual(['200']);
    });

    // https://grafana.com/docs/k6/latest/using-k6/test-lifecycle/ : the init context runs once per VU.
    it('gives each VU its own module state: a login-once-per-VU script logs in once per VU', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
let token;
export const options = { vus: 3, iterations: 9 };
export default function () {
  if (!token) token = http.post(__ENV.BASE + '/login', 'u=' + __VU).json('token');
  http.get(__ENV.BASE + '/items', { headers: { Authorization: 'Bearer ' + token, 'X-VU': String(__VU) } });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths().filter((p) => p === 'POST /login')).toHaveLength(3);
      const items = server.seen().filter((s) => s.path === '/items');
      expect(items).toHaveLength(9);
      expect(new Set(items.map((s) => s.headers['x-vu']))).toEqual(new Set(['1', '2', '3']));
      expect(items.every((s) => s.headers.authorization === 'Bearer token-3')).toBe(true);
    });

    // https://grafana.com/docs/k6/latest/using-k6/test-lifecycle/ : setup's data reaches every VU and teardown.
    it('calls setup once, hands its data to the VUs and teardown, then teardown once', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
export const options = { vus: 2, iterations: 4 };
export function setup() { return { token: http.post(__ENV.BASE + '/login', 'setup').json('token') }; }
export default function (data) { http.get(__ENV.BASE + '/work', { headers: { 'X-Token': data.token } }); }
export function teardown(data) { http.del(__ENV.BASE + '/session', null, { headers: { 'X-Token': data.token } }); }`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths()).toEqual([
        'POST /login',
        'GET /work',
        'GET /work',
        'GET /work',
        'GET /work',
        'DELETE /session',
      ]);
      expect(
        server
          .seen()
          .slice(1)
          .every((s) => s.headers['x-token'] === 'token-5'),
      ).toBe(true);
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6-timers/ : an iteration ends when its timers have run.
    it('waits for k6/timers callbacks before the iteration ends', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { setTimeout } from 'k6/timers';
export const options = { iterations: 2 };
export default function () {
  setTimeout(() => http.get(__ENV.BASE + '/later?iter=' + __ITER), 50);
  http.get(__ENV.BASE + '/now?iter=' + __ITER);
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(server.seen().map((s) => `${s.path}?${s.query.iter}`)).toEqual([
        '/now?0',
        '/later?0',
        '/now?1',
        '/later?1',
      ]);
    });

    it("refuses a request made in the init context with k6's message", async () => {
      const { result } = run({
        'script.js': `import http from 'k6/http';\nhttp.get(__ENV.BASE + '/x');\nexport default function () {}`,
      });
      const { code, out } = await result;
      expect(code).toBe(9);
      expect(out).toContain('Making http requests in the init context is not supported');
      expect(server.seen()).toHaveLength(0);
    });

    // https://grafana.com/docs/k6/latest/using-k6/javascript-typescript-compatibility-mode/ : k6 runs .ts scripts.
    it('runs a TypeScript k6 script importing a TypeScript module', async () => {
      const { result } = run({
        'script.ts': `
import http from 'k6/http';
import { check } from 'k6';
import { path, type Page } from './page.ts';
export const options = { iterations: 1 };
export default function (): void {
  const page: Page = { name: 'home' };
  const res = http.get(__ENV.BASE + path(page));
  check(res, { 'is 200': (r) => r.status === 200 });
}`,
        'page.ts': `export interface Page { name: string }\nexport const path = (p: Page): string => '/pages/' + p.name;`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths()).toEqual(['GET /pages/home']);
    });
  });

  describe('k6: metrics, checks, thresholds and the summary', () => {
    // https://grafana.com/docs/k6/latest/javascript-api/k6-metrics/ and .../using-k6/thresholds/
    it('keeps custom metrics with tags, judges thresholds on them and on tagged sub-metrics', async () => {
      const script = (limit: string) => ({
        'script.js': `
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
const orders = new Counter('orders');
const size = new Gauge('cart_size');
const ok = new Rate('orders_ok');
const wait = new Trend('order_wait', true);
export const options = {
  iterations: 4,
  thresholds: {
    orders: ['count==4'],
    orders_ok: ['rate>0.7'],
    cart_size: ['value==3'],
    order_wait: ['p(95)<10000'],
    'http_req_duration{name:slow}': ['${limit}'],
    'checks{kind:order}': ['rate==1'],
  },
};
export default function () {
  const res = http.get(__ENV.BASE + '/slow/60', { tags: { name: 'slow' } });
  http.get(__ENV.BASE + '/fast');
  orders.add(1, { shop: 'a' });
  size.add(3);
  ok.add(__ITER !== 0);
  wait.add(res.timings.duration);
  check(res, { 'order placed': (r) => r.status === 200 }, { kind: 'order' });
}`,
      });
      const pass = await run(script('p(95)<5000')).result;
      expect(pass.code, pass.out).toBe(0);
      expect(pass.out).toMatch(/✓ orders\.+: 4 /);
      expect(pass.out).toMatch(/cart_size\.+: 3 min=3 max=3/);
      expect(pass.out).toMatch(/orders_ok\.+: 75\.00% ✓ 3 ✗ 1/);
      expect(server.seen()).toHaveLength(8);
      const fail = await run(script('p(95)<20')).result;
      expect(fail.code).toBe(99);
      expect(fail.out).toMatch(/✗ http_req_duration\{name:slow\} p\(95\)<20 \(actual \d+/);
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6/group/ and .../using-k6/checks/
    it('counts checks per group and times groups', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { check, group } from 'k6';
export const options = { iterations: 2, thresholds: { 'group_duration{group:::shop}': ['max<10000'] } };
export default function () {
  group('shop', () => {
    check(http.get(__ENV.BASE + '/status/200'), { 'shop is up': (r) => r.status === 200 });
    group('cart', () => { check(http.get(__ENV.BASE + '/status/404'), { 'cart is up': (r) => r.status === 200 }); });
  });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(out).toContain('█ shop');
      expect(out).toContain('✓ shop is up');
      expect(out).toContain('█ cart');
      expect(out).toMatch(/✗ cart is up\s+↳ {2}0% — ✓ 0 \/ ✗ 2/);
      expect(out).toMatch(/checks\.+: 50\.00% ✓ 2 ✗ 2/);
    });

    // https://grafana.com/docs/k6/latest/results-output/end-of-test/custom-summary/
    it('calls handleSummary with the summary data; textSummary from the jslib URL; files written', async () => {
      const { dir, result } = run({
        'script.js': `
import http from 'k6/http';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';
export const options = { iterations: 3, thresholds: { http_reqs: ['count==3'] } };
export default function () { http.get(__ENV.BASE + '/x'); }
export function handleSummary(data) {
  return { stdout: 'CUSTOM\\n' + textSummary(data, { indent: ' ', enableColors: false }), 'summary.json': JSON.stringify(data) };
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(out).toContain('CUSTOM');
      expect(out).toMatch(/✓ http_reqs\.+: 3 /);
      const data = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
      expect(data.metrics.http_reqs.values.count).toBe(3);
      expect(data.metrics.http_reqs.thresholds['count==3'].ok).toBe(true);
      expect(data.root_group).toMatchObject({ name: '', groups: [], checks: [] });
    });
  });

  describe('k6: HTTP as k6 sends it', () => {
    // https://grafana.com/docs/k6/latest/using-k6/cookies/
    it('keeps a per-VU cookie jar, emptied before each iteration; res.cookies; params.cookies; cookieJar().set', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 2 };
export default function () {
  const before = http.get(__ENV.BASE + '/before');
  const login = http.post(__ENV.BASE + '/login', 'x');
  check(login, { 'sid cookie': (r) => r.cookies.sid[0].value.length === 8 && r.cookies.sid[0].http_only === true });
  http.cookieJar().set(__ENV.BASE, 'lang', 'fr');
  http.get(__ENV.BASE + '/after', { cookies: { seen: { value: '2', replace: true }, extra: 'e' } });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      const cookies = server.seen().map((s) => `${s.path}: ${s.headers.cookie ?? ''}`);
      expect(cookies[0]).toBe('/before: ');
      const sent = (cookies[2] ?? '').replace('/after: ', '').split('; ').sort();
      expect(sent).toEqual(['extra=e', 'lang=fr', 'seen=2', expect.stringMatching(/^sid=\w{8}$/)]);
      expect(cookies[3]).toBe('/before: ');
      expect(out).toMatch(/checks\.+: 100\.00%/);
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6-http/batch/
    it('sends http.batch requests in parallel and answers in the shape asked (array and object)', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
export const options = { iterations: 1 };
export default function () {
  const list = http.batch([__ENV.BASE + '/slow/100', ['GET', __ENV.BASE + '/slow/100'], { method: 'POST', url: __ENV.BASE + '/slow/100', body: 'b' }]);
  const named = http.batch({ a: __ENV.BASE + '/a', b: ['GET', __ENV.BASE + '/b'] });
  http.get(__ENV.BASE + '/report?n=' + list.length + '&statuses=' + list.map((r) => r.status).join(',') + '&a=' + named.a.json('path'));
}`,
      });
      const started = Date.now();
      const { code, out } = await result;
      expect(code, out).toBe(0);
      const slow = server.seen().filter((s) => s.path === '/slow/100');
      expect(slow).toHaveLength(3);
      expect(Math.max(...slow.map((s) => s.at)) - Math.min(...slow.map((s) => s.at))).toBeLessThan(80);
      const report = server.seen().at(-1);
      expect(report?.query).toMatchObject({ n: ['3'], statuses: ['200,200,200'], a: ['/a'] });
      expect(Date.now() - started).toBeGreaterThan(100);
    });

    // https://grafana.com/docs/k6/latest/examples/http-authentication/
    it('sends URL credentials as basic auth, and answers a digest challenge with auth: "digest"', async () => {
      const host = server.url.replace('http://', '');
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 1, thresholds: { checks: ['rate==1'] } };
export default function () {
  check(http.get('http://user:passwd@${host}/basic'), { basic: (r) => r.status === 200 });
  check(http.get('http://user:passwd@${host}/digest', { auth: 'digest' }), { digest: (r) => r.status === 200 && r.json('authenticated') === true });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths()).toEqual(['GET /basic', 'GET /digest', 'GET /digest']);
      expect(server.seen()[2]?.headers.authorization).toMatch(/^Digest username="user", realm="fleetproof"/);
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6-http/post/ (objects as forms) and .../k6-http/file/
    it('repeats form keys for array values and sends http.file() as multipart', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
export const options = { iterations: 1 };
export default function () {
  http.post(__ENV.BASE + '/form', { tag: ['a', 'b'], q: 'x y' });
  http.post(__ENV.BASE + '/upload', { file: http.file('hello file', 'hello.txt', 'text/plain'), note: 'n' });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      const [form, upload] = server.seen();
      expect(form?.body).toBe('tag=a&tag=b&q=x+y');
      expect(form?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(upload?.body).toContain(
        'Content-Disposition: form-data; name="file"; filename="hello.txt"\r\nContent-Type: text/plain\r\n\r\nhello file',
      );
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6-http/response/ and .../k6-http/params/ (redirects)
    it('follows redirects (each hop a request), exposes k6 response fields, honours redirects: 0', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
export const options = { iterations: 1 };
export default function () {
  const r = http.get(__ENV.BASE + '/redirect/2');
  const stay = http.get(__ENV.BASE + '/redirect/1', { redirects: 0 });
  http.get(__ENV.BASE + '/report', { headers: { 'X-Seen': [r.status, r.url.endsWith('/redirect/0'), r.proto, r.status_text, r.headers['Content-Type'], stay.status, r.request.method].join('|') } });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(paths()).toEqual([
        'GET /redirect/2',
        'GET /redirect/1',
        'GET /redirect/0',
        'GET /redirect/1',
        'GET /report',
      ]);
      expect(server.seen().at(-1)?.headers['x-seen']).toBe(
        '200|true|HTTP/1.1|200 OK|application/json|302|GET',
      );
      expect(server.seen()[0]?.headers['user-agent']).toMatch(/^k6\//);
    });
  });

  describe('k6: the other modules', () => {
    // https://grafana.com/docs/k6/latest/javascript-api/k6-encoding/ and .../k6-crypto/
    it('encodes and hashes as k6/encoding and k6/crypto do', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import encoding from 'k6/encoding';
import { hmac, sha256, createHash } from 'k6/crypto';
export const options = { iterations: 1 };
export default function () {
  const h = createHash('md5'); h.update('a'); h.update('b');
  http.get(__ENV.BASE + '/x', { headers: {
    'X-B64': encoding.b64encode('hi?>'), 'X-B64URL': encoding.b64encode('hi?>', 'rawurl'),
    'X-Back': encoding.b64decode('aGk/Pg==', 'std', 's'),
    'X-Hmac': hmac('sha256', 'key', 'data', 'hex'), 'X-Sha': sha256('data', 'base64'), 'X-Md5': h.digest('hex') } });
}`,
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      const h = server.seen()[0]?.headers ?? {};
      expect(h['x-b64']).toBe(Buffer.from('hi?>').toString('base64'));
      expect(h['x-b64url']).toBe(Buffer.from('hi?>').toString('base64url'));
      expect(h['x-back']).toBe('hi?>');
      expect(h['x-hmac']).toBe(createHmac('sha256', 'key').update('data').digest('hex'));
      expect(h['x-sha']).toBe(createHash('sha256').update('data').digest('base64'));
      expect(h['x-md5']).toBe(createHash('md5').update('ab').digest('hex'));
    });

    // https://grafana.com/docs/k6/latest/javascript-api/init-context/open/ and .../k6-data/sharedarray/
    it('reads files with open() and shares them with SharedArray; each iteration picks its user by exec', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
const users = new SharedArray('users', () => JSON.parse(open('./data/users.json')));
export const options = { vus: 2, iterations: 4 };
export default function () {
  const user = users[exec.scenario.iterationInTest % users.length];
  http.post(__ENV.BASE + '/login', JSON.stringify(user), { headers: { 'X-Iter': String(exec.scenario.iterationInTest), 'X-Scenario': exec.scenario.name } });
}`,
        'data/users.json': JSON.stringify([{ name: 'ana' }, { name: 'bo' }, { name: 'cy' }, { name: 'di' }]),
      });
      const { code, out } = await result;
      expect(code, out).toBe(0);
      const logins = server.seen();
      expect(logins.map((s) => JSON.parse(s.body).name).sort()).toEqual(['ana', 'bo', 'cy', 'di']);
      expect(logins.map((s) => s.headers['x-iter']).sort()).toEqual(['0', '1', '2', '3']);
      expect(logins[0]?.headers['x-scenario']).toBe('default');
    });

    // https://grafana.com/docs/k6/latest/javascript-api/k6-secrets/ (secrets redacted from logs)
    it('reads k6/secrets from the environment and redacts them from console output', async () => {
      const { result } = run(
        {
          'script.js': `
import http from 'k6/http';
import secrets from 'k6/secrets';
export const options = { iterations: 1 };
export default async function () {
  const key = await secrets.get('API_KEY');
  console.log('using key ' + key);
  http.get(__ENV.BASE + '/x', { headers: { 'X-Api-Key': key } });
}`,
        },
        { API_KEY: 's3cr3t-value' },
      );
      const { code, out } = await result;
      expect(code, out).toBe(0);
      expect(server.seen()[0]?.headers['x-api-key']).toBe('s3cr3t-value');
      expect(out).toContain('using key ***SECRET_REDACTED***');
      expect(out).not.toContain('s3cr3t-value');
    }, 30_000);
  });

  describe('k6: what fleetproof cannot run is refused before any request', () => {
    it('names every unsupported item with its file and line, and sends nothing', async () => {
      const { result } = run({
        'script.js': `
import http from 'k6/http';
import ws from 'k6/ws';
import { helper } from './helper.js';
export default function () {
  http.asyncRequest('GET', __ENV.BASE + '/x');
  const doc = http.get(__ENV.BASE + '/x').html();
}`,
        'helper.js': `import grpc from 'k6/net/grpc';\nexport const helper = 1;`,
      });
      const { code, out } = await result;
      expect(code).toBe(9);
      expect(out).toContain('these 4 k6 features as k6 would');
      expect(out).toContain('script.js line 3: import from "k6/ws" (WebSockets)');
      expect(out).toContain('script.js line 6: http.asyncRequest (k6/http)');
      expect(out).toContain('script.js line 7: Response.html() (k6/html parsing)');
      expect(out).toContain('helper.js line 1: import from "k6/net/grpc" (gRPC)');
      expect(server.seen()).toHaveLength(0);
    });

    it('names every option it would not honour, and a threshold on a metric the script never declares', async () => {
      const options = await run({
        'script.js': `export const options = { hosts: { 'a.test': '1.2.3.4' }, rps: 10, scenarios: { s: { executor: 'externally-controlled' } } };\nexport default function () {}`,
      }).result;
      expect(options.code).toBe(9);
      expect(options.out).toContain('options.hosts');
      expect(options.out).toContain('options.rps');
      expect(options.out).toContain('options.scenarios.s.executor "externally-controlled"');
      const threshold = await run({
        'script.js': `export const options = { thresholds: { my_metric: ['count>1'] } };\nexport default function () {}`,
      }).result;
      expect(threshold.code).toBe(9);
      expect(threshold.out).toContain('metric "my_metric" is not one fleetproof measures');
    });
  });
});

describe('k6: which runtime a script gets', () => {
  beforeAll(() => {
    runtimeEnv = {};
  });

  it('runs VUs inline when every path to a blocking call is known, and says so', async () => {
    const { result } = run({
      'script.js': `import http from 'k6/http';\nconst go = (p) => http.get(__ENV.BASE + p);\nexport const options = { iterations: 1 };\nexport default function () { go('/x'); }`,
    });
    const { code, out } = await result;
    expect(code, out).toBe(0);
    expect(out).toContain('k6 VUs: inline');
  });

  it('runs a thread per VU when a blocking function is passed as a value, naming the file and line', async () => {
    const { result } = run({
      'script.js': `import http from 'k6/http';\nexport const options = { iterations: 1 };\nexport default function () {\n  ['/a', '/b'].forEach((p) => http.get(__ENV.BASE + p));\n}`,
    });
    const { code, out } = await result;
    expect(code, out).toBe(0);
    expect(out).toContain('k6 VUs: a thread each');
    expect(out).toContain('script.js line 4: a function, which blocks, is used as a value');
    expect(paths()).toEqual(['GET /a', 'GET /b']);
  });
});
