import type { FaultKind, FaultsSettings } from '../config/proof-schema.js';
import type { ExperimentFleet } from './experiment-fleet.js';
import type { FaultRecording } from './fault-judges.js';

type Recording = Omit<FaultRecording, 'run'>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Counts the requests that ended on, or were in flight to, the victims from now until each is out of the
 * target group (gone, or no longer healthy) and half a second more, as the crash experiment does.
 */
function trackVictims(fleet: ExperimentFleet, ids: readonly string[]) {
  // The target objects themselves: their counters stay readable after the group has removed them, which
  // it may do within milliseconds of a SIGKILL.
  const targets = new Map(ids.map((id) => [id, fleet.fleet.balancer.group.get(id)]));
  const started = new Map(ids.map((id) => [id, targets.get(id)?.completedTotal ?? 0]));
  // What is in flight at the fault is the victims' from the start.
  const seen = new Map(ids.map((id) => [id, targets.get(id)?.inFlight ?? 0]));
  const outAt = new Map<string, number>();
  const sample = () => {
    for (const id of ids) {
      const target = targets.get(id);
      if (!target) continue;
      if ((outAt.get(id) ?? Number.POSITIVE_INFINITY) + 500 > Date.now())
        seen.set(
          id,
          Math.max(seen.get(id) ?? 0, target.completedTotal + target.inFlight - (started.get(id) ?? 0)),
        );
      const gone = !fleet.fleet.balancer.group.get(id);
      if ((gone || (target.state !== 'healthy' && target.state !== 'initial')) && !outAt.has(id))
        outAt.set(id, Date.now());
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return [...seen.values()].reduce((a, b) => a + b, 0);
    },
  };
}

const healthyCount = (fleet: ExperimentFleet) =>
  fleet.fleet.balancer.group.all().filter((t) => t.state === 'healthy').length;

/** SIGSTOP one instance; wait until the group has replaced it. */
async function hang(fleet: ExperimentFleet, settings: FaultsSettings, rec: Recording): Promise<void> {
  const out = fleet.fleet.fault('hang', {}) as { instanceId: string; detectionBoundMs: number };
  Object.assign(rec, { victims: [out.instanceId], detectionBoundMs: out.detectionBoundMs, endsAt: rec.at });
  const tracking = trackVictims(fleet, rec.victims);
  await fleet.until(
    'the hung instance to be replaced',
    () =>
      !fleet.fleet.group.status().instances.some((i) => i.id === out.instanceId) &&
      healthyCount(fleet) >= settings.instances,
    60_000,
  );
  rec.routedToVictims = tracking.stop();
}

/** The first zone down for forSeconds: its instances stopped, launches there refused. */
async function azOutage(fleet: ExperimentFleet, settings: FaultsSettings, rec: Recording): Promise<void> {
  const forMs = settings.forSeconds * 1000;
  const status = fleet.fleet.group.status();
  const zone = status.zones[0] ?? '';
  const tracking = trackVictims(
    fleet,
    status.instances.filter((i) => i.zone === zone).map((i) => i.id),
  );
  const out = fleet.fleet.fault('az-outage', { zone, forMs }) as { stopped: string[]; zones: string[] };
  Object.assign(rec, { victims: out.stopped, zone, zones: out.zones, endsAt: rec.at + forMs });
  await sleep(forMs);
  rec.routedToVictims = tracking.stop();
}

/** No capacity anywhere for forSeconds while an instance is SIGKILLed: the group must retry, not loop. */
async function launchFailure(
  fleet: ExperimentFleet,
  settings: FaultsSettings,
  rec: Recording,
): Promise<void> {
  const forMs = settings.forSeconds * 1000;
  fleet.fleet.fault('launch-failure', { forMs });
  Object.assign(rec, { retryFirstMs: fleet.fleet.timing.launchRetrySeconds * 1000, endsAt: rec.at + forMs });
  const victim = fleet.fleet.group.status().instances.find((i) => i.health === 'healthy');
  if (!victim) return;
  const tracking = trackVictims(fleet, [victim.id]);
  process.kill(-victim.pid, 'SIGKILL');
  rec.victims = [victim.id];
  await sleep(forMs);
  rec.routedToVictims = tracking.stop();
}

/** The database restarted, down downSeconds; waits until it is back. */
async function dbRestart(fleet: ExperimentFleet, settings: FaultsSettings, rec: Recording): Promise<void> {
  fleet.fleet.fault('db-restart', { downMs: settings.downSeconds * 1000 });
  rec.recoverWithinMs = settings.recoverWithinSeconds * 1000;
  const back = () => fleet.recording.events.find((e) => e.reason === 'FaultDbRestartEnded' && e.t >= rec.at);
  await fleet.until(
    'the database to be back',
    () => back() !== undefined,
    settings.downSeconds * 1000 + 60_000,
  );
  rec.backAt = back()?.t;
  rec.endsAt = rec.backAt ?? rec.at;
}

/** Every database round trip latencyMs ± jitterMs slower for forSeconds. */
async function dbLatency(fleet: ExperimentFleet, settings: FaultsSettings, rec: Recording): Promise<void> {
  const forMs = settings.forSeconds * 1000;
  fleet.fleet.fault('db-latency', { ms: settings.latencyMs, jitterMs: settings.jitterMs, forMs });
  Object.assign(rec, { latencyMs: settings.latencyMs, endsAt: rec.at + forMs });
}

/** How the faults experiment injects each fault into a running experiment fleet, filling in its recording. */
export const INJECT: Record<
  FaultKind,
  (fleet: ExperimentFleet, settings: FaultsSettings, rec: Recording) => Promise<void>
> = {
  hang,
  'az-outage': azOutage,
  'launch-failure': launchFailure,
  'db-restart': dbRestart,
  'db-latency': dbLatency,
};
