import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOnce } from '../../../test/databases.js';
import { DEMO_USERS } from '../src/db/seed-demo-users.js';
import { type InProcessApi, migratedDatabase, startApi } from './api-harness.js';

let databaseUrl: string;
let api: InProcessApi;

beforeAll(async () => {
  databaseUrl = await migratedDatabase();
  // Few iterations: these tests check behaviour, not CPU cost.
  api = await startApi(databaseUrl, { APP_VERSION: 'V7', CPU_ITERATIONS: '10' });
});
afterAll(() => api?.stop());

async function json(path: string, init?: RequestInit) {
  const res = await fetch(`${api.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  json(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('GET / and POST /', () => {
  it('GET / reports the count, the 10 newest rows newest first, and the version message', async () => {
    for (let i = 0; i < 12; i++) expect((await json('/', { method: 'POST' })).status).toBe(200);
    const { status, body } = await json('/');
    expect(status).toBe(200);
    expect(body.message).toBe('Hello World! V7');
    expect(body.count).toBe(12);
    const latest = body.latest as { id: number; createdAt: string; updatedAt: string }[];
    expect(latest).toHaveLength(10);
    expect(latest.map((r) => r.id)).toEqual([...latest.map((r) => r.id)].sort((a, b) => b - a));
    expect(Object.keys(latest[0] ?? {}).sort()).toEqual(['createdAt', 'id', 'updatedAt']);
    expect(Number.isNaN(Date.parse(latest[0]?.createdAt ?? ''))).toBe(false);
  });

  it('POST / answers 200 with the id of a row that exists', async () => {
    const { status, body } = await json('/', { method: 'POST' });
    expect(status).toBe(200);
    expect(body.message).toBe('Hello Created! V7');
    expect(typeof body.id).toBe('number');
    const rows = await queryOnce(databaseUrl, 'SELECT id FROM logs WHERE id = $1', [body.id]);
    expect(rows).toHaveLength(1);
  });

  it('N concurrent POSTs raise the count by exactly N, with N distinct ids', async () => {
    const before = (await json('/')).body.count as number;
    const n = 40;
    const results = await Promise.all(Array.from({ length: n }, () => json('/', { method: 'POST' })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(n);
    expect((await json('/')).body.count).toBe(before + n);
  });
});

describe('login and /me', () => {
  const demo = DEMO_USERS[0];

  it('a seeded demo user logs in and the token opens /me', async () => {
    const login = await post('/auth/login', { email: demo.email, password: demo.password });
    expect(login.status).toBe(200);
    expect(login.body.tokenType).toBe('Bearer');
    const me = await json('/me', { headers: { authorization: `Bearer ${login.body.token}` } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(demo.email);
  });

  it('the email is matched case-insensitively', async () => {
    const login = await post('/auth/login', { email: demo.email.toUpperCase(), password: demo.password });
    expect(login.status).toBe(200);
  });

  it('a wrong password and an unknown email both get the same 401', async () => {
    const wrong = await post('/auth/login', { email: demo.email, password: 'not-the-password' });
    const unknown = await post('/auth/login', { email: 'nobody@fleetproof.local', password: 'whatever' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('/me refuses a missing, malformed or forged token', async () => {
    expect((await json('/me')).status).toBe(401);
    expect((await json('/me', { headers: { authorization: 'Bearer nonsense' } })).status).toBe(401);
    const login = await post('/auth/login', { email: demo.email, password: demo.password });
    const [header, payload] = String(login.body.token).split('.');
    const forged = `${header}.${payload}.c2lnbmF0dXJlLWZyb20tc29tZW9uZS1lbHNl`;
    expect((await json('/me', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });
});

describe('health and metrics', () => {
  it('/health is ready with the database and process indicators up', async () => {
    const { status, body } = await json('/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details).toMatchObject({ database: { status: 'up' }, process: { status: 'up' } });
  });

  it('/health/live answers without the database', async () => {
    expect((await json('/health/live')).body).toEqual({ status: 'ok' });
  });

  it('/metrics exposes request counts and latency by route and status, event-loop lag, CPU and memory', async () => {
    await fetch(`${api.url}/no-such-route`);
    const res = await fetch(`${api.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/",status="200",[^}]*\} \d+/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.1",[^}]*method="GET",route="\/",status="200"/,
    );
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('keeps idle connections longer than a balancer (65 s > 60 s) and headers longer still', async () => {
    expect(api.running.server.keepAliveTimeout).toBe(65_000);
    expect(api.running.server.headersTimeout).toBeGreaterThan(65_000);
    const res = await fetch(`${api.url}/health/live`);
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
  });
});
