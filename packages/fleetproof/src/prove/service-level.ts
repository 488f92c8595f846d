import type { ProofConfig, ServiceLevelInput } from '../config/proof-schema.js';
import type { LoadSummary } from '../load/load-metrics.js';
import { mergedPercentileMs } from '../load/trend.js';
import { ms, pct } from './measure.js';
import type { LoadSecond, ServiceLevel } from './types.js';

/** When neither the experiment nor proof.serviceLevel says: p99 within a second, at most 1% failed. */
export const DEFAULT_SERVICE_LEVEL: ServiceLevel = { p99Ms: 1000, maxErrorRate: 0.01 };

export function serviceLevelFor(proof: ProofConfig, own: ServiceLevelInput | undefined): ServiceLevel {
  return {
    p99Ms: own?.p99Ms ?? proof.serviceLevel.p99Ms ?? DEFAULT_SERVICE_LEVEL.p99Ms,
    maxErrorRate: own?.maxErrorRate ?? proof.serviceLevel.maxErrorRate ?? DEFAULT_SERVICE_LEVEL.maxErrorRate,
  };
}

export function describeServiceLevel(sl: ServiceLevel): string {
  return `p99 ≤ ${ms(sl.p99Ms)}, failed ≤ ${pct(sl.maxErrorRate * 100)}`;
}

/** Figures of a stretch of per-second load samples (run-relative ms, from inclusive, to exclusive). */
export interface WindowFigures {
  requests: number;
  failed: number;
  errorRate: number;
  /** The worst one-second p99 in the window: an upper bound on the window's own p99. */
  worstP99Ms: number;
  /** The window's own p99, from its seconds' histograms merged; undefined where a second has none. */
  p99Ms: number | undefined;
  seconds: number;
}

export function windowFigures(seconds: readonly LoadSecond[], fromMs: number, toMs: number): WindowFigures {
  const inside = seconds.filter((s) => s.t >= fromMs && s.t < toMs);
  const requests = inside.reduce((n, s) => n + s.rps, 0);
  const failed = inside.reduce((n, s) => n + s.failed, 0);
  return {
    requests,
    failed,
    errorRate: requests > 0 ? failed / requests : 0,
    worstP99Ms: Math.max(0, ...inside.filter((s) => s.rps > 0).map((s) => s.p99Ms)),
    p99Ms: windowP99(inside),
    seconds: inside.length,
  };
}

function windowP99(inside: readonly LoadSecond[]): number | undefined {
  const served = inside.filter((s) => s.rps > 0);
  if (served.length === 0 || served.some((s) => s.latencyHdr === undefined)) return undefined;
  return (
    Math.round(
      mergedPercentileMs(
        served.map((s) => s.latencyHdr as string),
        99,
      ) * 10,
    ) / 10
  );
}

/** Whether a stretch of load kept the service level, and the figures that say so. */
export function holds(w: WindowFigures, sl: ServiceLevel): { passed: boolean; measured: string } {
  // The window's own p99 when its seconds carry histograms (a run), else the worst second's (a bound).
  const p99 = w.p99Ms ?? w.worstP99Ms;
  const passed = w.requests > 0 && w.errorRate <= sl.maxErrorRate && p99 <= sl.p99Ms;
  const latency =
    w.p99Ms === undefined
      ? `worst 1-second p99 ${ms(w.worstP99Ms)}`
      : `p99 ${ms(w.p99Ms)} (worst second's ${ms(w.worstP99Ms)})`;
  return {
    passed,
    measured: `${w.failed} of ${w.requests} failed (${pct(w.errorRate * 100)}), ${latency} over ${w.seconds} s`,
  };
}

/** The same for a whole load run, from its summary (exact p99 from the run's histogram). */
export function summaryHolds(
  summary: LoadSummary | undefined,
  sl: ServiceLevel,
): { passed: boolean; measured: string } {
  if (!summary) return { passed: false, measured: 'no load was measured' };
  const requests = summary.http_reqs.count;
  const failed = summary.http_req_failed.passes;
  const rate = requests > 0 ? failed / requests : 0;
  const p99 = summary.http_req_duration.p99;
  return {
    passed: requests > 0 && rate <= sl.maxErrorRate && p99 <= sl.p99Ms,
    measured: `${failed} of ${requests} failed (${pct(rate * 100)}), p99 ${ms(p99)}`,
  };
}

/**
 * Why one second of load breaks the service level, or undefined. Seconds with almost no traffic say
 * nothing about a rate, so they never break it.
 */
export function secondBreaks(second: LoadSecond, sl: ServiceLevel, minRequests = 5): string | undefined {
  if (second.rps < minRequests) return undefined;
  const rate = second.failed / second.rps;
  if (rate > sl.maxErrorRate) return `${second.failed} of ${second.rps} failed (${pct(rate * 100)})`;
  if (second.p99Ms > sl.p99Ms) return `p99 ${ms(second.p99Ms)}`;
  return undefined;
}
