import { FleetError } from '../../errors.js';

/**
 * One of `count` disjoint parts of a load plan (k6's execution segments, as k6-operator splits a test across
 * pods by `parallelism`): `index` is 0-based. Everything numbered in a plan — VUs as they join, iterations,
 * arrivals — belongs to the part its number falls in modulo `count`, so the parts add up to the whole at every
 * moment: 10 VUs in 3 parts are 4 + 3 + 3, and a ramp keeps that striping as it climbs.
 */
export interface Segment {
  index: number;
  count: number;
}

const MAX_SEGMENTS = 1000;

/** How many of the first `total` items (numbered 0, 1, …) are the segment's; all of them without one. */
export function segmentShare(total: number, segment: Segment | undefined): number {
  if (!segment) return total;
  return total > segment.index ? Math.floor((total - 1 - segment.index) / segment.count) + 1 : 0;
}

/** Whether item number `n` (0-based) is the segment's. */
export function inSegment(n: number, segment: Segment | undefined): boolean {
  return !segment || n % segment.count === segment.index;
}

/** `--segment i/n`: the i-th (1-based, as people count) of n parts. */
export function parseSegment(text: string): Segment {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (!match || n < 1 || n > MAX_SEGMENTS || i < 1 || i > n)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `--segment: got ${JSON.stringify(text)}, expected i/n with 1 ≤ i ≤ n ≤ ${MAX_SEGMENTS} (such as 2/4)`,
    );
  return { index: i - 1, count: n };
}

export const segmentLabel = (s: Segment) => `${s.index + 1}/${s.count}`;
