import type { FleetSecond } from '../prove/types.js';

/** The metrics the local endpoint answers, with the namespace and unit CloudWatch gives each. */
export const METRICS = {
  CPUUtilization: { namespace: 'AWS/EC2', unit: 'Percent' },
  RequestCount: { namespace: 'AWS/ApplicationELB', unit: 'Count' },
  TargetResponseTime: { namespace: 'AWS/ApplicationELB', unit: 'Seconds' },
  HTTPCode_ELB_5XX_Count: { namespace: 'AWS/ApplicationELB', unit: 'Count' },
  HealthyHostCount: { namespace: 'AWS/ApplicationELB', unit: 'Count' },
} as const;

export type MetricName = keyof typeof METRICS;
export const STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** One second's value of a metric: a value, or (TargetResponseTime) a sum of seconds and how many requests. */
function secondValue(metric: MetricName, p: FleetSecond): { value: number; weight: number } | undefined {
  switch (metric) {
    case 'CPUUtilization': {
      const cpu = p.targets.map((t) => t.cpuPercent).filter((c): c is number => c !== undefined);
      return cpu.length === 0 ? undefined : { value: cpu.reduce((a, b) => a + b, 0) / cpu.length, weight: 1 };
    }
    case 'RequestCount':
      return { value: p.rps, weight: 1 };
    case 'HTTPCode_ELB_5XX_Count':
      return { value: p.elb5xx, weight: 1 };
    case 'HealthyHostCount':
      return { value: p.healthy, weight: 1 };
    case 'TargetResponseTime':
      return p.latencyCount ? { value: (p.latencySumMs ?? 0) / 1000, weight: p.latencyCount } : undefined;
  }
}

export interface Datapoint {
  readonly timestamp: number;
  readonly value: number;
}

/**
 * A metric from the fleet's per-second points, in periods aligned as CloudWatch aligns them (to multiples of
 * the period since the epoch), one statistic per period, oldest first. Sum and SampleCount count requests for
 * TargetResponseTime (its Average is seconds per request, exact from the balancer's sums); for the others the
 * per-second values are the samples. Periods with no sample have no datapoint, as in CloudWatch.
 */
export function metricDatapoints(o: {
  points: readonly FleetSecond[];
  startedAt: number;
  metric: MetricName;
  statistic: Statistic;
  periodSeconds: number;
  startMs: number;
  endMs: number;
}): Datapoint[] {
  const periodMs = o.periodSeconds * 1000;
  const buckets = new Map<number, { value: number; weight: number }[]>();
  for (const p of o.points) {
    const at = o.startedAt + p.t;
    if (at < o.startMs || at >= o.endMs) continue;
    const v = secondValue(o.metric, p);
    if (!v) continue;
    const start = Math.floor(at / periodMs) * periodMs;
    buckets.set(start, [...(buckets.get(start) ?? []), v]);
  }
  const weighted = o.metric === 'TargetResponseTime';
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, samples]) => {
      const values = samples.map((s) => s.value);
      const weight = samples.reduce((n, s) => n + s.weight, 0);
      const sum = values.reduce((a, b) => a + b, 0);
      const value = {
        Average: weighted ? sum / weight : sum / values.length,
        Sum: sum,
        Minimum: weighted ? Math.min(...samples.map((s) => s.value / s.weight)) : Math.min(...values),
        Maximum: weighted ? Math.max(...samples.map((s) => s.value / s.weight)) : Math.max(...values),
        SampleCount: weighted ? weight : values.length,
      }[o.statistic];
      return { timestamp, value };
    });
}
