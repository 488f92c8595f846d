import type { FaultKind, FaultsSettings, WriteConfig } from '../config/proof-schema.js';
import { ExperimentFleet } from './experiment-fleet.js';
import { type FaultRecording, judgeFault } from './fault-judges.js';
import { loadFigures } from './measure.js';
import { atSteadyRate, type ProofLoad } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor } from './service-level.js';
import type { ExperimentFindings, ProveContext } from './types.js';
import { readBack, startWriters } from './write-audit.js';

export const COLUMNS = ['requests', 'failed', 'victims', 'their requests'];

/**
 * Counts the requests that ended on, or were in flight to, the victims from now until each is out of the
 * target group (gone, or no longer healthy) and half a second more, as the crash experiment does.
 */
function trackVictims(fleet: ExperimentFleet, ids: readonly string[]) {
  const started = new Map(ids.map((id) => [id, fleet.fleet.balancer.group.get(id)?.completedTotal ?? 0]));
  const seen = new Map(ids.map((id) => [id, 0]));
  const outAt = new Map<string, number>();
  const timer = setInterval(() => {
    for (const id of ids) {
      const target = fleet.fleet.balancer.group.get(id);
      if (target && (outAt.get(id) ?? Number.POSITIVE_INFINITY) + 500 > Date.now())
        seen.set(id, target.completedTotal + target.inFlight - (started.get(id) ?? 0));
      if ((!target || (target.state !== 'healthy' && target.state !== 'initial')) && !outAt.has(id))
        outAt.set(id, Date.now());
    }
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

const healthyCount = (fleet: ExperimentFleet) =>
  fleet.fleet.balancer.group.all().filter((t) => t.state === 'healthy').length;

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
    const group = fleet.fleet.group;
    rec.at = fleet.elapsedMs();
    if (kind === 'hang') {
      const out = fleet.fleet.fault('hang', {}) as { instanceId: string; detectionBoundMs: number };
      rec.victims = [out.instanceId];
      rec.detectionBoundMs = out.detectionBoundMs;
      rec.endsAt = rec.at;
    } else if (kind === 'az-outage') {
      const zone = group.status().zones[0] ?? '';
      const inZone = group
        .status()
        .instances.filter((i) => i.zone === zone)
        .map((i) => i.id);
      const tracking = trackVictims(fleet, inZone);
      const out = fleet.fleet.fault('az-outage', { zone, forMs }) as { stopped: string[]; zones: string[] };
      Object.assign(rec, { victims: out.stopped, zone, zones: out.zones, endsAt: rec.at + forMs });
      await new Promise((r) => setTimeout(r, forMs));
      rec.routedToVictims = tracking.stop();
    } else if (kind === 'launch-failure') {
      fleet.fleet.fault('launch-failure', { forMs });
      rec.retryFirstMs = fleet.fleet.timing.launchRetrySeconds * 1000;
      rec.endsAt = rec.at + forMs;
      const victim = group.status().instances.find((i) => i.health === 'healthy');
      if (victim) {
        const tracking = trackVictims(fleet, [victim.id]);
        process.kill(-victim.pid, 'SIGKILL');
        rec.victims = [victim.id];
        await new Promise((r) => setTimeout(r, forMs));
        rec.routedToVictims = tracking.stop();
      }
    } else if (kind === 'db-restart') {
      fleet.fleet.fault('db-restart', { downMs: settings.downSeconds * 1000 });
      rec.recoverWithinMs = settings.recoverWithinSeconds * 1000;
      await fleet.until(
        'the database to be back',
        () => fleet.recording.events.some((e) => e.reason === 'FaultDbRestartEnded' && e.t >= rec.at),
        settings.downSeconds * 1000 + 60_000,
      );
      rec.backAt = fleet.recording.events.find((e) => e.reason === 'FaultDbRestartEnded' && e.t >= rec.at)?.t;
      rec.endsAt = rec.backAt ?? rec.at;
    } else {
      fleet.fleet.fault('db-latency', { ms: settings.latencyMs, jitterMs: settings.jitterMs, forMs });
      rec.latencyMs = settings.latencyMs;
      rec.endsAt = rec.at + forMs;
    }
    if (kind === 'hang') {
      const tracking = trackVictims(fleet, rec.victims);
      await fleet.until(
        'the hung instance to be replaced',
        () => !group.status().instances.some((i) => i.id === rec.victims[0]) && healthyCount(fleet) >= n,
        60_000,
      );
      rec.routedToVictims = tracking.stop();
    }
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
