import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FLEETPROOF_VERSION,
  type FleetproofConfig,
  findProjectRoot,
  formatMerged,
  loadConfig,
} from 'fleetproof';
import { checked, describeFinding } from '../checked-manifests.js';
import { k8sDeploy } from '../deploy.js';
import { k8sSettingsFromConfig } from '../k8s-settings.js';
import { systemKubectl } from '../kubectl.js';
import { loadJobManifests } from '../load-job.js';
import { runLoadJob } from '../load-run.js';
import { byKind, type Manifest, serviceManifests, toYaml } from '../manifests.js';
import { SCHEMA_KUBERNETES_VERSION } from '../schema-validation.js';

export class K8sUsageError extends Error {
  override name = 'K8sUsageError';
}

export const k8sUsage = `fleetproof k8s synth [--out DIR] [--single] [--version V]
  Writes the Kubernetes manifests built from fleetproof.config.ts (one file per kind, or one multi-document
  file with --single), validated against the Kubernetes ${SCHEMA_KUBERNETES_VERSION} schemas and the policy.
fleetproof k8s deploy --version V [--timeout S]
  Applies them with kubectl to the current context (the Secret from DATABASE_URL, the migration Job, then the
  rest) and waits for the rollout; exit 12 when there is no context.
fleetproof k8s load <script> --parallelism N [--target URL] [-e KEY=VALUE …] [--synth-only] [--out DIR]
  Runs the script as N segments of an Indexed Job and merges their series into one summary.`;

const withVersion = (config: FleetproofConfig, version: string | undefined): FleetproofConfig =>
  version ? { ...config, service: { ...config.service, version } } : config;

function write(out: string, manifests: Manifest[], single: boolean, name: string): string[] {
  mkdirSync(out, { recursive: true });
  const files = single ? new Map([[`${name}.yaml`, manifests]]) : byKind(manifests);
  return [...files].map(([file, objects]) => {
    writeFileSync(join(out, file), toYaml(objects));
    return join(out, file);
  });
}

/** The script and the flat files beside it (k6 modules, processors, CSVs): a ConfigMap holds no folders. */
function scriptFiles(script: string): Record<string, string> {
  const dir = dirname(script);
  const files: Record<string, string> = {};
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!/\.(js|mjs|cjs|ts|json|ya?ml|csv|txt)$/.test(name) || !statSync(path).isFile()) continue;
    total += statSync(path).size;
    files[name] = readFileSync(path, 'utf8');
  }
  if (total > 900 * 1024)
    throw new K8sUsageError(
      `${relative(process.cwd(), dir) || '.'}: ${Math.round(total / 1024)} KiB of files beside the script; a ConfigMap holds at most 1 MiB: expected the script in a folder of its own`,
    );
  return files;
}

async function loadSub(rest: string[], config: FleetproofConfig, root: string, say: (l: string) => void) {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      parallelism: { type: 'string' },
      target: { type: 'string' },
      env: { type: 'string', short: 'e', multiple: true },
      'synth-only': { type: 'boolean' },
      out: { type: 'string' },
      timeout: { type: 'string' },
    },
    strict: true,
  });
  const script = positionals[0];
  const n = Number(values.parallelism);
  if (!script) throw new K8sUsageError(`a script is required\n${k8sUsage}`);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new K8sUsageError(
      `--parallelism: got ${values.parallelism ?? 'none'}, expected a whole number from 1 to 1000`,
    );
  const s = k8sSettingsFromConfig(config);
  const job = `${s.name}-load-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  // Artillery's --target replaces config.target; a k6 script's URLs are its own (it reads __ENV for a base URL).
  const serviceUrl = `http://${s.name}.${s.namespace ?? 'default'}.svc.cluster.local`;
  const target = values.target ?? (/\.(ya?ml|json)$/.test(script) ? serviceUrl : undefined);
  say(
    target
      ? `target ${target}${values.target ? '' : ' (the Service; --target URL for another)'}`
      : `target: the script's own URLs (pass -e BASE_URL=${serviceUrl} if it reads one)`,
  );
  const manifests = checked(
    loadJobManifests(s, {
      name: job,
      files: scriptFiles(script),
      script: basename(script),
      parallelism: n,
      target,
      fleetproofVersion: FLEETPROOF_VERSION,
      loadArgs: (values.env ?? []).flatMap((e) => ['-e', e]),
    }),
  ).manifests;
  const out = values.out ?? join(root, '.fleetproof', 'k8s', job);
  if (values['synth-only']) {
    for (const f of write(out, manifests, true, job)) say(`${relative(process.cwd(), f)}`);
    return 0;
  }
  const merged = await runLoadJob({
    job,
    namespace: s.namespace,
    parallelism: n,
    manifests,
    kubectl: systemKubectl(),
    say,
    outDir: out,
    timeoutSeconds: Number(values.timeout ?? 3600),
  });
  say(formatMerged(merged));
  return 0;
}

/** Entry point for `fleetproof k8s …` (the fleetproof CLI loads this package only for this command). */
export async function k8sCommand(argv: string[], say: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  const root = findProjectRoot();
  const config = await loadConfig(root);
  if (sub === 'synth') {
    const { values } = parseArgs({
      args: rest,
      options: { out: { type: 'string' }, single: { type: 'boolean' }, version: { type: 'string' } },
      strict: true,
    });
    const { manifests, warnings } = checked(serviceManifests(withVersion(config, values.version)));
    for (const w of warnings) say(`warning: ${describeFinding(w)}`);
    const out = values.out ?? join(root, '.fleetproof', 'k8s');
    const files = write(out, manifests, values.single === true, config.service.name);
    say(
      `${manifests.length} objects (${manifests.map((m) => m.kind).join(', ')}), valid against Kubernetes ${SCHEMA_KUBERNETES_VERSION}:`,
    );
    for (const f of files) say(`  ${relative(process.cwd(), f)}`);
    return 0;
  }
  if (sub === 'deploy') {
    const { values } = parseArgs({
      args: rest,
      options: { version: { type: 'string' }, timeout: { type: 'string' } },
      strict: true,
    });
    if (!values.version) throw new K8sUsageError(`--version is required\n${k8sUsage}`);
    const versioned = withVersion(config, values.version);
    await k8sDeploy({
      settings: k8sSettingsFromConfig(versioned),
      manifests: checked(serviceManifests(versioned)).manifests,
      kubectl: systemKubectl(),
      say,
      databaseUrl: process.env.DATABASE_URL,
      timeoutSeconds: Number(values.timeout ?? 600),
    });
    return 0;
  }
  if (sub === 'load') return loadSub(rest, config, root, say);
  throw new K8sUsageError(
    `unknown subcommand ${sub ?? '(none)'}: expected synth, deploy or load\n${k8sUsage}`,
  );
}
