import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MergedLoad, mergeSeries, parseOutFile } from 'fleetproof';
import { K8sDeployError, K8sNoContextError } from './deploy.js';
import { currentContext, type Kubectl } from './kubectl.js';
import { segmentLines } from './load-job.js';
import { type Manifest, toYaml } from './manifests.js';

export interface LoadRunOptions {
  readonly job: string;
  readonly namespace: string | undefined;
  readonly parallelism: number;
  readonly manifests: readonly Manifest[];
  readonly kubectl: Kubectl;
  readonly say: (line: string) => void;
  /** Where each segment's series is written (segment-1-of-4.ndjson …). */
  readonly outDir: string;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
}

interface JobStatus {
  succeeded: number;
  failed: number;
  active: number;
  done: 'Complete' | 'Failed' | undefined;
}

function jobStatus(json: string): JobStatus {
  const status = JSON.parse(json).status ?? {};
  const conditions: { type: string; status: string }[] = status.conditions ?? [];
  const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return {
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    active: status.active ?? 0,
    done: done?.type as JobStatus['done'],
  };
}

/** Each completion index's succeeded pod, from `kubectl get pods -o json`. */
export function podsByIndex(json: string): Map<number, string> {
  const pods = new Map<number, string>();
  for (const pod of JSON.parse(json).items ?? []) {
    const index = pod.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
    if (index !== undefined && pod.status?.phase === 'Succeeded') pods.set(Number(index), pod.metadata.name);
  }
  return pods;
}

/**
 * `fleetproof k8s load`: applies the script's ConfigMap and the Indexed Job, follows it until it completes,
 * reads each segment's series from its pod's log, writes them as `--out` files and merges them (HDR
 * histograms added, as `fleetproof load merge` does).
 */
export async function runLoadJob(o: LoadRunOptions): Promise<MergedLoad> {
  const ns = o.namespace ? ['--namespace', o.namespace] : [];
  const context = await currentContext(o.kubectl);
  if ('none' in context)
    throw new K8sNoContextError(
      `no Kubernetes context (${context.none}): nothing was applied; --synth-only writes the Job without a cluster`,
    );
  const run = async (what: string, args: string[], stdin?: string) => {
    const r = await o.kubectl([...args, ...ns], stdin);
    if (r.code !== 0)
      throw new K8sDeployError(`${what}: kubectl ${args.join(' ')} exited ${r.code}\n${r.stderr.trim()}`);
    return r.stdout;
  };
  await run('the load Job', ['apply', '-f', '-'], toYaml(o.manifests));
  o.say(`job/${o.job}: ${o.parallelism} segment(s) on ${context.context}`);
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  let status = jobStatus(await run('the Job', ['get', `job/${o.job}`, '-o', 'json']));
  while (!status.done) {
    if (Date.now() > deadline)
      throw new K8sDeployError(
        `job/${o.job}: not complete after ${o.timeoutSeconds} s (${status.succeeded} of ${o.parallelism} done)`,
      );
    o.say(
      `job/${o.job}: ${status.succeeded} of ${o.parallelism} done · ${status.active} running · ${status.failed} failed`,
    );
    await new Promise((r) => setTimeout(r, o.pollMs ?? 5000));
    status = jobStatus(await run('the Job', ['get', `job/${o.job}`, '-o', 'json']));
  }
  if (status.done === 'Failed')
    throw new K8sDeployError(
      `job/${o.job} failed: ${status.failed} segment(s) failed (kubectl logs job/${o.job} shows why)`,
    );
  const pods = podsByIndex(
    await run('the pods', ['get', 'pods', '-l', `batch.kubernetes.io/job-name=${o.job}`, '-o', 'json']),
  );
  mkdirSync(o.outDir, { recursive: true });
  const files = [];
  for (let i = 0; i < o.parallelism; i++) {
    const pod = pods.get(i);
    if (!pod)
      throw new K8sDeployError(`job/${o.job}: no succeeded pod for segment ${i + 1}/${o.parallelism}`);
    const text = segmentLines(await run(`segment ${i + 1}'s log`, ['logs', pod])).join('\n');
    const name = join(o.outDir, `segment-${i + 1}-of-${o.parallelism}.ndjson`);
    writeFileSync(name, `${text}\n`);
    files.push({ name, seconds: parseOutFile(name, text) });
  }
  return mergeSeries(files);
}
