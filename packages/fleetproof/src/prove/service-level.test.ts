import { describe, expect, it } from 'vitest';
import { Trend } from '../load/trend.js';
import { loadSecond } from './recording-builders.test-support.js';
import { holds, windowFigures } from './service-level.js';

/** A second of `n` requests at 10 ms of which `slow` took 2500 ms, with its histogram as a run records it. */
function second(t: number, n: number, slow: number) {
  const trend = new Trend();
  for (let i = 0; i < n; i++) trend.recordMs(i < slow ? 2500 : 10);
  return { ...loadSecond(t, n, 0, trend.percentileMs(99)), latencyHdr: trend.encoded() };
}

const sl = { p99Ms: 2000, maxErrorRate: 0 };

describe('service level over a window of seconds', () => {
  it('judges the window’s own p99 from its seconds’ histograms, not the worst second’s', () => {
    // 6 × 100 requests; one second has 5 slow ones: its p99 is 2500 ms, the window's (5 of 600) is 10 ms.
    const seconds = [0, 1, 2, 3, 4, 5].map((s) => second(s * 1000, 100, s === 3 ? 5 : 0));
    const w = windowFigures(seconds, 0, 6000);
    // HDR keeps 3 significant digits: 2500 ms reads back as 2500.6.
    expect(w.worstP99Ms).toBeCloseTo(2500, -1);
    expect(w.p99Ms).toBe(10);
    const verdict = holds(w, sl);
    expect(verdict.passed).toBe(true);
    expect(verdict.measured).toMatch(
      /^0 of 600 failed \(0\.0%\), p99 10 ms \(worst second's 250\d ms\) over 6 s$/,
    );
  });

  it('fails when more than 1% of the window is slower than the level', () => {
    // 7 slow of 600 (1.2%): the window's p99 is the slow ones'.
    const seconds = [0, 1, 2, 3, 4, 5].map((s) => second(s * 1000, 100, s === 3 ? 7 : 0));
    const w = windowFigures(seconds, 0, 6000);
    expect(w.p99Ms).toBeCloseTo(2500, -1);
    expect(holds(w, sl).passed).toBe(false);
  });

  it('without histograms (a literal recording) it falls back to the worst second, a bound', () => {
    const seconds = [loadSecond(0, 100, 0, 10), loadSecond(1000, 100, 0, 2500)];
    const w = windowFigures(seconds, 0, 2000);
    expect(w.p99Ms).toBeUndefined();
    expect(holds(w, sl)).toEqual({
      passed: false,
      measured: '0 of 200 failed (0.0%), worst 1-second p99 2500 ms over 2 s',
    });
  });
});
