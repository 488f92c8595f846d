import type { CrashSettings } from '../config/proof-schema.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { firstEvent, loadFigures } from './measure.js';
import { atSteadyRate, type ProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor, windowFigures } from './service-level.js';
import { formatSeconds } from './time-mapping.js';
import type { Check, ExperimentFindings, ProveContext, RunRecording } from './types.js';

export interface CrashRecording {
  run: RunRecording;
  victim: string | undefined;
  /** Run-relative ms. */
  killedAtMs: number;
  /** Requests the victim was serving when it was killed (the balancer's count). */
  inFlightAtKill: number;
  /** Every request that ended on the victim after the kill: those in flight plus those routed to it before it left. */
  endedOnVictimAfterKill: number;
  /** When the balancer stopped routing to it (run-relative ms), if it did. */
  detectedAtMs: number | undefined;
  /** A replacement that became healthy (run-relative ms), if any. */
  replacementHealthyAtMs: number | undefined;
  loadEndMs: number;
}

/**
 * The verdict on a crash: the failures are the dead instance's own (in flight, or sent to it before it
 * was taken out), none after it was taken out, and a replacement serves.
 */
export function judgeCrash(rec: CrashRecording): Check[] {
  const f = loadFigures(rec.run.summary);
  const afterDetection =
    rec.detectedAtMs === undefined
      ? undefined
      : windowFigures(rec.run.load, rec.detectedAtMs + 1000, rec.loadEndMs + 1000);
  return [
    {
      label: 'failures no more than the crashed instance’s own requests',
      passed: rec.victim !== undefined && f.failedRequests <= rec.endedOnVictimAfterKill,
      measured: `${f.failedRequests} failed of ${f.requests}; the instance had ${rec.inFlightAtKill} in flight at the kill and ${rec.endedOnVictimAfterKill - rec.inFlightAtKill} more were routed to it before it was taken out`,
    },
    {
      label: 'no failure after the balancer took it out',
      passed: afterDetection !== undefined && afterDetection.failed === 0,
      measured:
        afterDetection && rec.detectedAtMs !== undefined
          ? `taken out ${formatSeconds((rec.detectedAtMs - rec.killedAtMs) / 1000)} after the kill; ${afterDetection.failed} of ${afterDetection.requests} failed after`
          : 'the balancer kept routing to it',
    },
    {
      label: 'a replacement is healthy',
      passed: rec.replacementHealthyAtMs !== undefined,
      measured:
        rec.replacementHealthyAtMs !== undefined
          ? `${formatSeconds((rec.replacementHealthyAtMs - rec.killedAtMs) / 1000)} after the kill`
          : 'none became healthy',
    },
  ];
}

export const COLUMNS = [
  'requests',
  'failed',
  'in flight at kill',
  'taken out after',
  'replacement healthy after',
];

/** `crash`: one instance SIGKILLed while the load's flows run at a steady rate on a fixed-size group. */
export async function crash(
  context: ProveContext,
  settings: CrashSettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const n = settings.instances;
  const loadMs = Math.max(12_000, settings.seconds * context.durationFactor * 1000);
  const crashAfterMs = Math.max(2000, settings.crashAfterSeconds * context.durationFactor * 1000);
  const fleet = await ExperimentFleet.start(context, {
    label: 'crash',
    setup: `${n} instances, scaling off; one SIGKILLed ${crashAfterMs / 1000} s into the load`,
    override: {
      instance: settings.instance ?? {},
      scaling: { min: n, max: n, desired: n, enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  const rec: Omit<CrashRecording, 'run'> & { run?: RunRecording } = {
    victim: undefined,
    killedAtMs: 0,
    inFlightAtKill: 0,
    endedOnVictimAfterKill: 0,
    detectedAtMs: undefined,
    replacementHealthyAtMs: undefined,
    loadEndMs: 0,
  };
  try {
    const loading = fleet.load(
      atSteadyRate(load, settings.rate, loadMs),
      `${settings.rate}/s, crash at ${(crashAfterMs / 1000).toFixed(1)} s`,
    );
    await new Promise((r) => setTimeout(r, crashAfterMs));
    const victim = fleet.fleet.group.status().instances.find((i) => i.health === 'healthy');
    const target = victim && fleet.fleet.balancer.group.get(victim.id);
    if (victim && target) {
      const completedBefore = target.completedTotal;
      rec.victim = victim.id;
      rec.inFlightAtKill = target.inFlight;
      rec.killedAtMs = fleet.elapsedMs();
      context.progress(`crash: SIGKILL ${victim.id} (${target.inFlight} in flight)`);
      process.kill(-victim.pid, 'SIGKILL');
      // Taken out: the balancer no longer routes to it (deregistered, draining or unhealthy).
      await fleet.until(
        'the balancer to take it out',
        () =>
          !fleet.fleet.balancer.group.get(victim.id) ||
          (target.state !== 'healthy' && target.state !== 'initial'),
        30_000,
      );
      rec.detectedAtMs = fleet.elapsedMs();
      // Its requests end quickly once it is dead (refused or reset); give them a moment to be counted.
      await new Promise((r) => setTimeout(r, 500));
      rec.endedOnVictimAfterKill = target.completedTotal - completedBefore;
      await fleet.until(
        'a replacement to be healthy',
        () =>
          fleet.fleet.balancer.group.all().filter((t) => t.state === 'healthy' && t.id !== victim.id)
            .length >= n,
        60_000,
      );
    }
    await loading;
    rec.loadEndMs = fleet.elapsedMs();
  } finally {
    await fleet.stop();
  }
  const run = fleet.recording;
  const replacement = rec.victim ? firstEvent(run, ['Target.Healthy'], rec.killedAtMs) : undefined;
  rec.replacementHealthyAtMs = replacement?.t;
  const full: CrashRecording = { ...rec, run };
  const f = loadFigures(run.summary);
  return {
    id: 'crash',
    title: 'An instance crashes under load',
    origin: settings.about ?? 'What does a crashed instance cost, and does the group recover by itself?',
    load: `${load.name}: its flows at ${settings.rate} arrivals/s for ${(loadMs / 1000).toFixed(0)} s`,
    serviceLevel: sl,
    overrides: [
      {
        section: 'scaling',
        value: `${n}, scaling off`,
        why: 'a fixed group: the replacement is the only change after the crash',
      },
    ],
    checks: judgeCrash(full),
    columns: COLUMNS,
    rows: [
      {
        label: 'here',
        values: [
          String(f.requests),
          String(f.failedRequests),
          String(full.inFlightAtKill),
          full.detectedAtMs !== undefined ? formatSeconds((full.detectedAtMs - full.killedAtMs) / 1000) : '—',
          full.replacementHealthyAtMs !== undefined
            ? formatSeconds((full.replacementHealthyAtMs - full.killedAtMs) / 1000)
            : '—',
        ],
      },
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: [run],
    mapped: [],
    explanation: [
      `Load: ${load.name}'s flows at ${settings.rate} arrivals/s. ${full.victim ?? 'An instance'} is SIGKILLed (its whole process group) ${(crashAfterMs / 1000).toFixed(0)} s in: what it was serving fails (the balancer answers 502), and so does what the balancer sends it before it is taken out.`,
      'The group sees the process gone at its next reconcile, deregisters it and launches a replacement; ALB does not retry, so the failures are bounded by the dead instance’s own requests, not zero.',
    ],
  };
}
