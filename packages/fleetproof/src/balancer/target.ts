import { LatencyHistogram } from '../metrics/latency-histogram.js';
import { UpstreamPool } from './upstream/upstream-pool.js';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

/** ALB's target health reason codes (DescribeTargetHealth). */
export type TargetReason =
  | 'Elb.RegistrationInProgress'
  | 'Elb.InitialHealthChecking'
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks'
  | 'Target.DeregistrationInProgress'
  | 'Target.NotRegistered'
  | undefined;

/** Something aborting in-flight requests to this target (draining deadline, shutdown). */
export interface InFlight {
  abort(reason: Error): void;
}

export interface TargetTimeouts {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

/** One registered target: its health state, its keep-alive connection pool and its live counters. */
export class Target {
  state: TargetState = 'initial';
  reason: TargetReason = 'Elb.InitialHealthChecking';
  consecutiveSuccesses = 0;
  consecutiveFailures = 0;
  /** Passive outlier ejection (opt-in): consecutive 5xx/connect errors and the time the ejection ends. */
  consecutiveErrors = 0;
  ejectedUntil = 0;
  inFlight = 0;
  readonly active = new Set<InFlight>();
  readonly registeredAt: number;
  drainingSince = 0;
  /** When it last became healthy: ALB's slow start period begins here. */
  healthySince = 0;
  /** Counters for the current second, reset by the metrics sampler. */
  requests = 0;
  errors = 0;
  /** This second's errors by kind: the HTTP status ("500") or the transport failure ("connect"). */
  errorKinds: Record<string, number> = {};
  /** Every request that ended on this target, answered or failed, since it was registered (never reset). */
  completedTotal = 0;
  readonly latency = new LatencyHistogram();
  readonly pool: UpstreamPool;
  readonly origin: string;

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
    now: number,
    timeouts: TargetTimeouts,
  ) {
    this.registeredAt = now;
    this.origin = `http://${host}:${port}`;
    // ALB answers 504 when a target sends nothing for the idle timeout, before or during the response; idle
    // upstream connections close after it too, before the app's (longer) keep-alive.
    this.pool = new UpstreamPool(host, port, timeouts);
  }

  /** Fraction of a full share during slow start (1 when off or finished): linear from becoming healthy. */
  slowStartWeight(now: number, slowStartMs: number): number {
    if (slowStartMs <= 0 || this.state !== 'healthy') return 1;
    return Math.min(1, Math.max(0.01, (now - this.healthySince) / slowStartMs));
  }
}
