import { describe, expect, it } from 'vitest';
import { groupDatapoints, longestBreach, meanGroupCpu, streakStartMs } from './measure.js';
import type { FleetSecond, RunRecording } from './types.js';

/** A run whose per-second points carry the given datapoints (period 2 s: each is seen on two points). */
function runWith(datapoints: (number | undefined)[]): RunRecording {
  const startedAt = 1_000_000;
  const fleet: FleetSecond[] = datapoints.flatMap((cpu, i) =>
    [0, 1].map(
      (k) =>
        ({
          t: i * 2000 + k * 1000 + 2000,
          groupCpuPercent: cpu,
          groupCpuEndsAt: startedAt + i * 2000 + 2000,
          targets: [],
        }) as unknown as FleetSecond,
    ),
  );
  return {
    label: 'r',
    setup: '',
    startedAt,
    durationMs: 0,
    runDir: '',
    fleet,
    load: [],
    events: [],
    summary: undefined,
  };
}

describe('CPU datapoint measures', () => {
  it('sees each datapoint once, in order', () => {
    expect(groupDatapoints(runWith([10, 20, undefined]))).toEqual([
      { endsAt: 2000, cpu: 10 },
      { endsAt: 4000, cpu: 20 },
      { endsAt: 6000, cpu: undefined },
    ]);
  });

  it.each([
    [[49, 51, 49, 51, 52, 49], 2],
    [[51, 51, 51], 3],
    [[51, undefined, 51], 1],
    [[10, 20], 0],
  ])('longest breach of 50%% in %j is %i', (values, longest) => {
    expect(longestBreach(runWith(values), 50)).toBe(longest);
  });

  it('mean ignores missing datapoints', () => {
    expect(meanGroupCpu(runWith([40, undefined, 60]))).toBe(50);
  });

  it('a streak starts at the beginning of its first datapoint', () => {
    // Datapoints end at 2, 4, 6, 8 s; the last three are over 50%; a decision at 8 s: the streak began at 2 s.
    const run = runWith([30, 60, 70, 80]);
    expect(streakStartMs(run, 8000, (cpu) => cpu > 50, 2000)).toBe(2000);
    expect(streakStartMs(run, 8000, (cpu) => cpu < 50, 2000)).toBe(8000);
  });
});
