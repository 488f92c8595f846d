import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-32';
import type { Construct } from 'constructs';
import type { K8sSettings } from './k8s-settings.js';
import {
  labels,
  migrationContainer,
  podSecurity,
  selectorLabels,
  serviceContainer,
  TMP_VOLUME,
} from './pod-spec.js';

/** The Service's port: what the Ingress (and in-cluster clients) talk to, as the ALB's listener is 80. */
export const SERVICE_PORT = 80;

/**
 * The fleetproof design on Kubernetes: the auto scaling group as a Deployment and a HorizontalPodAutoscaler,
 * the target group as a Service's endpoints (behind an ALB Ingress when asked), instance refresh as the
 * rolling update, the target group's health check as the readiness probe, and the migration as a Job.
 */
export class ServiceChart extends Chart {
  constructor(scope: Construct, id: string, s: K8sSettings) {
    super(scope, id, { ...(s.namespace ? { namespace: s.namespace } : {}), disableResourceNameHashes: true });
    const metadata = (name: string) => ({ name, labels: labels(s) });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata(s.name),
      spec: {
        replicas: s.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(s) },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromString(s.maxSurge),
            maxUnavailable: k8s.IntOrString.fromString(s.maxUnavailable),
          },
        },
        template: {
          metadata: { labels: labels(s) },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: s.terminationGracePeriodSeconds,
            securityContext: podSecurity(s),
            containers: [serviceContainer(s)],
            volumes: [TMP_VOLUME],
          },
        },
      },
    });

    new k8s.KubeService(this, 'service', {
      metadata: metadata(s.name),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(s),
        ports: [{ name: 'http', port: SERVICE_PORT, targetPort: k8s.IntOrString.fromString('http') }],
      },
    });

    new k8s.KubeHorizontalPodAutoscalerV2(this, 'autoscaler', {
      metadata: metadata(s.name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: s.name },
        minReplicas: s.minReplicas,
        maxReplicas: s.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: s.targetCpuPercent },
            },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: s.scaleDownStabilizationSeconds } },
      },
    });

    // maxUnavailable 1, not minAvailable: with one replica, minAvailable 1 would block every node drain.
    new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: metadata(s.name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(s) } },
    });

    const migrate = s.database?.migrateCommand;
    if (migrate) {
      // A Job's pod template cannot change: one Job per version, kept an hour for its logs.
      new k8s.KubeJob(this, 'migration', {
        metadata: { name: migrationJobName(s), labels: labels(s, 'migration') },
        spec: {
          backoffLimit: 3,
          ttlSecondsAfterFinished: 3600,
          template: {
            metadata: { labels: labels(s, 'migration') },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: podSecurity(s),
              containers: [migrationContainer(s, migrate)],
              volumes: [TMP_VOLUME],
            },
          },
        },
      });
    }

    if (s.ingress === 'alb')
      new k8s.KubeIngress(this, 'ingress', {
        metadata: { ...metadata(s.name), annotations: albAnnotations(s) },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: s.name, port: { number: SERVICE_PORT } } },
                  },
                ],
              },
            },
          ],
        },
      });
  }
}

export function migrationJobName(s: K8sSettings): string {
  const version = s.version.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `${s.name}-migrate-${version}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The AWS Load Balancer Controller's annotations: the target group's health check, drain and algorithm as
 * the local balancer and infra/aws have them. Targets are pod IPs, so the ALB checks pods directly.
 */
export function albAnnotations(s: K8sSettings): Record<string, string> {
  const targetGroup = [
    `deregistration_delay.timeout_seconds=${s.deregistrationDelaySeconds}`,
    `load_balancing.algorithm.type=${s.algorithm}`,
    ...(s.slowStartSeconds > 0 ? [`slow_start.duration_seconds=${s.slowStartSeconds}`] : []),
  ];
  const https: Record<string, string> = s.certificateArn
    ? {
        'alb.ingress.kubernetes.io/certificate-arn': s.certificateArn,
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
      }
    : { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]' };
  return {
    'alb.ingress.kubernetes.io/scheme': 'internet-facing',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/healthcheck-path': s.readiness.path,
    'alb.ingress.kubernetes.io/healthcheck-interval-seconds': String(s.readiness.periodSeconds),
    'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': String(s.readiness.timeoutSeconds),
    'alb.ingress.kubernetes.io/healthy-threshold-count': String(s.readiness.successThreshold),
    'alb.ingress.kubernetes.io/unhealthy-threshold-count': String(s.readiness.failureThreshold),
    'alb.ingress.kubernetes.io/success-codes': s.healthCheckMatcher,
    'alb.ingress.kubernetes.io/target-group-attributes': targetGroup.join(','),
    'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${s.idleTimeoutSeconds}`,
    ...https,
  };
}
