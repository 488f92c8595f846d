import type { K8sSettings } from './k8s-settings.js';
import { currentContext, type Kubectl } from './kubectl.js';
import { type Manifest, toYaml } from './manifests.js';
import { migrationJobName } from './service-chart.js';

/** No cluster to talk to: nothing was applied. */
export class K8sNoContextError extends Error {
  override name = 'K8sNoContextError';
}

/** kubectl answered, and the answer was a failure (apply refused, the migration or the rollout failed). */
export class K8sDeployError extends Error {
  override name = 'K8sDeployError';
}

export interface DeployOptions {
  readonly settings: K8sSettings;
  readonly manifests: readonly Manifest[];
  readonly kubectl: Kubectl;
  readonly say: (line: string) => void;
  /** The database URL for the Secret, from the environment: sent to kubectl on stdin, never written to disk. */
  readonly databaseUrl: string | undefined;
  readonly timeoutSeconds: number;
}

/** The Secret's keys: the URL, and its parts for services that read host, port, user… separately. */
export function databaseSecret(name: string, namespace: string | undefined, url: string): Manifest {
  const u = new URL(url);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'fleetproof' },
    },
    type: 'Opaque',
    stringData: {
      url,
      host: u.hostname,
      port: u.port || '5432',
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      name: u.pathname.replace(/^\//, ''),
    },
  };
}

/**
 * `fleetproof k8s deploy`: the Secret (from DATABASE_URL when given, else it must exist), the migration Job
 * and its completion, then everything else, then the Deployment's rollout; each step's kubectl output is
 * shown when it fails.
 */
export async function k8sDeploy(o: DeployOptions): Promise<void> {
  const { settings: s, kubectl, say } = o;
  const context = await currentContext(kubectl);
  if ('none' in context)
    throw new K8sNoContextError(
      `no Kubernetes context (${context.none}): expected a cluster in kubeconfig (kubectl config use-context NAME, or KUBECONFIG); nothing was applied. \`fleetproof k8s synth\` writes the manifests without one.`,
    );
  const ns = s.namespace ? ['--namespace', s.namespace] : [];
  const run = async (what: string, args: string[], stdin?: string) => {
    const r = await kubectl([...args, ...ns], stdin);
    if (r.code !== 0)
      throw new K8sDeployError(`${what}: kubectl ${args.join(' ')} exited ${r.code}\n${r.stderr.trim()}`);
    return r.stdout;
  };
  say(`context ${context.context}${s.namespace ? ` · namespace ${s.namespace}` : ''} · ${s.image}`);
  if (s.database) {
    const name = s.database.secretName;
    if (o.databaseUrl) {
      await run(
        'the database Secret',
        ['apply', '-f', '-'],
        toYaml([databaseSecret(name, s.namespace, o.databaseUrl)]),
      );
      say(`secret ${name}: from DATABASE_URL`);
    } else {
      const r = await kubectl(['get', 'secret', name, ...ns]);
      if (r.code !== 0)
        throw new K8sDeployError(
          `the database Secret ${name} does not exist and DATABASE_URL is not set: expected one of them (kubectl create secret generic ${name} --from-literal=url=postgres://…)`,
        );
    }
  }
  const job = o.manifests.find((m) => m.kind === 'Job');
  if (job) {
    await run('the migration Job', ['apply', '-f', '-'], toYaml([job]));
    say(`migration job/${migrationJobName(s)}: waiting for it to complete`);
    await run('the migration', [
      'wait',
      '--for=condition=complete',
      `job/${job.metadata.name}`,
      `--timeout=${o.timeoutSeconds}s`,
    ]);
  }
  const rest = o.manifests.filter((m) => m !== job);
  say((await run('apply', ['apply', '-f', '-'], toYaml(rest))).trim());
  say(`rollout of deployment/${s.name}: waiting (${o.timeoutSeconds} s at most)`);
  say(
    (
      await run('the rollout', [
        'rollout',
        'status',
        `deployment/${s.name}`,
        `--timeout=${o.timeoutSeconds}s`,
      ])
    ).trim(),
  );
}
