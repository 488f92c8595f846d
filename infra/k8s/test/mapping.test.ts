import { describe, expect, it } from 'vitest';
import { K8sConfigError } from '../src/k8s-settings.js';
import { serviceManifests } from '../src/manifests.js';
import { k8sTestConfig, manifestsFor, one } from './k8s-test-config.js';

// Each config value to the manifest field it sets. Durations come from the `aws` timing profile (overridden
// in k8sTestConfig), as infra/aws's do.
const m = manifestsFor();
const deployment = one(m, 'Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const hpa = one(m, 'HorizontalPodAutoscaler');
const ingress = one(m, 'Ingress');
const a = ingress.metadata.annotations as Record<string, string>;

describe('config → manifest fields', () => {
  it.each<[string, unknown, unknown]>([
    ['scaling.min → Deployment replicas', deployment.spec.replicas, 2],
    ['scaling.min → HPA minReplicas', hpa.spec.minReplicas, 2],
    ['scaling.max → HPA maxReplicas', hpa.spec.maxReplicas, 7],
    [
      'scaling.targetCpuPercent → HPA CPU utilisation',
      hpa.spec.metrics[0].resource.target,
      { type: 'Utilization', averageUtilization: 55 },
    ],
    [
      'scaleInDatapoints × metric period → scale-down stabilization',
      hpa.spec.behavior.scaleDown.stabilizationWindowSeconds,
      12 * 30,
    ],
    [
      'instance.cpus → cpu request and limit',
      [container.resources.requests.cpu, container.resources.limits.cpu],
      ['750m', '750m'],
    ],
    [
      'instance.memoryMiB → memory request and limit',
      [container.resources.requests.memory, container.resources.limits.memory],
      ['768Mi', '768Mi'],
    ],
    ['healthCheck.path → readiness httpGet path', container.readinessProbe.httpGet.path, '/ready'],
    ['health check interval → readiness periodSeconds', container.readinessProbe.periodSeconds, 20],
    ['health check timeout → readiness timeoutSeconds', container.readinessProbe.timeoutSeconds, 4],
    ['healthyThreshold → readiness successThreshold', container.readinessProbe.successThreshold, 4],
    ['unhealthyThreshold → readiness failureThreshold', container.readinessProbe.failureThreshold, 3],
    ['k8s.livenessPath → liveness httpGet path', container.livenessProbe.httpGet.path, '/live'],
    [
      'health check grace period → liveness initialDelaySeconds',
      container.livenessProbe.initialDelaySeconds,
      90,
    ],
    [
      'k8s.preStopSleepSeconds → native preStop sleep (1.32)',
      container.lifecycle.preStop,
      { sleep: { seconds: 12 } },
    ],
    [
      'drain (deregistration 45 s) + shutdown (25 s) → terminationGracePeriodSeconds',
      pod.terminationGracePeriodSeconds,
      45 + 25,
    ],
    ['maxHealthyPercent 125 → maxSurge', deployment.spec.strategy.rollingUpdate.maxSurge, '25%'],
    ['minHealthyPercent 90 → maxUnavailable', deployment.spec.strategy.rollingUpdate.maxUnavailable, '10%'],
    ['service.port → containerPort', container.ports[0].containerPort, 3123],
    ['k8s.image + service.version → image', container.image, 'ghcr.io/acme/notes:V7'],
    ['k8s.namespace → every object', [...new Set(m.map((o) => o.metadata.namespace))], ['shop']],
    [
      'non-root security context',
      [pod.securityContext.runAsNonRoot, pod.securityContext.runAsUser],
      [true, 1000],
    ],
    ['healthCheck.path → ALB health check path', a['alb.ingress.kubernetes.io/healthcheck-path'], '/ready'],
    ['healthCheck.matcher → ALB success codes', a['alb.ingress.kubernetes.io/success-codes'], '200-299'],
    [
      'thresholds → ALB healthy / unhealthy counts',
      [
        a['alb.ingress.kubernetes.io/healthy-threshold-count'],
        a['alb.ingress.kubernetes.io/unhealthy-threshold-count'],
      ],
      ['4', '3'],
    ],
    [
      'deregistration delay and algorithm → target group attributes',
      a['alb.ingress.kubernetes.io/target-group-attributes'],
      'deregistration_delay.timeout_seconds=45,load_balancing.algorithm.type=least_outstanding_requests',
    ],
    ['ingress class', ingress.spec.ingressClassName, 'alb'],
    [
      'migrateCommand → migration Job command',
      one(m, 'Job').spec.template.spec.containers[0].command,
      ['node', 'migrate.js'],
    ],
    ['migration Job named per version', one(m, 'Job').metadata.name, 'notes-migrate-v7'],
  ])('%s', (_, actual, expected) => expect(actual).toEqual(expected));

  it('the database URL comes from the Secret by reference, never as a value', () => {
    const env = container.env as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'notes-database', key: 'url' } },
    });
    expect(env.find((e) => e.name === 'DB_URL_COPY')?.valueFrom).toEqual({
      secretKeyRef: { name: 'notes-database', key: 'url' },
    });
    expect(JSON.stringify(m)).not.toContain('postgres://');
    expect(env.find((e) => e.name === 'LOG_LEVEL')).toEqual({ name: 'LOG_LEVEL', value: 'warn' });
  });

  it('before 1.30 the preStop sleep is an exec of sleep; no Ingress unless asked', () => {
    const old = manifestsFor({ k8s: { version: '1.29', preStopSleepSeconds: 12 } });
    expect(one(old, 'Deployment').spec.template.spec.containers[0].lifecycle.preStop).toEqual({
      exec: { command: ['sleep', '12'] },
    });
    expect(old.some((o) => o.kind === 'Ingress')).toBe(false);
    // Without the ALB's drain, the grace period is the preStop sleep and the shutdown.
    expect(one(old, 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(12 + 25);
  });

  it.each<[string, Parameters<typeof k8sTestConfig>[0], RegExp]>([
    ['scale to zero', { scaling: { min: 0, max: 2 } }, /scaling\.min: got 0, expected at least 1/],
    [
      'liveness on the readiness route',
      { k8s: { livenessPath: '/ready' } },
      /k8s\.livenessPath: got "\/ready", the readiness route/,
    ],
    [
      'a template the cluster cannot resolve',
      { service: { name: 'notes', command: ['x'], port: 1, version: 'V1', env: { A: '{{ env.TOKEN }}' } } },
      /service\.env\.A: got "\{\{ env\.TOKEN \}\}"/,
    ],
    [
      'a password in a plain value',
      {
        service: {
          name: 'notes',
          command: ['x'],
          port: 1,
          version: 'V1',
          env: { U: 'postgres://u:secret@db/x' },
        },
      },
      /service\.env\.U: a URL with a password/,
    ],
  ])('refuses %s, naming the value', (_, over, message) => {
    expect(() => serviceManifests(k8sTestConfig(over))).toThrow(K8sConfigError);
    expect(() => serviceManifests(k8sTestConfig(over))).toThrow(message);
  });
});
