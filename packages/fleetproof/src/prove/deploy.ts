import type { DeploySettings } from '../config/proof-schema.js';
import type { FleetEvent } from '../fleet/auto-scaling-group.js';
import { resolveUrl } from '../load/flow-runner.js';
import { prepareDeployTarget } from './deploy-release.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { versionErrorLines } from './instance-log-errors.js';
import { firstEvent, loadFigures } from './measure.js';
import { atSteadyRate, type ProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor } from './service-level.js';
import { formatSeconds, mapToAws, refreshStepTerms } from './time-mapping.js';
import type { Check, ExperimentFindings, ExtraSeries, ProveContext, RunRecording } from './types.js';
import { failuresByVersion, judgeVersionFailures } from './version-failures.js';
import { type ProbeSample, startVersionProbe } from './version-probe.js';

export interface DeployRecording {
  run: RunRecording;
  from: string;
  to: string;
  refreshStatus: string;
  /** What each version's instances logged as errors (named when a version failed). */
  logLines: Record<string, string[]>;
  /** Page reads, when proof.experiments.deploy.probe is set. */
  probe: { samples: ProbeSample[]; bodyIncludes: string } | undefined;
}

/** Seconds (run-relative ms) in which each version answered requests through the balancer. */
export function versionSeconds(run: RunRecording, version: string): number[] {
  return run.fleet
    .filter((p) => p.targets.some((t) => t.appVersion === version && t.rps > 0))
    .map((p) => p.t);
}

/** The verdict on a deploy: nothing failed, the refresh succeeded, the new version took over. */
export function judgeDeploy(rec: DeployRecording): Check[] {
  const f = loadFigures(rec.run.summary);
  const probeFailed = rec.probe
    ? rec.probe.samples.filter((s) => s.status < 200 || s.status >= 400).length
    : 0;
  const newSeconds = versionSeconds(rec.run, rec.to);
  const oldSeconds = versionSeconds(rec.run, rec.from);
  const lastOld = oldSeconds.at(-1);
  const lastNew = newSeconds.at(-1);
  const migrated = rec.run.events.find(
    (e) => e.reason === 'MigrationSucceeded' || e.reason === 'MigrationFailed',
  );
  const checks: Check[] = [
    {
      label: '0 failed requests during the deploy',
      passed: f.requests > 0 && f.failedRequests === 0 && probeFailed === 0,
      measured: `load ${f.failedRequests} of ${f.requests} failed${rec.probe ? `; page reads ${probeFailed} of ${rec.probe.samples.length}` : ''}`,
    },
    {
      label: 'the instance refresh succeeds',
      passed: rec.refreshStatus === 'successful',
      measured: rec.refreshStatus,
    },
    {
      label: `${rec.to} takes over from ${rec.from}`,
      passed: lastNew !== undefined && (lastOld === undefined || lastOld < lastNew),
      measured:
        newSeconds.length === 0
          ? `${rec.to} answered no request`
          : `${rec.to} answered from ${formatSeconds((newSeconds[0] ?? 0) / 1000)}; ${rec.from} last answered at ${lastOld === undefined ? '—' : formatSeconds(lastOld / 1000)}`,
    },
    judgeVersionFailures(
      failuresByVersion(rec.run, [rec.from, rec.to]),
      migrated && { version: rec.to, at: migrated.t },
      rec.logLines,
    ),
  ];
  if (rec.probe) {
    const { samples, bodyIncludes } = rec.probe;
    const says = (s: ProbeSample | undefined, v: string) =>
      s?.body.includes(bodyIncludes.replace('{{ version }}', v)) === true;
    const firstNew = samples.find((s) => says(s, rec.to));
    checks.push({
      label: `the page flips from "${bodyIncludes.replace('{{ version }}', rec.from)}" to "${bodyIncludes.replace('{{ version }}', rec.to)}"`,
      passed: says(samples[0], rec.from) && says(samples.at(-1), rec.to),
      measured: firstNew
        ? `first ${rec.to} at ${formatSeconds(firstNew.t / 1000)}, last ${rec.from} at ${formatSeconds((samples.findLast((s) => says(s, rec.from))?.t ?? 0) / 1000)} of ${samples.length} reads`
        : `never read ${rec.to} in ${samples.length} reads (first read: ${JSON.stringify(samples[0]?.body.slice(0, 80) ?? '')})`,
    });
  }
  return checks;
}

/** V1 → V2 (or "-next" for versions without a trailing number). */
export function nextVersion(version: string): string {
  const match = /^(.*?)(\d+)$/.exec(version);
  return match ? `${match[1]}${Number(match[2]) + 1}` : `${version}-next`;
}

export const COLUMNS = ['requests', 'failed', 'page reads', 'mixed versions', 'refresh took'];

/**
 * `deploy`: an instance refresh from the running version to the next while the load's flows run at a steady
 * rate (and, if configured, a page is read as a person refreshing a browser would). Scaling is held off so
 * the refresh is the only change.
 */
export async function deploy(
  context: ProveContext,
  settings: DeploySettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const { config } = context;
  const from = config.service.version;
  const target = await prepareDeployTarget(context, settings.ref, settings.version);
  const { release } = target;
  const to = settings.version ?? release?.shortSha ?? nextVersion(from);
  const loadMs = Math.max(14_000, settings.seconds * context.durationFactor * 1000);
  const deployAfterMs = Math.max(2000, settings.deployAfterSeconds * context.durationFactor * 1000);
  const fleet = await ExperimentFleet.start(target.context, {
    label: 'deploy',
    setup: `${config.scaling.min} instance(s), ${from} → ${to}${release ? ` (release ${release.shortSha} of ${release.ref})` : ''} by instance refresh (min ${config.rollout.minHealthyPercent}%, max ${config.rollout.maxHealthyPercent}% healthy)`,
    override: {
      instance: settings.instance ?? {},
      scaling: { enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  let refreshStatus = 'not started';
  let probe: ReturnType<typeof startVersionProbe> | undefined;
  try {
    if (settings.probe)
      probe = startVersionProbe(resolveUrl(settings.probe.url, fleet.listenerUrl), fleet.recording.startedAt);
    const loading = fleet.load(
      atSteadyRate(load, settings.rate, loadMs),
      `${settings.rate}/s, deploy at ${(deployAfterMs / 1000).toFixed(1)} s`,
    );
    await new Promise((r) => setTimeout(r, deployAfterMs));
    const refresh = await fleet.fleet
      .deploy({ version: to, release: release && { sha: release.sha, root: release.root } })
      .catch((error: Error) => {
        refreshStatus = `not started: ${error.message}`;
        return undefined;
      });
    await loading;
    if (refresh) {
      await fleet.until(
        'the refresh to end',
        () => fleet.fleet.group.refreshStatus(refresh.id)?.status !== 'in-progress',
        90_000,
      );
      refreshStatus = fleet.fleet.group.refreshStatus(refresh.id)?.status ?? 'unknown';
    }
  } finally {
    await probe?.stop();
    await fleet.stop();
    await target.cleanup();
  }
  const run = fleet.recording;
  const rec: DeployRecording = {
    run,
    from,
    to,
    refreshStatus,
    logLines: versionErrorLines(fleet.fleet.run.instanceLogDir, instancesByVersion(fleet.fleet.events)),
    probe:
      settings.probe && probe
        ? { samples: probe.samples, bodyIncludes: settings.probe.bodyIncludes }
        : undefined,
  };
  run.extraSeries = [versionShare(run, [from, to])];
  const started = firstEvent(run, ['RefreshStarted']);
  const done = firstEvent(run, ['RefreshSuccessful', 'RefreshFailed', 'RefreshRolledBack']);
  const both = versionSeconds(run, from).filter((t) => versionSeconds(run, to).includes(t));
  const f = loadFigures(run.summary);
  const n = config.scaling.min;
  return {
    id: 'deploy',
    title: 'Zero-downtime deploy',
    origin: settings.about ?? 'Does an instance refresh under load fail any request?',
    load: `${load.name}: its flows at ${settings.rate} arrivals/s for ${(loadMs / 1000).toFixed(0)} s`,
    serviceLevel: sl,
    overrides: [
      { section: 'scaling.enabled', value: 'false', why: 'the refresh is the only change' },
      ...target.overrides,
    ],
    checks: judgeDeploy(rec),
    columns: COLUMNS,
    rows: [
      {
        label: 'here',
        values: [
          String(f.requests),
          String(f.failedRequests),
          rec.probe ? String(rec.probe.samples.length) : '—',
          both.length > 0 ? `${formatSeconds(((both.at(-1) ?? 0) - (both[0] ?? 0)) / 1000 + 1)}` : 'none',
          started && done ? formatSeconds((done.t - started.t) / 1000) : '—',
        ],
      },
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: [run],
    mapped:
      started && done
        ? [
            mapToAws(
              `instance refresh of ${n} instance(s)`,
              done.t - started.t,
              refreshStepTerms().map((term) => ({
                label: `${term.label} (× ${n})`,
                seconds: (p) => term.seconds(p) * n,
              })),
              context.fast,
              context.aws,
            ),
          ]
        : [],
    explanation: [
      `Load: ${load.name}'s flows at ${settings.rate} arrivals/s for ${(loadMs / 1000).toFixed(0)} s; the refresh to ${to} starts ${(deployAfterMs / 1000).toFixed(0)} s in.${settings.probe ? ` A page (${settings.probe.url}) is read every 200 ms, as a person refreshing a browser.` : ''}`,
      `With max healthy ${config.rollout.maxHealthyPercent}% the ${to} instances launch first; a ${from} one is deregistered (draining: in-flight requests finish, no new ones) only once a ${to} one is healthy and warmed up. While both serve, both versions answer: the mixed-version window in the chart.`,
    ],
  };
}

/** Requests per second answered by each version, from the balancer's per-target counts. */
function versionShare(run: RunRecording, versions: string[]): ExtraSeries {
  return {
    title: 'Requests per second by version',
    unit: 'req/s',
    x: run.fleet.map((p) => p.t / 1000),
    lines: versions.map((version) => ({
      label: version,
      values: run.fleet.map((p) =>
        p.targets.filter((t) => t.appVersion === version).reduce((n, t) => n + t.rps, 0),
      ),
    })),
  };
}

/** Which instances ran which version, from the fleet's launch events. */
function instancesByVersion(events: readonly FleetEvent[]): Map<string, string[]> {
  const byVersion = new Map<string, string[]>();
  for (const e of events) {
    const data = e.data as { instanceId?: string; appVersion?: string } | undefined;
    if (e.reason !== 'InstanceLaunched' || !data?.instanceId || data.appVersion === undefined) continue;
    byVersion.set(data.appVersion, [...(byVersion.get(data.appVersion) ?? []), data.instanceId]);
  }
  return byVersion;
}
