import { type FleetproofConfig, resolveTiming } from 'fleetproof';

/** A setting the Kubernetes deployment cannot express, named with the value given and what would work. */
export class K8sConfigError extends Error {
  override name = 'K8sConfigError';
}

/**
 * Everything the Kubernetes deployment takes from fleetproof.config.ts, flat, with units in the names.
 * Durations come from the `aws` timing profile, as infra/aws's do: the cluster is production, and what runs
 * locally on `fast` runs there with the production defaults.
 */
export interface K8sSettings {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly kubernetesMinor: number;
  /** repository:tag, the tag being service.version. */
  readonly image: string;
  readonly version: string;
  readonly port: number;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly replicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuPercent: number;
  /** Scale-in datapoints × metric period: how long CPU must stay low before the HPA removes a pod. */
  readonly scaleDownStabilizationSeconds: number;
  readonly readiness: {
    readonly path: string;
    readonly periodSeconds: number;
    readonly timeoutSeconds: number;
    readonly successThreshold: number;
    readonly failureThreshold: number;
  };
  /** On its own route; its first check waits the ASG's health check grace period, as ELB health does. */
  readonly liveness: { readonly path: string; readonly initialDelaySeconds: number } | undefined;
  readonly preStopSleepSeconds: number;
  /** preStop sleep and the drain, then the shutdown: the pod is never killed while a request may be in flight. */
  readonly terminationGracePeriodSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly maxSurge: string;
  readonly maxUnavailable: string;
  readonly ingress: 'none' | 'alb';
  readonly healthCheckMatcher: string;
  readonly algorithm: 'round_robin' | 'least_outstanding_requests';
  readonly slowStartSeconds: number;
  readonly certificateArn: string | undefined;
  readonly database:
    | { readonly secretName: string; readonly migrateCommand: readonly string[] | undefined }
    | undefined;
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** The database variables the service reads (DATABASE_URL, or host/port/… names): each from the Secret. */
  readonly databaseEnv: Readonly<Record<string, 'url' | 'host' | 'port' | 'user' | 'password' | 'name'>>;
  readonly runAsUser: number;
  readonly loadImage: string;
}

export function k8sSettingsFromConfig(config: FleetproofConfig): K8sSettings {
  const timing = resolveTiming(config, 'aws');
  const k8s = config.k8s;
  const minor = Number(k8s.version.split('.')[1]);
  if (config.scaling.min < 1)
    throw new K8sConfigError(
      `scaling.min: got ${config.scaling.min}, expected at least 1: a HorizontalPodAutoscaler's minReplicas is 1 or more (scale to zero needs an alpha feature gate)`,
    );
  if (k8s.livenessPath !== undefined && k8s.livenessPath === config.healthCheck.path)
    throw new K8sConfigError(
      `k8s.livenessPath: got ${JSON.stringify(k8s.livenessPath)}, the readiness route (healthCheck.path); expected a route of its own or none: a liveness probe that checks dependencies restarts every pod when the database is slow`,
    );
  const preStop = k8s.preStopSleepSeconds;
  const drain = Math.max(preStop, k8s.ingress === 'alb' ? timing.deregistrationDelaySeconds : 0);
  const database = config.database && {
    secretName: k8s.databaseSecret ?? `${config.service.name}-database`,
    migrateCommand: config.database.migrateCommand,
  };
  const databaseEnv: Record<string, 'url' | 'host' | 'port' | 'user' | 'password' | 'name'> = {};
  if (config.database)
    for (const key of ['url', 'host', 'port', 'user', 'password', 'name'] as const) {
      const variable = config.database.env[key];
      if (variable) databaseEnv[variable] = key;
    }
  return {
    name: config.service.name,
    namespace: k8s.namespace,
    kubernetesMinor: minor,
    image: `${k8s.image ?? config.service.name}:${config.service.version}`,
    version: config.service.version,
    port: config.service.port,
    cpuMillis: Math.round(config.instance.cpus * 1000),
    memoryMiB: config.instance.memoryMiB,
    replicas: config.scaling.min,
    minReplicas: config.scaling.min,
    maxReplicas: config.scaling.max,
    targetCpuPercent: config.scaling.targetCpuPercent,
    scaleDownStabilizationSeconds: Math.min(
      3600,
      config.scaling.scaleInDatapoints * timing.metricPeriodSeconds,
    ),
    readiness: {
      path: config.healthCheck.path,
      periodSeconds: Math.max(1, Math.round(timing.healthCheckIntervalSeconds)),
      timeoutSeconds: Math.max(1, Math.round(timing.healthCheckTimeoutSeconds)),
      successThreshold: config.healthCheck.healthyThreshold,
      failureThreshold: config.healthCheck.unhealthyThreshold,
    },
    liveness: k8s.livenessPath
      ? { path: k8s.livenessPath, initialDelaySeconds: timing.healthCheckGracePeriodSeconds }
      : undefined,
    preStopSleepSeconds: preStop,
    terminationGracePeriodSeconds: drain + Math.ceil(timing.terminationGraceSeconds),
    deregistrationDelaySeconds: timing.deregistrationDelaySeconds,
    idleTimeoutSeconds: timing.idleTimeoutSeconds,
    maxSurge: `${config.rollout.maxHealthyPercent - 100}%`,
    maxUnavailable: `${100 - config.rollout.minHealthyPercent}%`,
    ingress: k8s.ingress,
    healthCheckMatcher: config.healthCheck.matcher,
    algorithm: config.balancer.algorithm,
    slowStartSeconds: config.balancer.slowStartSeconds,
    certificateArn: config.aws.certificateArn,
    database,
    serviceEnv: config.service.env,
    databaseEnv,
    runAsUser: k8s.runAsUser,
    loadImage: k8s.loadImage,
  };
}
