import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '../src/load/engine.js';
import type { RequestSample } from '../src/load/load-metrics.js';
import { mergeSeries, type OutSecond } from '../src/load/merge-series.js';
import type { Executor } from '../src/load/plan.js';
import { BIN } from './cli-harness.js';
import { getStep, useLoadTarget } from './fixtures/load-plan.js';

const { target, plan } = useLoadTarget();
const dir = mkdtempSync(join(tmpdir(), 'fleetproof-segments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

/** The exact percentile of raw durations (nearest rank), to check the merged histograms against. */
const exact = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

describe('load --segment and load merge (k6 execution segments)', () => {
  it.each<[string, Executor, number]>([
    [
      'arrivals (Artillery phases, k6 arrival rates)',
      {
        type: 'arrivals',
        label: 'a',
        preAllocatedVUs: 5,
        maxVUs: 20,
        phases: [
          { kind: 'rate', durationMs: 2000, rate: 25 },
          { kind: 'ramp', durationMs: 2000, from: 25, to: 5 },
        ],
      },
      80,
    ],
    ['per-vu-iterations', { type: 'per-vu-iterations', vus: 7, iterations: 4, maxDurationMs: 20_000 }, 28],
    ['shared-iterations', { type: 'shared-iterations', vus: 2, iterations: 23, maxDurationMs: 20_000 }, 23],
  ])(
    '%s: 3 segments run at once add up to the whole plan; merged percentiles are the raw samples’ within HDR precision',
    async (_, executor, iterations) => {
      const whole = await runLoad({ plan: plan(executor, [getStep('/slow?ms=1'), getStep('/')]) });
      expect(whole.summary.http_reqs.count).toBe(iterations * 2);
      const samples: RequestSample[] = [];
      const parts = await Promise.all(
        [0, 1, 2].map(async (index) => {
          const seconds: OutSecond[] = [];
          const result = await runLoad({
            plan: { ...plan(executor, [getStep('/slow?ms=1'), getStep('/')]), segment: { index, count: 3 } },
            onSecond: (s) => seconds.push({ ...s, segment: `${index + 1}/3` }),
            onRequest: (s) => samples.push(s),
          });
          return { name: `part ${index + 1}`, seconds, count: result.summary.iterations.count };
        }),
      );
      // Each part runs its stripe: 80 arrivals are 27 + 27 + 26, 7 VUs × 4 are 12 + 8 + 8 iterations.
      expect(parts.map((p) => p.count).reduce((a, b) => a + b, 0)).toBe(iterations);
      expect(
        Math.max(...parts.map((p) => p.count)) - Math.min(...parts.map((p) => p.count)),
      ).toBeLessThanOrEqual(executor.type === 'per-vu-iterations' ? executor.iterations : 1);
      const merged = mergeSeries(parts);
      expect(merged).toMatchObject({
        requests: iterations * 2,
        failed: 0,
        dropped: 0,
        segments: ['1/3', '2/3', '3/3'],
      });
      const durations = samples.map((s) => s.durationMs);
      expect(merged.duration.count).toBe(durations.length);
      for (const [p, got] of [
        [50, merged.duration.med],
        [90, merged.duration.p90],
        [99, merged.duration.p99],
      ] as const) {
        // HDR keeps 3 significant digits of µs: within 0.1% (and a µs of rounding) of the exact value.
        expect(Math.abs(got - exact(durations, p)), `p${p}`).toBeLessThanOrEqual(
          exact(durations, p) * 0.001 + 0.002,
        );
      }
    },
    60_000,
  );

  it('from the CLI: a k6 script in 2 segments with --out, merged, equals the whole run’s count; a wrong set is refused', async () => {
    const script = join(dir, 'ramp.js');
    writeFileSync(
      script,
      `import http from 'k6/http';\nexport const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 5, iterations: 3 } } };\nexport default function () { http.get('${target().url}/'); }\n`,
    );
    const whole = await cli('load', script, '--json', '--no-dashboard');
    expect(whole.code, whole.stderr).toBe(0);
    const wholeCount = JSON.parse(whole.stdout).summary.http_reqs.count;
    expect(wholeCount).toBe(15);
    const runs = await Promise.all(
      ['1/2', '2/2'].map((s, i) =>
        cli('load', script, '--segment', s, '--out', `part${i + 1}.ndjson`, '--json'),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs.map((r) => JSON.parse(r.stdout).summary.http_reqs.count)).toEqual([9, 6]);
    expect(readFileSync(join(dir, 'part2.ndjson'), 'utf8')).toContain('"segment":"2/2"');
    const merged = await cli('load', 'merge', 'part1.ndjson', 'part2.ndjson', '--json');
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({
      requests: wholeCount,
      segments: ['1/2', '2/2'],
      failed: 0,
    });
    const text = await cli('load', 'merge', 'part1.ndjson', 'part2.ndjson');
    expect(text.stdout).toMatch(/http_reqs\.+: 15 /);

    const missing = await cli('load', 'merge', 'part1.ndjson');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('merge: segment 2/2 missing: expected all 2 parts of the split');
    const twice = await cli('load', 'merge', 'part1.ndjson', 'part1.ndjson');
    expect(twice.stderr).toContain(
      'merge: part1.ndjson and part1.ndjson are both segment 1/2: it would count twice',
    );
    const bad = await cli('load', script, '--segment', '3/2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--segment: got "3/2", expected i/n with 1 ≤ i ≤ n ≤ 1000 (such as 2/4)');
  }, 60_000);
});
