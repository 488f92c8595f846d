import type { Manifest } from './manifests.js';

/** One policy finding, in kube-linter's spirit: the check's name, the object, what is wrong. */
export interface PolicyFinding {
  readonly check: string;
  readonly object: string;
  readonly message: string;
  /** `error` fails synth; `warning` is printed. */
  readonly severity: 'error' | 'warning';
}

// biome-ignore lint/suspicious/noExplicitAny: manifests are the Kubernetes API's JSON, shapes checked by the schemas.
type Json = any;

const WORKLOADS = new Set(['Deployment', 'Job', 'StatefulSet', 'DaemonSet']);

function podSpecOf(m: Manifest): Json | undefined {
  return WORKLOADS.has(m.kind) ? m.spec?.template?.spec : undefined;
}

const matches = (
  selector: Record<string, string> | undefined,
  podLabels: Record<string, string> | undefined,
) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => podLabels?.[k] === v);

/** The container checks: resources, user, privileges, filesystem, image tag, probes, secrets in env. */
function containerFindings(m: Manifest, spec: Json): PolicyFinding[] {
  const found: PolicyFinding[] = [];
  const object = `${m.kind} ${m.metadata.name}`;
  const add = (check: string, message: string, severity: 'error' | 'warning' = 'error') =>
    found.push({ check, object, message, severity });
  for (const c of spec.containers ?? []) {
    const where = `container ${c.name}`;
    for (const kind of ['requests', 'limits'])
      for (const resource of ['cpu', 'memory'])
        if (c.resources?.[kind]?.[resource] === undefined)
          add(`unset-${resource}-${kind}`, `${where} has no ${resource} ${kind}`);
    const nonRoot = c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
    const user = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
    if (nonRoot !== true || user === 0) add('run-as-non-root', `${where} may run as root`);
    if (c.securityContext?.allowPrivilegeEscalation !== false)
      add('privilege-escalation-container', `${where} does not set allowPrivilegeEscalation: false`);
    if (c.securityContext?.privileged === true) add('privileged-container', `${where} is privileged`);
    if (c.securityContext?.readOnlyRootFilesystem !== true)
      add('no-read-only-root-fs', `${where} has a writable root filesystem`, 'warning');
    const image = String(c.image ?? '');
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    if (!image.includes('@') && (tag === undefined || tag === 'latest'))
      add('latest-tag', `${where} runs ${image || 'no image'}: expected a pinned tag, not latest or none`);
    if (m.kind === 'Deployment') {
      if (!c.readinessProbe) add('no-readiness-probe', `${where} has no readiness probe`);
      if (!c.livenessProbe)
        add('no-liveness-probe', `${where} has no liveness probe (set k8s.livenessPath)`, 'warning');
      if (c.readinessProbe && c.livenessProbe && sameProbe(c.readinessProbe, c.livenessProbe))
        add('liveness-is-readiness', `${where} probes liveness on the readiness route`);
    }
    for (const e of c.env ?? [])
      if (typeof e.value === 'string' && /secret|password|passwd|token|private.?key/i.test(e.name))
        add('env-var-secret', `${where} sets ${e.name} as a literal value: expected valueFrom.secretKeyRef`);
  }
  return found;
}

const sameProbe = (a: Json, b: Json) =>
  a.httpGet &&
  b.httpGet &&
  a.httpGet.path === b.httpGet.path &&
  a.httpGet.port?.toString() === b.httpGet.port?.toString();

/** How many pods a PDB may have disrupted at once, given the replicas it covers; undefined if it cannot tell. */
function allowedDisruptions(pdb: Json, replicas: number): number | undefined {
  const value = (v: Json) =>
    typeof v === 'string' && v.endsWith('%') ? (Number(v.slice(0, -1)) / 100) * replicas : Number(v);
  if (pdb.spec?.maxUnavailable !== undefined) return Math.floor(value(pdb.spec.maxUnavailable));
  if (pdb.spec?.minAvailable !== undefined) return replicas - Math.ceil(value(pdb.spec.minAvailable));
  return undefined;
}

/** The cross-object checks: Services and PDBs select pods that exist, PDBs allow a disruption, HPAs scale something. */
function relationFindings(manifests: readonly Manifest[]): PolicyFinding[] {
  const found: PolicyFinding[] = [];
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const podLabels = (d: Manifest) => d.spec?.template?.metadata?.labels as Record<string, string> | undefined;
  for (const m of manifests) {
    const object = `${m.kind} ${m.metadata.name}`;
    const add = (check: string, message: string) => found.push({ check, object, message, severity: 'error' });
    if (m.kind === 'Service' && !deployments.some((d) => matches(m.spec?.selector, podLabels(d))))
      add('dangling-service', 'its selector matches no Deployment’s pods');
    for (const job of manifests.filter((j) => j.kind === 'Job'))
      if (m.kind === 'Service' && matches(m.spec?.selector, podLabels(job)))
        add(
          'service-selects-job-pods',
          `its selector matches Job ${job.metadata.name}’s pods, which serve nothing`,
        );
    if (m.kind === 'PodDisruptionBudget') {
      const covered = deployments.filter((d) => matches(m.spec?.selector?.matchLabels, podLabels(d)));
      if (covered.length === 0) add('dangling-pdb', 'its selector matches no Deployment’s pods');
      for (const d of covered) {
        const hpa = manifests.find(
          (h) => h.kind === 'HorizontalPodAutoscaler' && h.spec?.scaleTargetRef?.name === d.metadata.name,
        );
        const replicas = Math.min(d.spec?.replicas ?? 1, hpa?.spec?.minReplicas ?? Number.POSITIVE_INFINITY);
        const allowed = allowedDisruptions(m, replicas);
        if (allowed === undefined || allowed < 1)
          add(
            'pdb-allows-no-disruption',
            `with ${replicas} replica(s) of ${d.metadata.name} it allows ${allowed ?? 'no'} voluntary disruption: a node drain would hang`,
          );
      }
    }
    if (
      m.kind === 'HorizontalPodAutoscaler' &&
      !deployments.some((d) => d.metadata.name === m.spec?.scaleTargetRef?.name)
    )
      add('dangling-hpa', `it scales ${m.spec?.scaleTargetRef?.name}, which is not a Deployment here`);
    if (m.kind === 'Deployment') {
      const rolling = m.spec?.strategy?.rollingUpdate;
      const zero = (v: Json) => v === 0 || v === '0%' || v === '0';
      if (rolling && zero(rolling.maxSurge) && zero(rolling.maxUnavailable))
        add('rollout-cannot-progress', 'maxSurge and maxUnavailable are both 0');
      const spec = m.spec?.template?.spec;
      const sleep = spec?.containers?.[0]?.lifecycle?.preStop?.sleep?.seconds ?? 0;
      if ((spec?.terminationGracePeriodSeconds ?? 30) <= sleep)
        add('grace-shorter-than-prestop', `terminationGracePeriodSeconds ≤ the preStop sleep (${sleep} s)`);
    }
  }
  return found;
}

/** Every finding for a set of manifests: what `fleetproof k8s synth` refuses (errors) or prints (warnings). */
export function policyFindings(manifests: readonly Manifest[]): PolicyFinding[] {
  return [
    ...manifests.flatMap((m) => {
      const spec = podSpecOf(m);
      return spec ? containerFindings(m, spec) : [];
    }),
    ...relationFindings(manifests),
  ];
}
