import type { Balancer } from '../balancer/balancer.js';
import type { Clock } from '../clock.js';
import type { AutoScalingGroup } from '../fleet/auto-scaling-group.js';

export interface TargetSecond {
  id: string;
  appVersion: string;
  health: string;
  cpuPercent: number | undefined;
  rps: number;
  errors: number;
  /** The second's errors by kind (HTTP status or transport failure), when there were any. */
  errorKinds?: Record<string, number>;
  inFlight: number;
  p95Ms: number;
}

export interface SeriesPoint {
  t: number;
  rps: number;
  target2xx: number;
  target4xx: number;
  target5xx: number;
  elb4xx: number;
  elb5xx: number;
  clientClosed: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The second's target response times, summed, and how many: CloudWatch's TargetResponseTime average. */
  latencySumMs?: number;
  latencyCount?: number;
  healthy: number;
  inService: number;
  desired: number;
  failingOpen: boolean;
  /** The group's last closed CPU datapoint (what target tracking compares with its target), if any. */
  groupCpuPercent: number | undefined;
  /** When that datapoint's period ended (one datapoint spans several points). */
  groupCpuEndsAt: number | undefined;
  targets: TargetSecond[];
}

/** Once a second: the balancer's and each target's counters for that second, with group state. Resets them. */
export class SeriesSampler {
  private timer: NodeJS.Timeout | undefined;
  /** The version of every instance seen, for a target reported once more after it left (its record may be gone). */
  private readonly versions = new Map<string, string>();
  latest: SeriesPoint | undefined;
  /** Totals since start, for Prometheus counters. */
  readonly totals = {
    requests: 0,
    target2xx: 0,
    target4xx: 0,
    target5xx: 0,
    elb4xx: 0,
    elb5xx: 0,
    clientClosed: 0,
  };

  constructor(
    private readonly clock: Clock,
    private readonly balancer: Balancer,
    private readonly group: AutoScalingGroup,
    private readonly write: (point: SeriesPoint) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  sample(): SeriesPoint {
    const c = this.balancer.counters;
    const status = this.group.status();
    const byId = new Map(status.instances.map((i) => [i.id, i]));
    for (const i of status.instances) this.versions.set(i.id, i.appVersion);
    const removed = this.balancer.group.takeRemoved().filter((t) => t.requests > 0 || t.errors > 0);
    const targets: TargetSecond[] = [...this.balancer.group.all(), ...removed].map((t) => {
      const point: TargetSecond = {
        id: t.id,
        appVersion: byId.get(t.id)?.appVersion ?? this.versions.get(t.id) ?? '',
        health: t.state,
        cpuPercent: byId.get(t.id)?.cpuPercent,
        rps: t.requests,
        errors: t.errors,
        inFlight: t.inFlight,
        p95Ms: round(t.latency.quantile(0.95)),
      };
      if (t.errors > 0) point.errorKinds = t.errorKinds;
      t.requests = 0;
      t.errors = 0;
      t.errorKinds = {};
      t.latency.reset();
      return point;
    });
    for (const t of removed) this.versions.delete(t.id);
    const point: SeriesPoint = {
      t: this.clock.now(),
      rps: c.requests,
      target2xx: c.target2xx,
      target4xx: c.target4xx,
      target5xx: c.target5xx,
      elb4xx: c.elb4xx,
      elb5xx: c.elb5xx,
      clientClosed: c.clientClosed,
      p50Ms: round(c.latency.quantile(0.5)),
      p95Ms: round(c.latency.quantile(0.95)),
      p99Ms: round(c.latency.quantile(0.99)),
      latencySumMs: c.latency.sumMs,
      latencyCount: c.latency.count,
      healthy: targets.filter((t) => t.health === 'healthy').length,
      inService: status.instances.filter((i) => i.lifecycle === 'in-service').length,
      desired: status.desired,
      failingOpen: this.balancer.group.failingOpen,
      groupCpuPercent: status.lastDatapoint?.averageCpuPercent,
      groupCpuEndsAt: status.lastDatapoint?.endsAt,
      targets,
    };
    this.totals.requests += c.requests;
    this.totals.target2xx += c.target2xx;
    this.totals.target4xx += c.target4xx;
    this.totals.target5xx += c.target5xx;
    this.totals.elb4xx += c.elb4xx;
    this.totals.elb5xx += c.elb5xx;
    this.totals.clientClosed += c.clientClosed;
    c.requests =
      c.target2xx =
      c.target3xx =
      c.target4xx =
      c.target5xx =
      c.elb4xx =
      c.elb5xx =
      c.clientClosed =
        0;
    c.latency.reset();
    this.latest = point;
    this.write(point);
    return point;
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
