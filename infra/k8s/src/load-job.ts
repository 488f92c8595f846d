import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-32';
import type { K8sSettings } from './k8s-settings.js';
import { chartManifests, type Manifest } from './manifests.js';
import { containerSecurity, podSecurity } from './pod-spec.js';

/** Each segment's `--out` lines, prefixed in the pod's log so they are told apart from npm's and fleetproof's. */
export const OUT_PREFIX = 'fleetproof-out ';

export interface LoadJobOptions {
  /** The Job's name (and the ConfigMap's, with -script). */
  readonly name: string;
  /** The script and the files beside it it may read (k6 modules, Artillery processors, payload CSVs). */
  readonly files: Readonly<Record<string, string>>;
  readonly script: string;
  readonly parallelism: number;
  readonly target: string | undefined;
  /** The fleetproof release the pods run (`npx fleetproof@this`), the CLI's own. */
  readonly fleetproofVersion: string;
  /** Extra arguments for `fleetproof load` (-e KEY=VALUE …), passed as they were given. */
  readonly loadArgs: readonly string[];
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * What each pod runs: its segment (JOB_COMPLETION_INDEX + 1 of N), the series written to a file, then the
 * file printed with a prefix for `k8s load` to gather from the logs. A segment whose thresholds fail (exit
 * 99) still prints its series: thresholds are the whole run's, judged on the merged result.
 */
export function segmentCommand(o: LoadJobOptions, dirs = { script: '/script', work: '/tmp' }): string {
  const args = [
    `${dirs.script}/${o.script}`,
    ...(o.target ? ['--target', o.target] : []),
    ...o.loadArgs,
    '--out',
    `${dirs.work}/segment.ndjson`,
    '--json',
  ].map(shellQuote);
  return [
    'i=$((JOB_COMPLETION_INDEX + 1))',
    // An image with fleetproof installed runs it; else npx fetches this CLI's own release.
    `if command -v fleetproof >/dev/null 2>&1; then fp=fleetproof; else fp="npx --yes fleetproof@${o.fleetproofVersion}"; fi`,
    `$fp load ${args.join(' ')} --segment "$i/${o.parallelism}" > ${shellQuote(`${dirs.work}/summary.json`)}`,
    'rc=$?',
    `[ -f ${shellQuote(`${dirs.work}/segment.ndjson`)} ] && sed 's/^/${OUT_PREFIX}/' ${shellQuote(`${dirs.work}/segment.ndjson`)}`,
    'if [ "$rc" = 0 ] || [ "$rc" = 99 ]; then exit 0; fi',
    'exit "$rc"',
  ].join('\n');
}

/** A ConfigMap with the script and an Indexed Job of `parallelism` pods, one segment each, all at once. */
export function loadJobManifests(s: K8sSettings, o: LoadJobOptions): Manifest[] {
  const app = new App();
  const chart = new Chart(app, o.name, { ...(s.namespace ? { namespace: s.namespace } : {}) });
  const labels = { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/managed-by': 'fleetproof' };
  const configMap = `${o.name}-script`;
  new k8s.KubeConfigMap(chart, 'script', { metadata: { name: configMap, labels }, data: { ...o.files } });
  const size = { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') };
  new k8s.KubeJob(chart, 'job', {
    metadata: { name: o.name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: o.parallelism,
      parallelism: o.parallelism,
      // A segment retried would send part of its load twice: a failed segment fails the run instead.
      backoffLimit: 0,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: podSecurity(s),
          containers: [
            {
              name: 'load',
              image: s.loadImage,
              command: ['sh', '-c', segmentCommand(o)],
              env: [
                { name: 'HOME', value: '/tmp' },
                { name: 'npm_config_cache', value: '/tmp/.npm' },
                { name: 'npm_config_update_notifier', value: 'false' },
              ],
              resources: { requests: size, limits: size },
              securityContext: containerSecurity(),
              volumeMounts: [
                { name: 'script', mountPath: '/script', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'script', configMap: { name: configMap } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  });
  return chartManifests(chart);
}

/** The `--out` lines in one pod's log, prefix removed. */
export function segmentLines(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => l.startsWith(OUT_PREFIX))
    .map((l) => l.slice(OUT_PREFIX.length));
}
