import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../../../test/browser.js';
import { validateConfig } from '../src/config/validate.js';
import { fleetSecond, loadSecond, run } from '../src/prove/recording-builders.test-support.js';
import type { ExperimentResult, TimelineEvent } from '../src/prove/types.js';
import { faultSpans } from '../src/report/fault-spans.js';
import { renderReport } from '../src/report/html-report.js';
import { REPO } from './fleet-harness.js';

const ev = (t: number, reason: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  t,
  reason,
  message: `${reason} happened`,
  data,
});

describe('faults in the report', () => {
  it('each fault is a span from its start to the event that ends it (or the run’s end)', () => {
    const events = [
      ev(1000, 'FaultHang', { instanceId: 'i-h' }),
      ev(2000, 'InstanceTerminated', { instanceId: 'i-other' }),
      ev(4500, 'InstanceTerminated', { instanceId: 'i-h' }),
      ev(5000, 'FaultAzOutage', { zones: ['az1'] }),
      ev(9000, 'FaultAzOutageEnded', { zones: ['az1'] }),
      ev(10_000, 'FaultDbLatency', { ms: 200 }),
    ];
    expect(faultSpans(events, 12_000)).toEqual([
      { label: 'hang i-h', from: 1, to: 4.5 },
      { label: 'az-outage az1', from: 5, to: 9 },
      { label: 'db-latency +200 ms', from: 10, to: 12 },
    ]);
    expect(faultSpans([ev(1000, 'InstanceTerminated')], 5000)).toEqual([]);
  });

  it('Chromium draws the span shaded and the scale-out as a line across each chart of the run; the timeline marks the fault', async () => {
    const load = Array.from({ length: 30 }, (_, s) =>
      loadSecond(s * 1000, 20, s >= 10 && s < 12 ? 3 : 0, 40),
    );
    const fleet = Array.from({ length: 30 }, (_, s) => fleetSecond(s * 1000, { cpu: 30, inService: 2 }));
    const recording = run({
      load,
      fleet,
      durationMs: 30_000,
      events: [
        ev(0, 'InstanceLaunched', { instanceId: 'i-a', zone: 'az1' }),
        ev(10_000, 'FaultDbRestart'),
        ev(20_000, 'FaultDbRestartEnded'),
        ev(25_000, 'ScaleOutCpuHigh'),
      ],
    });
    const result = {
      id: 'faults',
      title: 'Faults',
      origin: '',
      load: 'literal',
      serviceLevel: { p99Ms: 1000, maxErrorRate: 0 },
      overrides: [],
      checks: [{ label: 'db-restart: recovers', passed: true, measured: 'literal' }],
      columns: [],
      rows: [],
      runs: [recording],
      mapped: [],
      explanation: [],
      passed: true,
    } as unknown as ExperimentResult;
    const html = renderReport({
      startedAt: Date.UTC(2026, 11, 3),
      durationMs: 30_000,
      quick: true,
      config: validateConfig({
        service: { name: 'x', command: ['node', 'x.js'], port: 3000, version: 'V1' },
      }),
      results: [result],
    });
    const dir = join(REPO, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'report-faults.html');
    writeFileSync(file, html);
    expect(html).toContain(
      'Faults (shaded on the charts): <span class="fault">db-restart</span> 10.0–20.0 s',
    );
    expect(html).toMatch(/<tr class="fault"><td>10\.0 s<\/td><td><code>FaultDbRestart<\/code>/);
    // The CPU chart names each instance's zone.
    expect(html).toContain('"label":"i-a az1"');

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      await page.waitForSelector('canvas');
      // Each chart: the red tint inside the span, none in the plot before it.
      const tintOf = (chart: string) =>
        page.evaluate((suffix) => {
          const plot = (globalThis as unknown as { document: Document }).document.querySelector(
            `[id$="-${suffix}"] canvas`,
          ) as HTMLCanvasElement;
          const ctx = plot.getContext('2d') as CanvasRenderingContext2D;
          // x runs 0–29 s over the plot's width; sample at 15 s (inside) and 5 s (outside), mid-height.
          const at = (fraction: number) => {
            const x = Math.round(plot.width * (0.1 + 0.85 * fraction));
            const [r, g, b] = ctx.getImageData(x, Math.round(plot.height * 0.45), 1, 1).data;
            return r - (g + b) / 2;
          };
          return { inside: at(15 / 29), outside: at(5 / 29) };
        }, chart);
      // The scale-out is a violet line at 25 s: the columns holding violet pixels, as fractions of the width.
      const violetAt = (chart: string) =>
        page.evaluate((suffix) => {
          const plot = (globalThis as unknown as { document: Document }).document.querySelector(
            `[id$="-${suffix}"] canvas`,
          ) as HTMLCanvasElement;
          const { data } = (plot.getContext('2d') as CanvasRenderingContext2D).getImageData(
            0,
            0,
            plot.width,
            plot.height,
          );
          const columns = new Set<number>();
          for (let i = 0; i < data.length; i += 4) {
            const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
            if (r > 90 && r < 170 && g < 110 && b > 190) columns.add(((i / 4) % plot.width) / plot.width);
          }
          return [...columns];
        }, chart);
      for (const chart of [
        'traffic',
        'failures',
        'latency',
        'cpu',
        'instances',
        'balancer',
        'balancer-latency',
      ]) {
        const tint = await tintOf(chart);
        expect(tint.inside, chart).toBeGreaterThan(tint.outside + 10);
        const violet = await violetAt(chart);
        expect(violet.length, chart).toBeGreaterThan(0);
        expect(Math.min(...violet), chart).toBeGreaterThan(0.75);
      }
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(dir, 'report-faults.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
