import { join } from 'node:path';
import { loadConfig } from 'fleetproof';
import { describe, expect, it } from 'vitest';
import { type Manifest, serviceManifests, toYaml } from '../src/manifests.js';
import { policyFindings } from '../src/policy.js';
import { SCHEMA_KUBERNETES_VERSION, schemaErrors } from '../src/schema-validation.js';
import { manifestsFor, one } from './k8s-test-config.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const repoManifests = serviceManifests(await loadConfig(repoRoot));
const clone = (m: Manifest[]): Manifest[] => JSON.parse(JSON.stringify(m));

describe(`the manifests against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} OpenAPI schemas`, () => {
  it('the repository’s and the test config’s manifests are all valid', () => {
    expect(repoManifests.map((m) => m.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Job',
      'Ingress',
    ]);
    expect(schemaErrors(repoManifests)).toEqual([]);
    expect(schemaErrors(manifestsFor())).toEqual([]);
  });

  it('a wrong type, a missing required field and an unknown kind are each reported', () => {
    const broken = clone(repoManifests);
    one(broken, 'Deployment').spec.replicas = '2';
    delete one(broken, 'Service').spec.ports[0].port;
    broken.push({ apiVersion: 'v9', kind: 'Gizmo', metadata: { name: 'g' } });
    const errors = schemaErrors(broken);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^Deployment api: .*replicas must be integer/);
    expect(errors[1]).toMatch(/^Service api: .*port/);
    expect(errors[2]).toMatch(/Gizmo g: v9 Gizmo is not a kind fleetproof validates/);
  });
});

describe('a normalised snapshot of the repository’s manifests', () => {
  it('matches', async () => {
    await expect(toYaml(repoManifests)).toMatchFileSnapshot('__snapshots__/api.k8s.yaml');
  });
});

describe('policy (kube-linter’s spirit)', () => {
  it('the generated manifests have no finding, not even a warning', () => {
    expect(policyFindings(repoManifests)).toEqual([]);
    expect(policyFindings(manifestsFor())).toEqual([]);
  });

  const container = (m: Manifest[]) => one(m, 'Deployment').spec.template.spec.containers[0];
  it.each<[string, (m: Manifest[]) => void]>([
    ['unset-cpu-limits', (m) => delete container(m).resources.limits.cpu],
    ['unset-memory-requests', (m) => delete container(m).resources.requests.memory],
    ['run-as-non-root', (m) => delete one(m, 'Deployment').spec.template.spec.securityContext.runAsNonRoot],
    ['privilege-escalation-container', (m) => delete container(m).securityContext.allowPrivilegeEscalation],
    ['no-read-only-root-fs', (m) => delete container(m).securityContext.readOnlyRootFilesystem],
    ['latest-tag', (m) => (container(m).image = 'api:latest')],
    ['latest-tag', (m) => (container(m).image = 'api')],
    ['no-readiness-probe', (m) => delete container(m).readinessProbe],
    ['no-liveness-probe', (m) => delete container(m).livenessProbe],
    [
      'liveness-is-readiness',
      (m) => (container(m).livenessProbe.httpGet.path = container(m).readinessProbe.httpGet.path),
    ],
    ['env-var-secret', (m) => container(m).env.push({ name: 'API_TOKEN', value: 'abc' })],
    [
      'pdb-allows-no-disruption',
      (m) =>
        (one(m, 'PodDisruptionBudget').spec = {
          minAvailable: 1,
          selector: one(m, 'PodDisruptionBudget').spec.selector,
        }),
    ],
    ['pdb-allows-no-disruption', (m) => (one(m, 'PodDisruptionBudget').spec.maxUnavailable = 0)],
    ['dangling-service', (m) => (one(m, 'Service').spec.selector = { app: 'other' })],
    ['dangling-hpa', (m) => (one(m, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'other')],
    [
      'grace-shorter-than-prestop',
      (m) => (one(m, 'Deployment').spec.template.spec.terminationGracePeriodSeconds = 5),
    ],
    [
      'service-selects-job-pods',
      (m) =>
        (one(m, 'Job').spec.template.metadata.labels = one(m, 'Deployment').spec.template.metadata.labels),
    ],
    [
      'rollout-cannot-progress',
      (m) => (one(m, 'Deployment').spec.strategy.rollingUpdate = { maxSurge: '0%', maxUnavailable: 0 }),
    ],
  ])('sees %s', (check, breakIt) => {
    const broken = clone(repoManifests);
    breakIt(broken);
    expect(policyFindings(broken).map((f) => f.check)).toContain(check);
  });

  it('a PDB of minAvailable 1 is fine once two replicas run', () => {
    const m = clone(repoManifests);
    one(m, 'Deployment').spec.replicas = 2;
    one(m, 'HorizontalPodAutoscaler').spec.minReplicas = 2;
    one(m, 'PodDisruptionBudget').spec = {
      minAvailable: 1,
      selector: one(m, 'PodDisruptionBudget').spec.selector,
    };
    expect(policyFindings(m)).toEqual([]);
  });
});
