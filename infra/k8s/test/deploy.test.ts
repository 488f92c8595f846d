import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { databaseSecret, K8sDeployError, K8sNoContextError, k8sDeploy } from '../src/deploy.js';
import { k8sSettingsFromConfig } from '../src/k8s-settings.js';
import { systemKubectl } from '../src/kubectl.js';
import { serviceManifests } from '../src/manifests.js';
import { fakeKubectl } from './fake-kubectl.js';
import { k8sTestConfig } from './k8s-test-config.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cli = join(repoRoot, 'packages', 'fleetproof', 'bin', 'fleetproof.js');
const config = k8sTestConfig();
const base = {
  settings: k8sSettingsFromConfig(config),
  manifests: serviceManifests(config),
  say: () => {},
  timeoutSeconds: 60,
};

describe('fleetproof k8s deploy', () => {
  it('with the real kubectl and no kubeconfig: its own exit code and message, nothing applied', () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config');
    writeFileSync(empty, '');
    const r = spawnSync(process.execPath, [cli, 'k8s', 'deploy', '--version', 'V2'], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: empty },
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(
      /no Kubernetes context \(.*current-context is not set.*\): expected a cluster in kubeconfig/,
    );
    expect(r.stderr).toContain('[FLEET_ERR_K8S_NO_CONTEXT]');
    expect(r.status).toBe(12);
  });

  it('with kubectl missing from PATH: the same', async () => {
    await expect(
      k8sDeploy({ ...base, kubectl: systemKubectl('/nonexistent/kubectl'), databaseUrl: undefined }),
    ).rejects.toThrow(K8sNoContextError);
  });

  it('applies the Secret on stdin, waits for the migration, applies the rest, waits for the rollout', async () => {
    const { kubectl, calls } = fakeKubectl((args) =>
      args[0] === 'config' ? { stdout: 'kind-dev\n' } : { stdout: `${args[0]} ok\n` },
    );
    await k8sDeploy({ ...base, kubectl, databaseUrl: 'postgres://app:s%40cret@db.internal:6543/notes' });
    expect(calls.map((c) => c.args.join(' '))).toEqual([
      'config current-context',
      'apply -f - --namespace shop',
      'apply -f - --namespace shop',
      'wait --for=condition=complete job/notes-migrate-v7 --timeout=60s --namespace shop',
      'apply -f - --namespace shop',
      'rollout status deployment/notes --timeout=60s --namespace shop',
    ]);
    const secret = parse(calls[1]?.stdin ?? '');
    expect(secret.kind).toBe('Secret');
    expect(secret.stringData).toEqual({
      url: 'postgres://app:s%40cret@db.internal:6543/notes',
      host: 'db.internal',
      port: '6543',
      user: 'app',
      password: 's@cret',
      name: 'notes',
    });
    expect(parse(calls[2]?.stdin ?? '').kind).toBe('Job');
    const rest = parseAllDocuments(calls[4]?.stdin ?? '').map((d) => d.toJS().kind);
    expect(rest).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Ingress',
    ]);
  });

  it('without DATABASE_URL the Secret must exist; a failed rollout is an error with kubectl’s words', async () => {
    const missing = fakeKubectl((args) =>
      args[0] === 'config' ? { stdout: 'dev' } : args[0] === 'get' ? { code: 1, stderr: 'NotFound' } : {},
    );
    await expect(k8sDeploy({ ...base, kubectl: missing.kubectl, databaseUrl: undefined })).rejects.toThrow(
      /the database Secret notes-database does not exist and DATABASE_URL is not set/,
    );
    const stuck = fakeKubectl((args) =>
      args[0] === 'config'
        ? { stdout: 'dev' }
        : args[0] === 'rollout'
          ? { code: 1, stderr: 'error: deployment "notes" exceeded its progress deadline' }
          : {},
    );
    const failed = k8sDeploy({ ...base, kubectl: stuck.kubectl, databaseUrl: 'postgres://a:b@h/d' });
    await expect(failed).rejects.toThrow(K8sDeployError);
    await expect(failed).rejects.toThrow(/the rollout: .*exceeded its progress deadline/s);
  });

  it('a Secret never carries the URL anywhere but its own data', () => {
    const s = databaseSecret('x', undefined, 'postgres://u:p@h:5432/d');
    expect(JSON.stringify(s.metadata)).not.toContain('postgres');
  });
});
