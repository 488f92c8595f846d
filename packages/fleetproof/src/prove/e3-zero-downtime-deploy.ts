import { ExperimentFleet } from './experiment-fleet.js';
import { steadyGets } from './load-plans.js';
import { firstEvent, loadFigures } from './measure.js';
import { formatSeconds, mapToAws, refreshStepTerms } from './time-mapping.js';
import type { Check, ExperimentFindings, ExtraSeries, ProveContext, RunRecording } from './types.js';
import { startVersionProbe } from './version-probe.js';

/**
 * E3 (first report): roll V1 → V2 by instance refresh under steady GET load, while a probe reads the message
 * the way the author refreshed a browser. Scaling is held off so the only change is the refresh.
 */
export async function zeroDowntimeDeploy(context: ProveContext): Promise<ExperimentFindings> {
  const from = context.config.service.version;
  const to = nextVersion(from);
  const loadMs = context.quick ? 20_000 : 24_000;
  const deployAfterMs = context.quick ? 4000 : 6000;
  const rate = 20;
  const fleet = await ExperimentFleet.start(context, {
    label: 'E3 deploy',
    setup: `${context.config.scaling.min} instance(s), ${from} → ${to} by instance refresh (min ${context.config.rollout.minHealthyPercent}%, max ${context.config.rollout.maxHealthyPercent}% healthy)`,
    override: { scaling: { enabled: false } },
  });
  let refreshStatus = 'not started';
  let probe: ReturnType<typeof startVersionProbe> | undefined;
  try {
    probe = startVersionProbe(`${fleet.listenerUrl}/`, fleet.recording.startedAt);
    const loading = fleet.load(
      steadyGets({ rate, durationMs: loadMs }),
      `${rate} GET/s, deploy at ${deployAfterMs / 1000} s`,
    );
    await new Promise((r) => setTimeout(r, deployAfterMs));
    const refresh = fleet.fleet.group.startRefresh(to);
    await loading;
    await fleet.until(
      'the refresh to end',
      () => fleet.fleet.group.refreshStatus(refresh.id)?.status !== 'in-progress',
      60_000,
    );
    refreshStatus = fleet.fleet.group.refreshStatus(refresh.id)?.status ?? 'unknown';
  } finally {
    await probe?.stop();
    await fleet.stop();
  }
  const run = fleet.recording;
  const samples = probe?.samples ?? [];
  const messageOf = (version: string) => `Hello World! ${version}`;
  const firstNew = samples.find((s) => s.message === messageOf(to));
  const lastOld = samples.findLast((s) => s.message === messageOf(from));
  const probeFailures = samples.filter((s) => s.status !== 200).length;
  const f = loadFigures(run.summary);
  const checks: Check[] = [
    {
      label: '0 failed requests during the deploy',
      passed: f.failedRequests === 0 && probeFailures === 0,
      measured: `load ${f.failedRequests} of ${f.requests} failed; probe ${probeFailures} of ${samples.length}`,
    },
    {
      label: `the message flips from "${messageOf(from)}" to "${messageOf(to)}"`,
      passed:
        samples[0]?.message === messageOf(from) &&
        samples.at(-1)?.message === messageOf(to) &&
        firstNew !== undefined &&
        (lastOld?.t ?? 0) < (samples.at(-1)?.t ?? 0),
      measured: firstNew
        ? `first ${to} at ${formatSeconds(firstNew.t / 1000)}, last ${from} at ${formatSeconds((lastOld?.t ?? 0) / 1000)} (run time)`
        : `never saw ${to} in ${samples.length} probes`,
    },
    {
      label: 'the instance refresh succeeds',
      passed: refreshStatus === 'successful',
      measured: refreshStatus,
    },
  ];
  run.extraSeries = [versionShare(run, [from, to])];
  const refreshStarted = firstEvent(run, ['RefreshStarted']);
  const refreshDone = firstEvent(run, ['RefreshSuccessful', 'RefreshFailed', 'RefreshRolledBack']);
  return {
    id: 'E3',
    title: 'Zero-downtime deploy',
    origin:
      'First report: V1 → V2 by instance refresh while k6 sent GETs and the author refreshed a browser: the message flipped to V2 and k6 reported 0 failed requests.',
    checks,
    columns: ['requests', 'failed', 'probes', 'first V2 seen', 'last V1 seen', 'refresh took'],
    rows: [
      {
        label: 'here',
        values: [
          String(f.requests),
          String(f.failedRequests),
          String(samples.length),
          firstNew ? formatSeconds(firstNew.t / 1000) : '—',
          lastOld ? formatSeconds(lastOld.t / 1000) : '—',
          refreshStarted && refreshDone ? formatSeconds((refreshDone.t - refreshStarted.t) / 1000) : '—',
        ],
      },
      { label: 'first report', values: ['—', '0', 'by hand', '—', '—', '—'] },
    ],
    runs: [run],
    mapped:
      refreshStarted && refreshDone
        ? [
            mapToAws(
              `instance refresh of ${context.config.scaling.min} instance(s)`,
              refreshDone.t - refreshStarted.t,
              refreshStepTerms().map((term) => ({
                label: `${term.label} (× ${context.config.scaling.min})`,
                seconds: (p) => term.seconds(p) * context.config.scaling.min,
              })),
              context.fast,
              context.aws,
            ),
          ]
        : [],
    explanation: [
      `Load: ${rate} GET / per second for ${loadMs / 1000} s; the deploy starts ${deployAfterMs / 1000} s in. A probe reads the message every 200 ms, as the author refreshed a browser.`,
      `Instance refresh with max healthy ${context.config.rollout.maxHealthyPercent}%: the ${to} instance is launched first; the ${from} one keeps serving until the new one is healthy in the target group and warmed up, then it is deregistered (draining: in-flight requests finish, no new ones) and stopped. While both are healthy both versions answer, which is why the probe sees ${from} and ${to} alternate for a moment.`,
    ],
  };
}

/** V1 → V2 (or "-next" for versions without a trailing number). */
export function nextVersion(version: string): string {
  const match = /^(.*?)(\d+)$/.exec(version);
  return match ? `${match[1]}${Number(match[2]) + 1}` : `${version}-next`;
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
