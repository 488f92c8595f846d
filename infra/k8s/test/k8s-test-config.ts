import { type FleetproofConfigInput, validateConfig } from 'fleetproof';
import { type Manifest, serviceManifests } from '../src/manifests.js';

/** A config with every value distinct, so a test can tell where each one went. */
export function k8sTestConfig(over: Partial<FleetproofConfigInput> = {}) {
  return validateConfig({
    service: {
      name: 'notes',
      command: ['node', 'main.js'],
      port: 3123,
      version: 'V7',
      env: { LOG_LEVEL: 'warn', DB_URL_COPY: '{{ db.url }}' },
    },
    database: { mode: 'url', url: 'postgres://unused/db', migrateCommand: ['node', 'migrate.js'] },
    instance: { cpus: 0.75, memoryMiB: 768 },
    healthCheck: { path: '/ready', matcher: '200-299', healthyThreshold: 4, unhealthyThreshold: 3 },
    balancer: { port: 8080, algorithm: 'least_outstanding_requests' },
    scaling: { min: 2, max: 7, targetCpuPercent: 55, scaleInDatapoints: 12 },
    rollout: { strategy: 'instance-refresh', minHealthyPercent: 90, maxHealthyPercent: 125 },
    timing: {
      profile: 'fast',
      aws: {
        healthCheckIntervalSeconds: 20,
        healthCheckTimeoutSeconds: 4,
        deregistrationDelaySeconds: 45,
        terminationGraceSeconds: 25,
        metricPeriodSeconds: 30,
        healthCheckGracePeriodSeconds: 90,
      },
    },
    k8s: {
      ingress: 'alb',
      livenessPath: '/live',
      image: 'ghcr.io/acme/notes',
      namespace: 'shop',
      preStopSleepSeconds: 12,
    },
    ...over,
  });
}

export const manifestsFor = (over: Partial<FleetproofConfigInput> = {}) =>
  serviceManifests(k8sTestConfig(over));

export function one(manifests: readonly Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0] as Manifest;
}
