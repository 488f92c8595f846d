import type { FaultKind, FaultsSettings, WriteConfig } from '../config/proof-schema.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { INJECT } from './fault-injections.js';
import { type FaultRecording, judgeFault } from './fault-judges.js';
import { loadFigures } from './measure.js';
import { atSteadyRate, type ProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor } from './service-level.js';
import type { ExperimentFindings, ProveContext } from './types.js';
import { readBack, startWriters } from './write-audit.js';

export const COLUMNS = ['requests', 'failed', 'victims', 'their requests'];

/** One fault on a fleet of its own under the steady load; returns what the judges read. */
async function runFault(
  context: ProveContext,
  settings: FaultsSettings,
  load: ProofLoad,
  kind: FaultKind,
): Promise<FaultRecording> {
  const n = settings.instances;
  const forMs = settings.forSeconds * 1000;
  const faultAfterMs = Math.max(2000, settings.faultAfterSeconds * context.durationFactor * 1000);
  // Long enough for the fault, its recovery and some seconds of serving after it.
  const loadMs =
    faultAfterMs + forMs + settings.downSeconds * 1000 + settings.recoverWithinSeconds * 1000 + 12_000;
  const fleet = await ExperimentFleet.start(context, {
    label: `faults: ${kind}`,
    setup: `${n} instances, scaling off; ${kind} ${faultAfterMs / 1000} s into the load`,
    override: {
      instance: settings.instance ?? {},
      scaling: { min: n, max: n, desired: n, enabled: false },
      balancer: settings.balancer ?? {},
    },
    instanceEnv: settings.env,
  });
  const write = kind === 'db-restart' ? (context.proof.write as WriteConfig | undefined) : undefined;
  const writers = write && startWriters(write, fleet.listenerUrl, 1, fleet.recording.startedAt);
  let writersStopped = false;
  const rec: Omit<FaultRecording, 'run'> = {
    kind,
    at: 0,
    endsAt: 0,
    loadEndMs: 0,
    victims: [],
    routedToVictims: 0,
  };
  try {
    const loading = fleet.load(atSteadyRate(load, settings.rate, loadMs), `${settings.rate}/s, ${kind}`);
    await new Promise((r) => setTimeout(r, faultAfterMs));
    rec.at = fleet.elapsedMs();
    await INJECT[kind](fleet, settings, rec);
    await loading;
    rec.loadEndMs = fleet.elapsedMs();
    if (writers) {
      const ledger = await writers.stop();
      writersStopped = true;
      const found = await readBack(
        write as WriteConfig,
        ledger.acknowledged,
        fleet.listenerUrl,
        fleet.fleet.databaseUrl,
      );
      rec.writes = { acknowledged: ledger.acknowledged.length, missing: found.missing };
    }
  } finally {
    if (writers && !writersStopped) await writers.stop().catch(() => {});
    await fleet.stop();
  }
  return { ...rec, run: fleet.recording };
}

/**
 * `faults`: what AWS's Fault Injection Service exercises on this tier, each on a fleet of its own under the
 * load's flows at a steady rate: an instance hung, a zone down, launches failing while an instance dies, the
 * database restarted, the database slow. Each has its own checks (fault-judges.ts).
 */
export async function faults(
  context: ProveContext,
  settings: FaultsSettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const recordings: FaultRecording[] = [];
  for (const kind of settings.kinds) {
    if ((kind === 'db-restart' || kind === 'db-latency') && !context.config.database) {
      context.progress(`faults: ${kind} skipped: the config has no database`);
      continue;
    }
    recordings.push(await runFault(context, settings, load, kind));
  }
  return {
    id: 'faults',
    title: 'Faults: what AWS Fault Injection Service tests',
    origin:
      settings.about ??
      'Does the service survive a hung instance, a lost zone, no capacity, a database restart and a slow database?',
    load: `${load.name}: its flows at ${settings.rate} arrivals/s on ${settings.instances} instances, one fleet per fault`,
    serviceLevel: sl,
    overrides: [
      {
        section: 'scaling',
        value: `${settings.instances}, scaling off`,
        why: 'a fixed group: what changes is the fault and the group’s answer to it',
      },
    ],
    checks: recordings.flatMap(judgeFault),
    columns: COLUMNS,
    rows: [
      ...recordings.map((r) => {
        const f = loadFigures(r.run.summary);
        return {
          label: r.kind,
          values: [
            String(f.requests),
            String(f.failedRequests),
            r.victims.join(', ') || '—',
            String(r.routedToVictims),
          ],
        };
      }),
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: recordings.map((r) => r.run),
    mapped: [],
    explanation: [
      `Each fault runs on a fleet of its own: ${settings.instances} instances over ${context.config.zones === 1 ? 'one zone' : 'the zones'}, the load's flows at ${settings.rate} arrivals/s, the fault ${settings.faultAfterSeconds} s in.`,
      'hang: SIGSTOP (sockets stay open, nothing answers); az-outage: every instance of the first zone stopped and launches there refused; launch-failure: no capacity anywhere while an instance dies; db-restart: the database stopped and started (kept down as configured); db-latency: every database round trip slower through the proxy.',
    ],
  };
}
