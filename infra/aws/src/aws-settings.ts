import { type FleetproofConfig, resolveTiming, type TimingProfileName } from 'fleetproof';

/**
 * Everything the AWS deployment takes from fleetproof.config.ts, flat, with units in the names. Durations come
 * from the `aws` timing profile: what runs locally on `fast` runs on AWS with AWS's own defaults.
 */
export interface FleetproofAwsSettings {
  readonly serviceName: string;
  readonly appPort: number;
  readonly appVersion: string;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly instanceType: string;
  readonly healthCheckPath: string;
  readonly healthCheckMatcher: string;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly healthCheckIntervalSeconds: number;
  readonly healthCheckTimeoutSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly algorithm: 'round_robin' | 'least_outstanding_requests';
  readonly slowStartSeconds: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpuPercent: number;
  readonly healthCheckGracePeriodSeconds: number;
  readonly instanceWarmupSeconds: number;
  readonly terminationGraceSeconds: number;
  readonly rolloutStrategy: 'instance-refresh' | 'codedeploy';
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly skipMatching: boolean;
  readonly autoRollback: boolean;
  readonly codedeployConfig: 'OneAtATime' | 'HalfAtATime' | 'AllAtOnce';
  /** An ACM certificate: HTTPS on 443 and HTTP redirecting to it. @default - HTTP only */
  readonly certificateArn?: string;
  readonly databaseInstanceType: string;
  readonly databaseMultiAz: boolean;
}

/** `profile`: the durations in force; `aws` for AWS, the local fleet's own when deploying to its endpoint. */
export function awsSettingsFromConfig(
  config: FleetproofConfig,
  profile: TimingProfileName = 'aws',
): FleetproofAwsSettings {
  const timing = resolveTiming(config, profile);
  return {
    serviceName: config.service.name,
    appPort: config.service.port,
    appVersion: config.service.version,
    serviceEnv: config.service.env,
    instanceType: config.instance.awsInstanceType,
    healthCheckPath: config.healthCheck.path,
    healthCheckMatcher: config.healthCheck.matcher,
    healthyThreshold: config.healthCheck.healthyThreshold,
    unhealthyThreshold: config.healthCheck.unhealthyThreshold,
    healthCheckIntervalSeconds: timing.healthCheckIntervalSeconds,
    healthCheckTimeoutSeconds: timing.healthCheckTimeoutSeconds,
    deregistrationDelaySeconds: timing.deregistrationDelaySeconds,
    idleTimeoutSeconds: timing.idleTimeoutSeconds,
    algorithm: config.balancer.algorithm,
    slowStartSeconds: config.balancer.slowStartSeconds,
    minCapacity: config.scaling.min,
    maxCapacity: config.scaling.max,
    targetCpuPercent: config.scaling.targetCpuPercent,
    healthCheckGracePeriodSeconds: timing.healthCheckGracePeriodSeconds,
    instanceWarmupSeconds: timing.instanceWarmupSeconds,
    terminationGraceSeconds: timing.terminationGraceSeconds,
    rolloutStrategy: config.rollout.strategy,
    minHealthyPercent: config.rollout.minHealthyPercent,
    maxHealthyPercent: config.rollout.maxHealthyPercent,
    skipMatching: config.rollout.skipMatching,
    autoRollback: config.rollout.autoRollback,
    codedeployConfig: config.rollout.codedeployConfig,
    certificateArn: config.aws.certificateArn,
    databaseInstanceType: config.aws.databaseInstanceType,
    databaseMultiAz: config.aws.databaseMultiAz,
  };
}

/** Graviton families (t4g, m7g, c6gn, r6gd…) run arm64 images. */
export function isGraviton(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}
