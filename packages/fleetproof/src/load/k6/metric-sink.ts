import { Trend } from '../trend.js';
import type { MetricSample } from './wire.js';

/** One k6 metric's aggregate: the four k6 types, read by thresholds and the summary. */
export class MetricSink {
  private readonly trend: Trend | undefined;
  count = 0;
  sum = 0;
  passes = 0;
  last = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(
    readonly type: MetricSample['type'],
    readonly isTime: boolean,
  ) {
    this.trend = type === 'trend' ? new Trend() : undefined;
  }

  add(value: number): void {
    this.count += 1;
    this.sum += value;
    if (value !== 0) this.passes += 1;
    this.last = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.trend?.recordMs(value);
  }

  /** A threshold aggregation: avg, min, max, med, p(N) (trend); rate (rate, counter); count (counter); value (gauge). */
  aggregate(aggregation: string, percentile: number, seconds: number): number {
    if (this.type === 'trend') {
      if (this.count === 0) return 0;
      if (aggregation === 'avg') return this.sum / this.count;
      if (aggregation === 'min') return this.min;
      if (aggregation === 'max') return this.max;
      return (this.trend as Trend).percentileMs(aggregation === 'med' ? 50 : percentile);
    }
    if (this.type === 'rate') return this.count === 0 ? 0 : this.passes / this.count;
    if (this.type === 'counter')
      return aggregation === 'rate' ? this.sum / Math.max(0.001, seconds) : this.sum;
    return aggregation === 'min' ? this.min : aggregation === 'max' ? this.max : this.last;
  }

  /** k6's summary values for this metric. */
  values(seconds: number, trendStats: string[]): Record<string, number> {
    if (this.type === 'trend') {
      const out: Record<string, number> = {};
      for (const stat of trendStats) {
        const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
        out[stat] = this.aggregate(p ? 'p' : stat, p ? Number(p[1]) : 0, seconds);
      }
      return out;
    }
    if (this.type === 'rate')
      return {
        rate: this.aggregate('rate', 0, seconds),
        passes: this.passes,
        fails: this.count - this.passes,
      };
    if (this.type === 'counter') return { count: this.sum, rate: this.sum / Math.max(0.001, seconds) };
    return { value: this.last, min: this.count ? this.min : 0, max: this.count ? this.max : 0 };
  }
}

/** `http_req_duration{name:login,status:200}` → the metric and its tag filter; a plain name has none. */
export function parseMetricKey(key: string): { metric: string; filter: Record<string, string> } {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim());
  if (!m) return { metric: key, filter: {} };
  const filter: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',').filter((p) => p.trim())) {
    const colon = part.indexOf(':');
    const name = (colon < 0 ? part : part.slice(0, colon)).trim();
    filter[name] =
      colon < 0
        ? ''
        : part
            .slice(colon + 1)
            .trim()
            .replace(/^["']|["']$/g, '');
  }
  return { metric: (m[1] as string).trim(), filter };
}

export function tagsMatch(tags: Record<string, string>, filter: Record<string, string>): boolean {
  for (const name in filter) if (tags[name] !== filter[name]) return false;
  return true;
}
