/** What the auto scaling group knows about one instance. All times are epoch milliseconds. */
export interface InstanceView {
  readonly id: string;
  /** Launch template version number (1, 2, ...): what "oldest version first" orders by. */
  readonly templateVersion: number;
  readonly launchedAt: number;
  /** When it entered InService (registered with the target group); undefined while pending. */
  readonly inServiceAt: number | undefined;
  /** `terminating` once the graceful termination sequence has started. */
  readonly lifecycle: 'pending' | 'in-service' | 'terminating';
  /** EC2 status: false once the process has exited. */
  readonly running: boolean;
  /** Target group health, as the balancer reports it. */
  readonly targetHealth: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';
  /** Why termination started (set with lifecycle `terminating`). */
  readonly terminationReason?: ReasonCode;
  /** The availability zone it was launched in. */
  readonly zone: string;
  /** Why it was launched, where a later rule depends on it (AZRebalance: terminate in the long zone once ready). */
  readonly launchReason?: ReasonCode;
}

/** Where a launch template's instances start: a release built from a git commit (releases/). */
export interface ReleaseSource {
  readonly sha: string;
  /** The project's folder in the release: the instances' working directory. */
  readonly root: string;
}

/** One closed metric period: average CPU % over the instances that counted (not warming up). */
export interface Datapoint {
  readonly endsAt: number;
  /** undefined: no instance contributed (missing data). */
  readonly averageCpuPercent: number | undefined;
}

export interface ScalingPolicy {
  readonly min: number;
  readonly max: number;
  readonly targetCpuPercent: number;
  readonly scaleOutDatapoints: number;
  readonly scaleInDatapoints: number;
  readonly enabled: boolean;
  readonly healthCheckGracePeriodMs: number;
  readonly instanceWarmupMs: number;
  readonly metricPeriodMs: number;
  /** The wait after a first failed launch; it doubles with each failure in a row (zones.ts). */
  readonly launchRetryFirstMs: number;
}

export interface RefreshPolicy {
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly skipMatching: boolean;
  readonly autoRollback: boolean;
  readonly maxFailedLaunches: number;
  /** StartInstanceRefresh's InstanceWarmup: how long a new instance warms before it counts; else the group's. */
  readonly instanceWarmupMs?: number;
}

export interface RefreshState {
  readonly id: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly startedAt: number;
  /** Instances of the new version replaced because they failed health checks. */
  readonly failedLaunches: number;
  readonly status: 'in-progress' | 'successful' | 'failed' | 'rolled-back' | 'cancelled';
  /** Instances still to be replaced when the refresh started (for progress). */
  readonly totalToReplace: number;
  /** This refresh's own preferences (StartInstanceRefresh's), else the group's rollout policy. */
  readonly policy?: RefreshPolicy;
  /**
   * Set once RollbackInstanceRefresh turned this refresh around (same id, as AWS keeps it): it now replaces
   * the new version's instances with the previous one.
   */
  readonly rollbackOf?: string;
}

export interface GroupState {
  readonly desired: number;
  /** The version new instances launch with. */
  readonly launchVersion: number;
  readonly instances: readonly InstanceView[];
  readonly refresh: RefreshState | undefined;
  /** When desired capacity last changed: datapoints from before it do not count towards the next change. */
  readonly lastCapacityChangeAt: number;
  /** The newest datapoint target tracking has evaluated: each datapoint is judged once, like an alarm. */
  readonly lastEvaluatedDatapointAt: number;
  /** The group's enabled availability zones, in order. */
  readonly zones: readonly string[];
  /** Zones where launches fail now (a fault: an outage, or no capacity), with why. */
  readonly closedZones: readonly ClosedZone[];
  /** Failed launch attempts in a row and when the next may be made (exponential backoff). */
  readonly launchFailures: { readonly count: number; readonly retryAt: number } | undefined;
}

export interface ClosedZone {
  readonly zone: string;
  /** outage: the zone is down (its instances stopped); capacity: EC2 has no capacity there for the type. */
  readonly cause: 'outage' | 'capacity';
}

export type ReasonCode =
  | 'ScaleOutCpuHigh'
  | 'ScaleInCpuLow'
  | 'AtMaxCapacity'
  | 'AtMinCapacity'
  | 'ManualScale'
  | 'LaunchToDesired'
  | 'TerminateAboveDesired'
  | 'ReplaceUnhealthy'
  | 'InstanceExited'
  | 'FleetStopping'
  | 'RefreshStarted'
  | 'RefreshLaunch'
  | 'RefreshTerminate'
  | 'RefreshWaiting'
  | 'RefreshSuccessful'
  | 'RefreshFailed'
  | 'RefreshRolledBack'
  | 'AZRebalance'
  | 'LaunchFailed'
  | 'TerminateInstance';

/** A launch some rule wants, before its zones are chosen (decide's last step places or fails it). */
export interface LaunchIntent {
  readonly type: 'launch';
  readonly count: number;
  readonly templateVersion: number;
  readonly reason: ReasonCode;
}

export interface TerminateAction {
  readonly type: 'terminate';
  readonly instanceId: string;
  readonly reason: ReasonCode;
}

export type Action = (LaunchIntent & { readonly zone: string }) | TerminateAction;

export interface Decision {
  readonly state: GroupState;
  readonly actions: readonly Action[];
  /** Every decision taken this tick, with its reason code and a sentence a person can read. */
  readonly events: readonly {
    readonly reason: ReasonCode;
    readonly message: string;
    readonly data?: object;
  }[];
}
