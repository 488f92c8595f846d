import type { Datapoint } from './types.js';

interface Accumulator {
  lastCpuSeconds: number | undefined;
  lastAt: number;
  periodCpu: number;
  periodWall: number;
  /** CPU % over the last sample interval, relative to the instance's vCPUs. */
  current: number | undefined;
}

/**
 * Per-instance CPU utilisation relative to its vCPUs, sampled every second and folded into one datapoint per
 * metric period: the mean over the instances that count (in service and past warmup) of each one's average
 * CPU in the period, as the ASG's CPUUtilization average is. Keeps only the datapoints decisions can use.
 */
export class CpuDatapoints {
  private readonly byInstance = new Map<string, Accumulator>();
  readonly datapoints: Datapoint[] = [];
  private periodStart: number;

  constructor(
    private readonly periodMs: number,
    private readonly keep: number,
    now: number,
  ) {
    this.periodStart = now;
  }

  sample(id: string, cpuSeconds: number | undefined, vCpus: number, now: number): number | undefined {
    let acc = this.byInstance.get(id);
    if (!acc) {
      acc = { lastCpuSeconds: cpuSeconds, lastAt: now, periodCpu: 0, periodWall: 0, current: undefined };
      this.byInstance.set(id, acc);
      return undefined;
    }
    const wall = (now - acc.lastAt) / 1000;
    if (cpuSeconds !== undefined && acc.lastCpuSeconds !== undefined && wall > 0) {
      const used = Math.max(0, cpuSeconds - acc.lastCpuSeconds);
      acc.periodCpu += used;
      acc.periodWall += wall;
      acc.current = Math.min(100, (used / (wall * vCpus)) * 100);
    }
    acc.lastCpuSeconds = cpuSeconds;
    acc.lastAt = now;
    return acc.current;
  }

  current(id: string): number | undefined {
    return this.byInstance.get(id)?.current;
  }

  forget(id: string): void {
    this.byInstance.delete(id);
  }

  /** Closes every full period up to `now`; `counts(id)` says whether an instance is part of the metric. */
  closePeriods(now: number, vCpus: number, counts: (id: string) => boolean): Datapoint[] {
    const closed: Datapoint[] = [];
    while (now - this.periodStart >= this.periodMs) {
      const endsAt = this.periodStart + this.periodMs;
      const averages: number[] = [];
      for (const [id, acc] of this.byInstance) {
        if (counts(id) && acc.periodWall > 0)
          averages.push(Math.min(100, (acc.periodCpu / (acc.periodWall * vCpus)) * 100));
        acc.periodCpu = 0;
        acc.periodWall = 0;
      }
      const point = {
        endsAt,
        averageCpuPercent:
          averages.length > 0 ? averages.reduce((a, b) => a + b, 0) / averages.length : undefined,
      };
      this.datapoints.push(point);
      closed.push(point);
      this.periodStart = endsAt;
    }
    if (this.datapoints.length > this.keep) this.datapoints.splice(0, this.datapoints.length - this.keep);
    return closed;
  }
}
