import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/browser.js';
import { createEmptyDatabase } from '../../../test/databases.js';
import type { ExperimentResult } from '../src/prove/types.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const ARTIFACTS = join(REPO, 'test-artifacts');

interface Finished {
  code: number | null;
  output: string;
  /** What prove's live dashboard showed while an experiment ran (its first update with a run). */
  live: { run: string; charts: string[]; verdicts: unknown[]; actionsEnabled: boolean } | undefined;
}

/** The dashboard's stream, read until an update shows a run with charts (or the deadline). */
async function watchDashboard(url: string, deadline: number): Promise<Finished['live']> {
  const stream = url.replace('/?token=', '/stream?token=');
  while (Date.now() < deadline) {
    const res = await fetch(stream).catch(() => undefined);
    const reader = res?.body?.getReader();
    let text = '';
    while (reader) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
      const data = /data: (.*)\n\n/.exec(text)?.[1];
      if (!data) continue;
      await reader.cancel();
      const update = JSON.parse(data);
      if (update.run !== 'waiting for a run' && update.charts.length > 0)
        return {
          run: update.run,
          charts: update.charts.map((c: { id: string }) => c.id),
          verdicts: update.verdicts,
          actionsEnabled: update.actions.enabled,
        };
      break;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  return undefined;
}

/** `fleetproof prove --quick` as a user runs it, on a fresh database of the test cluster. */
async function proveQuick(): Promise<Finished> {
  const child = spawn(process.execPath, ['packages/fleetproof/bin/fleetproof.js', 'prove', '--quick'], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: await createEmptyDatabase(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let watching: Promise<Finished['live']> | undefined;
  child.stdout.on('data', (chunk) => {
    output += chunk;
    const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output)?.[1];
    if (url && !watching) watching = watchDashboard(url, Date.now() + 120_000);
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output, live: await watching };
}

const byId = (results: ExperimentResult[], id: string) => {
  const result = results.find((r) => r.id === id);
  if (!result) throw new Error(`no ${id} in the results`);
  return result;
};
const failedChecks = (r: ExperimentResult) =>
  r.checks.filter((c) => !c.passed).map((c) => `${c.label}: ${c.measured}`);

describe('fleetproof prove --quick on this repository: the field reports as configuration (real fleet, load, Chromium)', () => {
  it("passes every verdict, shows the reports' figures beside ours, and the report draws every chart", async () => {
    const run = await proveQuick();
    const reportPath = /report {2}(\S+report\.html)/.exec(run.output)?.[1];
    const jsonPath = /data {4}(\S+prove\.json)/.exec(run.output)?.[1];
    expect(reportPath, run.output).toBeDefined();
    expect(jsonPath, run.output).toBeDefined();
    const { results } = JSON.parse(readFileSync(jsonPath as string, 'utf8')) as {
      results: ExperimentResult[];
    };
    expect(results.map((r) => r.id)).toEqual(['capacity', 'scale', 'deploy', 'crash', 'writes', 'variant']);
    for (const r of results) expect(failedChecks(r), `${r.id} ${r.title}`).toEqual([]);

    // The second report: one instance breaks the service level where the fleet fails nothing; its figures sit
    // beside ours. The instance that broke is the last single run (a first one that held is retried smaller),
    // and it may break by latency alone (the ramp stops 3 s later, before its queue turns into failures).
    const capacity = byId(results, 'capacity');
    const broken = capacity.runs.at(-2)?.summary;
    const fleet = capacity.runs.at(-1)?.summary;
    expect(broken, 'the single instance that broke').toBeDefined();
    const brokeLevel =
      (broken?.http_req_failed.passes ?? 0) > 0 ||
      (broken?.http_req_duration.p99 ?? 0) > capacity.serviceLevel.p99Ms;
    expect(brokeLevel, JSON.stringify(broken?.http_req_duration)).toBe(true);
    expect(fleet?.http_req_failed.passes).toBe(0);
    expect(capacity.rows.map((r) => r.label)).toContain('single EC2 (second report)');
    expect(run.output).toContain('37.6%');
    // The first report's blocking handler: judged dead (unhealthy) before target tracking acted; 5xx; async
    // scales out with no failure.
    const variant = byId(results, 'variant');
    const blocking = variant.runs[0]?.events ?? [];
    const firstUnhealthy = blocking.findIndex((e) => e.reason === 'Target.Timeout');
    const firstScaleOut = blocking.findIndex((e) => e.reason === 'ScaleOutCpuHigh');
    expect(firstUnhealthy).toBeGreaterThanOrEqual(0);
    if (firstScaleOut >= 0) expect(firstUnhealthy).toBeLessThan(firstScaleOut);
    expect(variant.runs[1]?.events.some((e) => e.reason === 'ScaleOutCpuHigh')).toBe(true);
    expect(byId(results, 'deploy').runs[0]?.summary?.http_req_failed.passes).toBe(0);
    expect(
      byId(results, 'scale')
        .runs.at(-1)
        ?.events.map((e) => e.reason),
    ).toEqual(expect.arrayContaining(['ScaleOutCpuHigh', 'ScaleInCpuLow']));
    expect(byId(results, 'writes').rows[0]?.values[3]).toBe('0'); // missing acknowledged writes
    expect(run.code, run.output).toBe(0);
    // The live dashboard followed an experiment's fleet while it ran, read-only.
    expect(run.live, run.output).toMatchObject({ actionsEnabled: false });
    expect(run.live?.charts).toEqual(expect.arrayContaining(['live-cpu', 'live-instances']));

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(String(e)));
      // The report must not reach the network: fail any request that is not the file itself.
      await page.route('**/*', (route) =>
        route.request().url().startsWith('file://') ? route.continue() : route.abort(),
      );
      await page.goto(`file://${reportPath}`);
      const charts = await page.locator('.chart').count();
      const drawn = await page.evaluate(() =>
        [...document.querySelectorAll('.chart')].map((chart) => {
          const canvas = chart.querySelector('canvas');
          if (!canvas) return { id: chart.id, inked: 0 };
          const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
            0,
            0,
            canvas.width,
            canvas.height,
          );
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) inked += 1;
          return { id: chart.id, inked };
        }),
      );
      expect(charts).toBeGreaterThanOrEqual(6 * 3);
      expect(drawn.filter((c) => c.inked < 100)).toEqual([]);
      expect(problems).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'prove-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 600_000);
});
