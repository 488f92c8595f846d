import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/browser.js';
import type { DashboardUpdate } from '../src/dashboard/dashboard-view.js';
import { findFreePort } from '../src/util/free-port.js';
import { waitForExit } from '../src/util/process-alive.js';
import { BIN, cli, up } from './cli-harness.js';
import { REPO, until } from './fleet-harness.js';

// A service in another language, written for this test: Python's standard library HTTP server.
const PYTHON_SERVICE = `import json, os, signal, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        body = b'ok' if self.path == '/healthz' else json.dumps(
            {'version': os.environ.get('APP_VERSION'), 'instance': os.environ.get('INSTANCE_ID')}).encode()
        self.send_response(200)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer((os.environ.get('HOST', '127.0.0.1'), int(os.environ['PORT'])), Handler)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server.serve_forever()
`;

const projects: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await waitForExit(child.pid ?? 0, 30_000);
  }
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

async function pythonProject(): Promise<{ dir: string; listener: string }> {
  mkdirSync(join(REPO, '.fleetproof'), { recursive: true });
  const dir = mkdtempSync(join(REPO, '.fleetproof', 'dashboard-project-'));
  projects.push(dir);
  const port = await findFreePort();
  writeFileSync(join(dir, 'service.py'), PYTHON_SERVICE);
  writeFileSync(
    join(dir, 'fleetproof.config.ts'),
    `export default {
  service: { name: 'py', command: ['python3', 'service.py'], port: 4200, version: 'V1' },
  instance: { cpus: 1, memoryMiB: 256 },
  healthCheck: { path: '/healthz', healthyThreshold: 2, unhealthyThreshold: 2 },
  balancer: { port: ${port} },
  scaling: { min: 1, max: 3, enabled: false },
  timing: { profile: 'fast', fast: { healthCheckGracePeriodSeconds: 2, deregistrationDelaySeconds: 1 } },
};\n`,
  );
  writeFileSync(
    join(dir, 'steady.yml'),
    `config:\n  target: http://127.0.0.1:${port}\n  phases: [{ duration: 40, arrivalRate: 10 }]\nscenarios:\n  - flow:\n      - get: { url: / }\n`,
  );
  return { dir, listener: `http://127.0.0.1:${port}` };
}

const dashboardUrl = (output: string) =>
  /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output)?.[1];

/** The page's last server-sent update, as its client keeps it. */
const latest = (page: Page) =>
  page.evaluate(() => {
    const state = (globalThis as unknown as { fleetproofDashboard?: { latest: unknown; updates: number } })
      .fleetproofDashboard;
    return { update: (state?.latest ?? null) as DashboardUpdate | null, updates: state?.updates ?? 0 };
  });

async function pageUntil(
  page: Page,
  what: string,
  check: (u: DashboardUpdate) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { update } = await latest(page);
    if (update && check(update)) return update;
    if (Date.now() > deadline) throw new Error(`dashboard: timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

const chart = (u: DashboardUpdate, suffix: string) => u.charts.find((c) => c.id === `live-${suffix}`);

describe('the live dashboard (real Chromium, a Python service)', () => {
  it('up’s page follows a load, scales and stops an instance from its buttons; load’s page shows the same fleet', async () => {
    const { dir } = await pythonProject();
    const fleet = up(dir);
    children.push(fleet.child);
    await until(() => /ready: /.test(fleet.output()), 60_000, `up ready:\n${fleet.output()}`);
    const url = dashboardUrl(fleet.output());
    expect(url, fleet.output()).toBeDefined();
    const base = (url as string).replace(/\/\?token=.*/, '');

    // The page and its stream are refused without the token, and an action without the Bearer header.
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/stream`)).status).toBe(401);
    const token = (url as string).split('token=')[1];
    const noHeader = await fetch(`${base}/action/scale?token=${token}`, {
      method: 'POST',
      body: '{"desired":2}',
    });
    expect(noHeader.status).toBe(401);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
      page.on('crash', () => errors.push('the page crashed'));
      await page.goto(url as string);
      await page.waitForSelector('#live-balancer canvas');
      expect(await page.textContent('#connection')).toBe('live');

      const load = spawn(process.execPath, [BIN, 'load', 'steady.yml'], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(load);
      let loadOut = '';
      load.stdout?.on('data', (c: Buffer) => {
        loadOut += c;
      });
      load.stderr?.on('data', (c: Buffer) => {
        loadOut += c;
      });

      // The charts advance with no reload: later seconds, and the load's requests through the balancer.
      const first = await pageUntil(page, 'balancer requests', (u) =>
        (chart(u, 'balancer')?.series[0]?.values ?? []).some((v) => (v ?? 0) > 0),
      );
      const firstX = chart(first, 'balancer')?.x.at(-1) ?? 0;
      const later = await pageUntil(
        page,
        'a later second',
        (u) => (chart(u, 'balancer')?.x.at(-1) ?? 0) >= firstX + 3,
      );
      expect(later.at).toBeGreaterThan(first.at);
      expect(later.targets.map((t) => t.health)).toEqual(['healthy']);

      // load's own page: its charts, and the fleet of this project beside them.
      await until(() => dashboardUrl(loadOut) !== undefined, 20_000, `load's dashboard URL:\n${loadOut}`);
      const loadPage = await (
        await browser.newContext({ viewport: { width: 1300, height: 1000 } })
      ).newPage();
      loadPage.on('pageerror', (e) => errors.push(`load page: ${e.message}`));
      await loadPage.goto(dashboardUrl(loadOut) as string);
      const loadView = await pageUntil(
        loadPage,
        'load traffic and the fleet’s targets',
        (u) =>
          (chart(u, 'traffic')?.series[0]?.values ?? []).some((v) => (v ?? 0) > 0) &&
          u.targets.length > 0 &&
          u.actions.enabled,
      );
      expect(chart(loadView, 'latency')).toBeDefined();
      expect(chart(loadView, 'cpu')).toBeDefined();
      await loadPage.screenshot({ path: join(REPO, 'test-artifacts', 'dashboard-load.png'), fullPage: true });
      await loadPage.close();

      // Scale from the page: the fleet (asked through the CLI) goes to 2 in service.
      expect(errors).toEqual([]);
      await page.fill('#desired', '2');
      await page.click('#scale');
      await page.waitForFunction(() =>
        (globalThis as unknown as { document: Document }).document
          .querySelector('#action-result')
          ?.textContent?.includes('"desired":2'),
      );
      const status = async () => JSON.parse((await cli(dir, 'status', '--json')).out).group;
      const deadline = Date.now() + 45_000;
      let group = await status();
      while (group.instances.filter((i: { health: string }) => i.health === 'healthy').length < 2) {
        if (Date.now() > deadline) throw new Error(`2 healthy not reached: ${JSON.stringify(group)}`);
        await new Promise((r) => setTimeout(r, 500));
        group = await status();
      }
      expect(group.desired).toBe(2);
      const scaled = await pageUntil(page, 'two healthy targets', (u) => u.group?.healthy === 2);
      expect(scaled.charts.every((c) => c.marks?.some((m) => m.label === 'desired 2'))).toBe(true);

      // Stop one instance from its row: it drains, the group replaces it, the timeline marks it.
      const victim = scaled.targets[0]?.id as string;
      await page.click(`button.stop[data-id="${victim}"]`);
      const replaced = await pageUntil(
        page,
        'the stopped instance replaced',
        (u) =>
          u.group?.healthy === 2 &&
          !u.targets.some((t) => t.id === victim) &&
          u.events.some((e) => e.reason === 'TerminateInstance'),
        45_000,
      );
      expect(
        chart(replaced, 'instances')?.marks?.some((m) => m.label === `stopped ${victim.slice(0, 10)}`),
      ).toBe(true);
      expect(await page.locator('#events tr').count()).toBeGreaterThan(3);

      // A fault from the page: the hung instance turns unhealthy with ALB's reason code, shaded on the charts.
      await page.selectOption('#fault-kind', 'hang');
      await page.click('#fault');
      // The unhealthy state lasts until the group's next reconcile replaces it: the timeline keeps it.
      const hung = await pageUntil(
        page,
        'a target turned unhealthy with Target.Timeout',
        (u) => u.events.some((e) => e.reason === 'Target.Timeout'),
        45_000,
      );
      expect(chart(hung, 'balancer')?.spans?.[0]?.label).toMatch(/^hang i-/);
      expect(chart(hung, 'cpu')?.marks?.some((m) => /^unhealthy i-\S+ Target\.Timeout$/.test(m.label))).toBe(
        true,
      );
      expect(await page.locator('#events tr.fault code').allTextContents()).toContain('FaultHang');

      // Deploy from the page: an instance refresh to V2, its steps marked, every target V2 at the end.
      await pageUntil(
        page,
        'two healthy again',
        (u) => u.group?.healthy === 2 && u.targets.length === 2,
        60_000,
      );
      await page.fill('#version', 'V2');
      await page.click('#deploy');
      const deployed = await pageUntil(
        page,
        'the refresh to V2 done',
        (u) =>
          u.events.some((e) => e.reason === 'RefreshSuccessful') &&
          u.targets.length === 2 &&
          u.targets.every((t) => t.version === 'V2' && t.health === 'healthy'),
        90_000,
      );
      expect(chart(deployed, 'instances')?.marks?.map((m) => m.label)).toEqual(
        expect.arrayContaining(['refresh started', 'refresh: launch', 'refresh done']),
      );

      mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(REPO, 'test-artifacts', 'dashboard-up.png'), fullPage: true });
      expect(errors).toEqual([]);
      load.kill('SIGINT');
      await waitForExit(load.pid ?? 0, 20_000);
    } finally {
      await browser.close();
    }
    fleet.child.kill('SIGINT');
    await waitForExit(fleet.child.pid ?? 0, 30_000);
  }, 240_000);
});
