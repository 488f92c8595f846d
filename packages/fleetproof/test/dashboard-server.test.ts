import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardServer, type DashboardSource } from '../src/dashboard/dashboard-server.js';
import type { DashboardSnapshot } from '../src/dashboard/dashboard-view.js';
import { proveSource } from '../src/dashboard/prove-source.js';
import { fleetSecond, run } from '../src/prove/recording-builders.test-support.js';
import type { ExperimentResult, LiveRun } from '../src/prove/types.js';

const snapshot = (o: Partial<DashboardSnapshot> = {}): DashboardSnapshot => ({
  title: 'literal fleet',
  recording: run({ startedAt: 0, fleet: [fleetSecond(0), fleetSecond(1000)] }),
  group: undefined,
  targetCpuPercent: 50,
  now: 2000,
  actions: { enabled: true, faults: [{ kind: 'hang', defaults: {} }] },
  ...o,
});

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(
  source: DashboardSource,
): Promise<{ base: string; token: string; server: DashboardServer }> {
  const server = new DashboardServer(source, { intervalMs: 100 });
  servers.push(server);
  const url = await server.start();
  const [base, token] = url.split('/?token=') as [string, string];
  return { base, token, server };
}

/** The stream's text, raw, up to where `until` says it has enough. */
function readStream(url: string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c;
        if (until(text)) {
          req.destroy();
          resolve(text);
        }
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The stream's first update (the one a page gets on connecting), parsed. */
const firstUpdate = async (url: string) =>
  JSON.parse(/data: (.*)\n\n/.exec(await readStream(url, (t) => /data: .*\n\n/.test(t)))?.[1] ?? '{}');

const post = (base: string, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('the dashboard server', () => {
  it('serves the page and its stream on loopback only with the token, and the page needs no network', async () => {
    const { base, token } = await serve({ snapshot: () => snapshot() });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/', `/?token=${token.slice(1)}x`, '/stream', '/stream?token=']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
    }
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    // Everything inline: no script, style or image from anywhere.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('uPlot');
    const first = await firstUpdate(`${base}/stream?token=${token}`);
    expect(first).toMatchObject({ title: 'literal fleet', at: 2 });
    expect(first.charts.map((c: { id: string }) => c.id)).toContain('live-cpu');
  });

  it('takes actions only with the token as a Bearer header, and says what was wrong with one', async () => {
    const calls: string[] = [];
    const called = (what: string, result: object) => {
      calls.push(what);
      return result;
    };
    const { base, token } = await serve({
      snapshot: () => snapshot(),
      actions: {
        scale: async (desired) => called(`scale ${desired}`, { desired }),
        deploy: async (version) => called(`deploy ${version}`, { version }),
        terminate: async (id) => called(`terminate ${id}`, { instanceId: id }),
        fault: async (kind, body) => called(`fault ${kind} ${JSON.stringify(body)}`, { kind }),
      },
    });
    const bearer = { authorization: `Bearer ${token}` };
    expect((await post(base, `/action/scale?token=${token}`, '{"desired":2}')).status).toBe(401);
    expect((await post(base, '/action/scale', '{"desired":2}', bearer)).status).toBe(202);
    expect((await post(base, '/action/deploy', '{"version":" V2 "}', bearer)).status).toBe(202);
    expect((await post(base, '/action/terminate', '{"instanceId":"i-a"}', bearer)).status).toBe(202);
    expect((await post(base, '/action/fault/az-outage', '{"forMs":5}', bearer)).status).toBe(202);
    expect(calls).toEqual(['scale 2', 'deploy V2', 'terminate i-a', 'fault az-outage {"forMs":5}']);

    const refused = async (path: string, body: string) => {
      const res = await post(base, path, body, bearer);
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await refused('/action/deploy', '{}')).toEqual([
      400,
      'version: got undefined, expected a name such as "V2"',
    ]);
    expect(await refused('/action/terminate', '{"instanceId":7}')).toEqual([
      400,
      'instanceId: got 7, expected an instance id',
    ]);
    expect(await refused('/action/scale', 'desired=2')).toEqual([
      400,
      'request body: got "desired=2", expected a JSON object',
    ]);
    expect(await refused('/action/reboot', '{}')).toEqual([
      400,
      'action: got "reboot", expected scale, deploy, terminate or fault/<kind>',
    ]);
    expect(calls).toHaveLength(4);
  });

  it('prove’s page is read-only and says why; it follows the current run and lists the verdicts', async () => {
    const live: LiveRun = {
      recording: run({ label: 'scale: before', startedAt: Date.now() - 3000, fleet: [fleetSecond(0)] }),
      fleet: { group: { status: () => ({ desired: 1, min: 1, max: 2, instances: [], zones: [] }) } } as never,
      config: { scaling: { targetCpuPercent: 40 } } as never,
    };
    const { base, token } = await serve(
      proveSource('prove', {
        current: live,
        results: [{ id: 'capacity', title: 'Capacity', passed: false } as ExperimentResult],
      }),
    );
    const res = await post(base, '/action/scale', '{"desired":2}', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^this dashboard is read-only: read-only while prove runs: its experiments drive these fleets/,
    );
    const view = await firstUpdate(`${base}/stream?token=${token}`);
    expect(view).toMatchObject({
      run: 'scale: before',
      verdicts: [{ id: 'capacity', title: 'Capacity', passed: false }],
      actions: { enabled: false },
    });
  });

  it('tells open pages the run ended before it closes', async () => {
    const { base, token, server } = await serve({ snapshot: () => snapshot() });
    const reading = readStream(`${base}/stream?token=${token}`, (t) => t.includes('event: end'));
    await new Promise((r) => setTimeout(r, 150));
    servers.splice(servers.indexOf(server), 1);
    await server.stop();
    expect(await reading).toContain('event: end');
  });
});
