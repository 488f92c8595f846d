import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importArtillery } from '../src/load/importers/artillery.js';
import { mergedPercentileMs } from '../src/load/trend.js';
import { type LoadTarget, startLoadTarget } from './fixtures/load-targets.js';
import { REPO } from './fleet-harness.js';

const BIN = join(REPO, 'packages', 'fleetproof', 'bin', 'fleetproof.js');
const dir = mkdtempSync(join(tmpdir(), 'fleetproof-load-'));
let target: LoadTarget;
beforeAll(async () => {
  target = await startLoadTarget();
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function load(...args: string[]): Promise<{ code: number; out: string }> {
  return loadWithEnv({}, ...args);
}

function loadWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'load', ...args],
      { cwd: REPO, timeout: 120_000, env: { ...process.env, NO_COLOR: '1', ...env } },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          out: `${stdout}${stderr}`,
        }),
    );
  });
}

// The first report's k6 script, with its stages shortened from minutes to seconds.
const k6Seed = (url: string, threshold: string) => `
import http from 'k6/http';
import { check, sleep } from 'k6';
export let options = {
  stages: [
    { duration: '3s', target: 50 },
    { duration: '3s', target: 50 },
    { duration: '2s', target: 0 },
  ],
  thresholds: { http_req_duration: ['${threshold}'], http_req_failed: ['rate<0.01'] },
};
export default function () {
  let res = http.post('${url}');
  check(res, { 'status was 200': (r) => r.status == 200 });
  sleep(1);
}
`;

// The second report's Artillery script: ramp up, then hold; GET the index, then POST a login.
const artillerySeed = (url: string) => `
config:
  target: "${url}"
  phases:
    - duration: 4
      arrivalRate: 5
      rampTo: 20
    - duration: 2
      arrivalRate: 20
  ensure:
    maxErrorRate: 1
    thresholds:
      - http.response_time.p99: 500
scenarios:
  - name: index then login
    flow:
      - get:
          url: "/"
      - post:
          url: "/auth/login"
          json: { email: "demo@fleetproof.local", password: "fleetproof-demo" }
          capture:
            - json: "$.token"
              as: token
      - get:
          url: "/me"
          headers:
            authorization: "Bearer {{ token }}"
          expect:
            - statusCode: 200
`;

describe('fleetproof load with the field reports’ scripts', () => {
  it('runs the k6 script (ramp to 50 VUs, hold, ramp down; POST, check 200, sleep 1): thresholds pass, exit 0', async () => {
    const { code, out } = await load(script('seed.js', k6Seed(`${target.url}/`, 'p(95)<500')), '--json');
    expect(code, out).toBe(0);
    const { summary, thresholds } = JSON.parse(out);
    expect(summary.vus.max).toBe(50);
    expect(summary.checks.fails).toBe(0);
    expect(summary.checks.passes).toBe(summary.http_reqs.count);
    // About 1 request per VU per second: ∫VUs dt = 75 + 150 + 50 = 275 VU·s over 8 s.
    expect(summary.http_reqs.count).toBeGreaterThan(180);
    expect(summary.http_reqs.count).toBeLessThan(330);
    expect(thresholds.every((t: { passed: boolean }) => t.passed)).toBe(true);
  }, 60_000);

  it('exits 99 when a threshold fails, and says which', async () => {
    const { code, out } = await load(script('seed-strict.js', k6Seed(`${target.url}/`, 'p(95)<0.001')));
    expect(code).toBe(99);
    expect(out).toContain('✗ http_req_duration p(95)<0.001');
    expect(out).toContain('[FLEET_ERR_THRESHOLDS]');
  }, 60_000);

  it('gives k6 scripts the environment as __ENV, a plain object the script may change', async () => {
    const path = script(
      'env.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 1, iterations: 3 };
export default function () {
  __ENV.VISITS = String(Number(__ENV.VISITS ?? 0) + 1);
  check(http.get(__ENV.FLEET_TARGET), { 'reached the target': (r) => r.status === 200 });
  check(__ENV.VISITS, { 'keeps what the script wrote': (v) => Number(v) >= 1 });
}
`,
    );
    const { code, out } = await loadWithEnv({ FLEET_TARGET: `${target.url}/` }, path, '--json');
    expect(code, out).toBe(0);
    const { summary } = JSON.parse(out);
    expect(summary.http_reqs.count).toBe(3);
    expect(summary.checks).toMatchObject({ passes: 6, fails: 0 });
  }, 60_000);

  it('runs the Artillery script (ramp then hold; index, login, captured token): all vusers complete', async () => {
    const { code, out } = await load(script('seed.yml', artillerySeed(target.url)));
    expect(code, out).toBe(0);
    // (5 + 20)/2 × 4 + 20 × 2 = 90 arrivals, 3 requests each.
    expect(out).toMatch(/vusers\.created \/ completed \/ failed: 90 \/ 90 \/ 0/);
    expect(out).toMatch(/http_reqs\.+: 270 /);
    // Artillery's ensure: maxErrorRate and a p99 threshold (metric < max), judged as the ensure plugin does.
    expect(out).toContain('✓ ensure maxErrorRate < 1 (actual 0)');
    expect(out).toMatch(/✓ ensure http\.response_time\.p99 < 500 \(actual \d/);
  }, 60_000);

  it('writes the per-second series as NDJSON with --out', async () => {
    const out = join(dir, 'series.ndjson');
    const { code } = await load(script('short.yml', artillerySeed(target.url)), '--out', out, '--json');
    expect(code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const busy = lines.find((l) => l.rps > 0);
    expect(Object.keys(busy).sort()).toEqual([
      'dropped',
      'elapsedMs',
      'errors',
      'failed',
      'latencyHdr',
      'p50Ms',
      'p95Ms',
      'p99Ms',
      'rps',
      't',
      'vus',
    ]);
    // Each second's durations as a compressed HDR histogram: merged, they give a window's exact percentiles.
    expect(mergedPercentileMs([busy.latencyHdr], 99)).toBeCloseTo(busy.p99Ms, 0);
  }, 60_000);
});

describe('tests written in TypeScript', () => {
  it('runs a .ts test whose default export has the Artillery shape', async () => {
    const file = script(
      'login.ts',
      `const test = {
  config: { target: ${JSON.stringify(target.url)}, phases: [{ duration: 2, arrivalRate: 10 }] },
  scenarios: [{ flow: [{ post: { url: '/auth/login', json: { password: 'fleetproof-demo' }, capture: { json: '$.token', as: 'token' } } }, { get: { url: '/me', headers: { authorization: 'Bearer {{ token }}' }, expect: { statusCode: 200 } } }] }],
} satisfies Record<string, unknown>;
export default test;\n`,
    );
    const { code, out } = await load(file, '--json');
    expect(code, out).toBe(0);
    const { summary } = JSON.parse(out);
    expect(summary.vusers).toEqual({ created: 20, completed: 20, failed: 0 });
  }, 30_000);

  it('runs a scenario from fleetproof.config.ts with --scenario, aimed elsewhere with --target', async () => {
    const { code, out } = await load('--scenario', 'index-then-login', '--target', target.url, '--json');
    expect(code, out).toBe(0);
    const { summary } = JSON.parse(out);
    // (1 + 10)/2 × 20 + 10 × 10 = 210 virtual users, two requests each.
    expect(summary.vusers.created).toBe(210);
    expect(summary.http_reqs.count).toBe(420);
  }, 90_000);

  it('names an unknown scenario and lists the known ones', async () => {
    const { code, out } = await load('--scenario', 'nope');
    expect(code).toBe(2);
    expect(out).toContain('--scenario: got "nope", expected one of index-then-login');
  });
});

// k6 scripts' refusals are in test/compat/k6-compat.test.ts.
describe('importers refuse what they do not support, naming it', () => {
  it('Artillery: names every item it cannot run as Artillery would, each with its line', () => {
    const source = [
      'config:',
      '  target: http://x',
      '  engines: { ws: {} }',
      '  plugins:',
      '    publish-metrics: []',
      '  phases: [{ duration: 1, arrivalRate: 1 }]',
      'before:',
      '  flow: []',
      'scenarios:',
      '  - flow:',
      '      - get:',
      '          url: /',
      '          capture: { xpath: "//a", as: link }',
      '      - emit: { channel: x }',
    ].join('\n');
    const path = join(dir, 'refused.yml');
    writeFileSync(path, source);
    let message = '';
    try {
      importArtillery(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('these 5 Artillery features as Artillery would');
    expect(message).toContain('line 3: config.engines');
    expect(message).toContain('line 5: config.plugins.publish-metrics');
    expect(message).toContain('line 7: before (test-level hooks)');
    expect(message).toMatch(/line 1[23]: scenarios\[0\]\.flow\[0\]\.get\.capture\.xpath/);
    expect(message).toContain('line 14: scenarios[0].flow[1].emit');
  });

  it('takes config.target from --target, as artillery run --target does; without either it refuses', () => {
    const script =
      "config:\n  phases: [{ duration: 1, arrivalRate: 1 }]\nscenarios: [{ flow: [{ get: { url: '/' } }] }]";
    const plan = importArtillery(join(dir, 't.yml'), script, { target: 'http://svc.local' });
    expect([plan.target, plan.artillery?.config.target]).toEqual(['http://svc.local', 'http://svc.local']);
    expect(() => importArtillery(join(dir, 't.yml'), script)).toThrow(/config.target missing.*--target/);
  });

  it('reads Artillery phases the way Artillery does', () => {
    const plan = importArtillery(
      join(dir, 'p.yml'),
      "config:\n  target: http://x\n  phases:\n    - { duration: 60, arrivalRate: 1, rampTo: 10, maxVusers: 50 }\n    - { pause: 5 }\n    - { duration: '1m', arrivalCount: 30 }\nscenarios: [{ flow: [{ get: { url: '/' } }] }]",
    );
    expect(plan.scenarios[0]?.executor).toEqual({
      type: 'arrivals',
      label: 'Artillery phases',
      preAllocatedVUs: 10,
      maxVUs: 50,
      phases: [
        { kind: 'ramp', durationMs: 60_000, from: 1, to: 10 },
        { kind: 'pause', durationMs: 5000 },
        { kind: 'count', durationMs: 60_000, count: 30 },
      ],
    });
  });
});
