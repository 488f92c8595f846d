import { k8s } from 'cdk8s-plus-32';
import type { K8sSettings } from './k8s-settings.js';
import { containerEnv } from './service-env.js';

/** The preStop `sleep` lifecycle action is on by default from Kubernetes 1.30 (beta, PodLifecycleSleepAction). */
export const NATIVE_SLEEP_SINCE_MINOR = 30;

/**
 * What the Service, the PDB and the Deployment select: the serving pods only. The migration Job's pods carry
 * the same name but another component, or the Service would route requests to a pod that serves none.
 */
export const selectorLabels = (s: K8sSettings) => ({
  'app.kubernetes.io/name': s.name,
  'app.kubernetes.io/component': 'server',
});

export const labels = (s: K8sSettings, component = 'server') => ({
  'app.kubernetes.io/name': s.name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/version': s.version,
  'app.kubernetes.io/managed-by': 'fleetproof',
});

/** What every container of the deployment runs with: no root, no privilege escalation, no capabilities. */
export function containerSecurity(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

export function podSecurity(s: K8sSettings): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: s.runAsUser,
    runAsGroup: s.runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The instance size as requests and limits: the HPA's CPU utilisation is measured against the request. */
export function resources(s: K8sSettings): k8s.ResourceRequirements {
  const size = {
    cpu: k8s.Quantity.fromString(`${s.cpuMillis}m`),
    memory: k8s.Quantity.fromString(`${s.memoryMiB}Mi`),
  };
  return { requests: size, limits: size };
}

/** A writable /tmp on the read-only root filesystem (most runtimes write temporary files there). */
export const TMP_VOLUME = { name: 'tmp', emptyDir: {} } satisfies k8s.Volume;
const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' } satisfies k8s.VolumeMount;

/**
 * The service's container: the target group's health check as the readiness probe (same path, interval,
 * timeout and thresholds), liveness on its own route, and a preStop sleep so that the pod keeps serving while
 * endpoints and the load balancer stop routing to it.
 */
export function serviceContainer(s: K8sSettings): k8s.Container {
  const probe = (path: string) => ({
    httpGet: { path, port: k8s.IntOrString.fromString('http') },
    periodSeconds: s.readiness.periodSeconds,
    timeoutSeconds: s.readiness.timeoutSeconds,
    failureThreshold: s.readiness.failureThreshold,
  });
  const preStop: k8s.LifecycleHandler =
    s.kubernetesMinor >= NATIVE_SLEEP_SINCE_MINOR
      ? { sleep: { seconds: s.preStopSleepSeconds } }
      : { exec: { command: ['sleep', String(s.preStopSleepSeconds)] } };
  return {
    name: s.name,
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: s.port, protocol: 'TCP' }],
    env: [
      ...containerEnv(s),
      ...[
        { name: 'HOST', value: '0.0.0.0' },
        { name: 'PORT', value: String(s.port) },
      ].filter((e) => !(e.name in s.serviceEnv)),
    ],
    resources: resources(s),
    readinessProbe: { ...probe(s.readiness.path), successThreshold: s.readiness.successThreshold },
    ...(s.liveness
      ? { livenessProbe: { ...probe(s.liveness.path), initialDelaySeconds: s.liveness.initialDelaySeconds } }
      : {}),
    ...(s.preStopSleepSeconds > 0 ? { lifecycle: { preStop } } : {}),
    securityContext: containerSecurity(),
    volumeMounts: [TMP_MOUNT],
  };
}

/** The migration's container: the service's image running database.migrateCommand, the Secret's variables. */
export function migrationContainer(s: K8sSettings, command: readonly string[]): k8s.Container {
  return {
    name: 'migrate',
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...command],
    env: containerEnv(s),
    resources: resources(s),
    securityContext: containerSecurity(),
    volumeMounts: [TMP_MOUNT],
  };
}
