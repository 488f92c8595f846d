/**
 * Every duration fleetproof emulates, in two profiles. `aws` is AWS's documented defaults; `fast` runs the
 * same machinery with durations short enough for a laptop demo and tests. A profile changes durations only:
 * thresholds, datapoint counts and percentages (behaviour) live in their own config sections.
 * The package README's table is generated from these objects' values (kept in sync by a test).
 */
export interface TimingProfile {
  /** ALB HealthCheckIntervalSeconds (5–300). */
  healthCheckIntervalSeconds: number;
  /** ALB HealthCheckTimeoutSeconds (2–120), must be below the interval. */
  healthCheckTimeoutSeconds: number;
  /** Target group deregistration_delay (0–3600): how long a draining target may finish in-flight requests. */
  deregistrationDelaySeconds: number;
  /** ALB idle timeout: no bytes either way for this long → 504 (upstream) or connection closed (client). */
  idleTimeoutSeconds: number;
  /** ALB's connect timeout to a target (504 when exceeded). */
  connectTimeoutSeconds: number;
  /** ASG HealthCheckGracePeriod: ELB health is ignored this long after launch. */
  healthCheckGracePeriodSeconds: number;
  /** ASG DefaultInstanceWarmup: new instances are left out of the CPU average this long after InService. */
  instanceWarmupSeconds: number;
  /** CloudWatch metric period behind target tracking (one datapoint per period). */
  metricPeriodSeconds: number;
  /** After SIGTERM, how long an instance may take to exit before SIGKILL. */
  terminationGraceSeconds: number;
  /** How often the auto scaling group reconciles (observe, decide, act). */
  reconcileIntervalSeconds: number;
  /** After a failed launch (no capacity), the wait before the next attempt; it doubles each time, up to 32×. */
  launchRetrySeconds: number;
}

export const TIMING_PROFILES = {
  aws: {
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    deregistrationDelaySeconds: 300,
    idleTimeoutSeconds: 60,
    connectTimeoutSeconds: 10,
    healthCheckGracePeriodSeconds: 300,
    instanceWarmupSeconds: 300,
    metricPeriodSeconds: 60,
    terminationGraceSeconds: 30,
    reconcileIntervalSeconds: 1,
    launchRetrySeconds: 10,
  },
  fast: {
    healthCheckIntervalSeconds: 1,
    healthCheckTimeoutSeconds: 0.5,
    deregistrationDelaySeconds: 5,
    idleTimeoutSeconds: 60,
    connectTimeoutSeconds: 10,
    healthCheckGracePeriodSeconds: 10,
    instanceWarmupSeconds: 3,
    metricPeriodSeconds: 2,
    terminationGraceSeconds: 10,
    reconcileIntervalSeconds: 0.25,
    launchRetrySeconds: 1,
  },
} as const satisfies Record<string, TimingProfile>;

export type TimingProfileName = keyof typeof TIMING_PROFILES;
