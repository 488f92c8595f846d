import { describe, expect, it } from 'vitest';
import { fleetSecond } from '../prove/recording-builders.test-support.js';
import type { FleetSecond } from '../prove/types.js';
import { metricDatapoints } from './metric-series.js';

const point = (t: number, over: Partial<FleetSecond>): FleetSecond => ({
  ...fleetSecond(t, { targets: [] }),
  ...over,
});

// Four seconds from 60 s after the epoch-aligned start: two periods of 2 s.
const startedAt = 60_000;
const points = [
  point(0, {
    rps: 10,
    elb5xx: 1,
    latencySumMs: 500,
    latencyCount: 10,
    targets: [{ cpuPercent: 40 }, { cpuPercent: 60 }] as never,
  }),
  point(1000, { rps: 20, latencySumMs: 4000, latencyCount: 20, targets: [{ cpuPercent: 70 }] as never }),
  point(2000, { rps: 0, healthy: 2, targets: [{ cpuPercent: undefined }] as never }),
  point(3000, { rps: 6, latencySumMs: 600, latencyCount: 6, healthy: 2 }),
];
const run = (
  metric: Parameters<typeof metricDatapoints>[0]['metric'],
  statistic: Parameters<typeof metricDatapoints>[0]['statistic'],
) =>
  metricDatapoints({ points, startedAt, metric, statistic, periodSeconds: 2, startMs: 0, endMs: 1e12 }).map(
    (d) => [d.timestamp, Math.round(d.value * 1000) / 1000],
  );

describe('metricDatapoints: CloudWatch statistics from the per-second points', () => {
  it.each<[string, Parameters<typeof run>[0], Parameters<typeof run>[1], number[][]]>([
    [
      'RequestCount Sum per period',
      'RequestCount',
      'Sum',
      [
        [60_000, 30],
        [62_000, 6],
      ],
    ],
    [
      'HTTPCode_ELB_5XX_Count Sum',
      'HTTPCode_ELB_5XX_Count',
      'Sum',
      [
        [60_000, 1],
        [62_000, 0],
      ],
    ],
    [
      'CPUUtilization Average of the instances’ mean; a second with none is no sample',
      'CPUUtilization',
      'Average',
      [[60_000, 60]],
    ],
    ['CPUUtilization Maximum', 'CPUUtilization', 'Maximum', [[60_000, 70]]],
    [
      'TargetResponseTime Average: seconds per request, from the sums',
      'TargetResponseTime',
      'Average',
      [
        [60_000, 0.15],
        [62_000, 0.1],
      ],
    ],
    [
      'TargetResponseTime SampleCount: requests',
      'TargetResponseTime',
      'SampleCount',
      [
        [60_000, 30],
        [62_000, 6],
      ],
    ],
    [
      'HealthyHostCount Minimum',
      'HealthyHostCount',
      'Minimum',
      [
        [60_000, 1],
        [62_000, 2],
      ],
    ],
  ])('%s', (_, metric, statistic, expected) => expect(run(metric, statistic)).toEqual(expected));

  it('keeps only the points inside [start, end)', () => {
    expect(
      metricDatapoints({
        points,
        startedAt,
        metric: 'RequestCount',
        statistic: 'Sum',
        periodSeconds: 1,
        startMs: 61_000,
        endMs: 63_000,
      }).map((d) => d.value),
    ).toEqual([20, 0]);
  });
});
