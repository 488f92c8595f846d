import { parseArgs } from 'node:util';
import { control, currentRun } from '../../control/control-client.js';
import { FleetError } from '../../errors.js';
import { dbLatencyOutcome, dbRestartOutcome } from '../../fleet/db-fault-outcome.js';
import type { GroupStatus } from '../../fleet/group-status.js';
import { type HangEvent, hangOutcome, hangSettled } from '../../fleet/hang-outcome.js';
import { launchFailureOutcome, outageOutcome, type ZoneFaultEvent } from '../../fleet/zone-fault-outcome.js';
import { parseDuration } from '../../load/schedule/durations.js';
import type { RunInfo as ControlInfo } from '../../metrics/run-folder.js';
import { findProjectRoot, stateDir } from '../../project.js';
import { startVersionProbe } from '../../prove/version-probe.js';
import { FAULT_KINDS } from '../../runtime/fault-handlers.js';
import { bold, dim, green, line, red } from '../output.js';

/** A fleet event as GET /events returns it: every outcome reads the fields it knows. */
interface Event {
  readonly t: number;
  readonly reason: string;
  readonly message: string;
  readonly data?: HangEvent['data'] & ZoneFaultEvent['data'];
}

const FOLLOW_AFTER_MS = 120_000;

const seconds = (ms: number | undefined, none = 'never') =>
  ms === undefined ? none : `${(ms / 1000).toFixed(1)} s`;

/**
 * Prints the fleet's events from `at` on until `done` says so or the deadline passes; returns every event the
 * fleet kept, earlier ones too (where its instances were before the fault is part of the outcome).
 */
async function follow(
  info: ControlInfo,
  at: number,
  done: (events: Event[]) => boolean,
  deadline: number,
): Promise<Event[]> {
  const seen: Event[] = [];
  let since = 0;
  while (!done(seen) && Date.now() < deadline) {
    for (const e of await control<Event[]>(info, 'GET', `/events?since=${since}`)) {
      since = Math.max(since, e.t);
      seen.push(e);
      if (e.t >= at)
        line(`${dim(`${((e.t - at) / 1000).toFixed(1).padStart(6)}s`)} ${e.reason.padEnd(28)} ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return seen;
}

function verdict(passed: boolean, summary: string): number {
  if (passed) {
    line(green(summary));
    return 0;
  }
  line(red(summary));
  throw new FleetError('FLEET_ERR_VERDICT', summary);
}

function forDuration(value: string | undefined, flag: string): number {
  if (value === undefined)
    throw new FleetError('FLEET_ERR_USAGE', `${flag}: missing, expected a duration such as 30s`);
  try {
    return parseDuration(value, flag);
  } catch (error) {
    throw new FleetError('FLEET_ERR_USAGE', (error as Error).message);
  }
}

/**
 * `fleetproof fault <kind> …` against the running fleet: starts the fault through the control API, prints
 * what the fleet did about it as it happens, and ends with a verdict (exit 10 when it failed).
 */
export async function faultCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (!(FAULT_KINDS as readonly string[]).includes(kind ?? '')) {
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `fault: got ${JSON.stringify(kind ?? '')}, expected one of ${FAULT_KINDS.join(', ')}`,
    );
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      instance: { type: 'string' },
      zone: { type: 'string' },
      for: { type: 'string' },
      down: { type: 'string' },
      ms: { type: 'string' },
      'jitter-ms': { type: 'string' },
      'recover-within': { type: 'string' },
      path: { type: 'string' },
    },
    strict: true,
  });
  const info = currentRun(stateDir(findProjectRoot()));
  switch (kind) {
    case 'hang':
      return hang(info, values.instance);
    case 'az-outage': {
      if (!values.zone)
        throw new FleetError('FLEET_ERR_USAGE', '--zone: missing, expected a zone of the fleet (see status)');
      return azOutage(info, values.zone, forDuration(values.for, '--for'));
    }
    case 'launch-failure':
      return launchFailure(info, forDuration(values.for, '--for'));
    case 'db-restart':
      return dbRestart(
        info,
        values.down === undefined ? 0 : forDuration(values.down, '--down'),
        forDuration(values['recover-within'] ?? '10s', '--recover-within'),
        values.path,
      );
    default:
      return dbLatency(info, {
        ms: wholeMs(values.ms, '--ms'),
        jitterMs: values['jitter-ms'] === undefined ? 0 : wholeMs(values['jitter-ms'], '--jitter-ms'),
        forMs: forDuration(values.for, '--for'),
        path: values.path,
      });
  }
}

function wholeMs(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n < 0 || n > 60_000)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `${flag}: got ${JSON.stringify(value)}, expected milliseconds from 0 to 60000`,
    );
  return n;
}

async function hang(info: ControlInfo, instance: string | undefined): Promise<number> {
  const hung = await control<{ instanceId: string; at: number; detectionBoundMs: number }>(
    info,
    'POST',
    '/fault/hang',
    instance ? { instance } : {},
  );
  const bound = hung.detectionBoundMs;
  line(
    `${bold('hang')} ${hung.instanceId}: SIGSTOP; the health checks must mark it unhealthy within ${seconds(bound)} (unhealthy threshold × interval + timeout)`,
  );
  const events = await follow(
    info,
    hung.at,
    (seen) => hangSettled(hangOutcome(seen, hung.instanceId, hung.at)),
    Date.now() + FOLLOW_AFTER_MS,
  );
  const o = hangOutcome(events, hung.instanceId, hung.at);
  const inBound = o.detectedAfterMs !== undefined && o.detectedAfterMs <= bound;
  return verdict(
    inBound && hangSettled(o),
    `${hung.instanceId} unhealthy after ${seconds(o.detectedAfterMs)} (bound ${seconds(bound)}), terminated after ${seconds(o.terminatedAfterMs)}, replaced after ${seconds(o.replacedAfterMs)}`,
  );
}

async function azOutage(info: ControlInfo, zone: string, forMs: number): Promise<number> {
  const f = await control<{ at: number; endsAt: number; stopped: string[]; zones: string[] }>(
    info,
    'POST',
    '/fault/az-outage',
    { zone, forMs },
  );
  line(
    `${bold('az-outage')} ${zone} for ${seconds(forMs)}: ${f.stopped.length} instance(s) stopped (${f.stopped.join(', ') || 'none there'}); launches there fail until it ends`,
  );
  const fault = { zone, zones: f.zones, stopped: f.stopped, at: f.at, endsAt: f.endsAt };
  const settled = (events: Event[]) => {
    const o = outageOutcome(events, fault);
    const endSeen = events.some((e) => e.t >= f.endsAt);
    return (
      endSeen && o.restoredAfterMs !== undefined && (!o.rebalanceNeeded || o.rebalancedAfterMs !== undefined)
    );
  };
  const events = await follow(info, f.at, settled, f.endsAt + FOLLOW_AFTER_MS);
  const o = outageOutcome(events, fault);
  const rebalance = o.rebalanceNeeded
    ? `zones rebalanced ${seconds(o.rebalancedAfterMs, 'not within 120 s')} after it ended`
    : 'no rebalance needed after it ended (zones within one instance)';
  return verdict(
    o.restoredAfterMs !== undefined && (!o.rebalanceNeeded || o.rebalancedAfterMs !== undefined),
    `zone ${zone} down ${seconds(forMs)}: capacity restored in the other zone(s) after ${seconds(o.restoredAfterMs)}; ${rebalance}`,
  );
}

async function launchFailure(info: ControlInfo, forMs: number): Promise<number> {
  const f = await control<{ at: number; endsAt: number; retryFirstMs: number }>(
    info,
    'POST',
    '/fault/launch-failure',
    { forMs },
  );
  line(
    `${bold('launch-failure')} for ${seconds(forMs)}: every launch fails (InsufficientInstanceCapacity); the group must retry with backoff from ${seconds(f.retryFirstMs)}`,
  );
  // Until it ends, then until the group holds desired capacity in service again (nothing left to launch).
  let restoredAt: number | undefined;
  const events = await follow(
    info,
    f.at,
    () => {
      if (Date.now() < f.endsAt + 300) return false;
      void control<{ group: GroupStatus }>(info, 'GET', '/status').then(({ group }) => {
        const serving = group.instances.filter((i) => i.lifecycle === 'in-service').length;
        if (serving >= group.desired && group.launchFailures === undefined) restoredAt ??= Date.now();
      });
      return restoredAt !== undefined;
    },
    f.endsAt + FOLLOW_AFTER_MS,
  );
  const o = launchFailureOutcome(events, { ...f });
  if (o.attemptsAtMs.length === 0) {
    line(
      'no launch was wanted while it lasted, so none failed: scale up or stop an instance during the fault to see the retries',
    );
    return 0;
  }
  const attempts = o.attemptsAtMs.map((ms) => seconds(ms)).join(', ');
  const restored =
    restoredAt === undefined
      ? 'desired capacity not back in service within 120 s of its end'
      : `desired capacity in service ${seconds(o.restoredAfterMs ?? Math.max(0, restoredAt - f.endsAt))} after it ended`;
  return verdict(
    o.attemptsAtMs.length <= o.allowedAttempts && restoredAt !== undefined,
    `${o.attemptsAtMs.length} failed launch attempt(s) (at ${attempts}; backoff allows at most ${o.allowedAttempts}); ${restored}`,
  );
}

async function listenerProbe(info: ControlInfo, path: string | undefined) {
  const status = await control<{ listenerUrl: string; healthCheckPath: string }>(info, 'GET', '/status');
  const url = new URL(path ?? status.healthCheckPath, status.listenerUrl).toString();
  // Sample times in the fleet's clock (epoch ms), as its events are.
  return { url, probe: startVersionProbe(url, 0, 200, 15 * 60_000) };
}

async function dbRestart(
  info: ControlInfo,
  downMs: number,
  recoverWithinMs: number,
  path: string | undefined,
): Promise<number> {
  const { url, probe } = await listenerProbe(info, path);
  await new Promise((r) => setTimeout(r, 1000));
  const f = await control<{ at: number; how: string }>(info, 'POST', '/fault/db-restart', { downMs });
  line(`${bold('db-restart')}: ${f.how}; probing ${url} every 200 ms`);
  let backAt: number | undefined;
  const events = await follow(
    info,
    f.at,
    (seen) => {
      const back = seen.find(
        (e) => e.reason === 'FaultDbRestartEnded' || e.reason === 'FaultDbRestartFailed',
      );
      if (back) backAt ??= back.t;
      return backAt !== undefined && Date.now() > backAt + recoverWithinMs + 2000;
    },
    Date.now() + downMs + FOLLOW_AFTER_MS,
  );
  const samples = await probe.stop();
  if (backAt === undefined || events.some((e) => e.reason === 'FaultDbRestartFailed'))
    return verdict(false, 'the database did not come back (see the events above)');
  const o = dbRestartOutcome(samples, events, { at: f.at, backAt, endT: Date.now() });
  return verdict(
    o.recoveredAfterMs !== undefined && o.recoveredAfterMs <= recoverWithinMs,
    `database back after ${seconds(backAt - f.at)}; ${o.recoveredAfterMs === undefined ? 'the service still failed probes when the follow ended' : `the service answered every probe from ${seconds(o.recoveredAfterMs)} after that`} (bound ${seconds(recoverWithinMs)}); ${o.during.failed} of ${o.during.requests} probes failed; health checks: ${o.flaps.unhealthy} unhealthy, ${o.flaps.replaced} replaced`,
  );
}

async function dbLatency(
  info: ControlInfo,
  o: { ms: number; jitterMs: number; forMs: number; path: string | undefined },
): Promise<number> {
  const { url, probe } = await listenerProbe(info, o.path);
  await new Promise((r) => setTimeout(r, 3000));
  const f = await control<{ at: number; endsAt: number }>(info, 'POST', '/fault/db-latency', {
    ms: o.ms,
    jitterMs: o.jitterMs,
    forMs: o.forMs,
  });
  line(
    `${bold('db-latency')} +${o.ms} ± ${o.jitterMs} ms for ${seconds(o.forMs)}; probing ${url} every 200 ms`,
  );
  const events = await follow(info, f.at, () => Date.now() > f.endsAt + 500, f.endsAt + 5000);
  const samples = await probe.stop();
  const out = dbLatencyOutcome(samples, events, f);
  const p99 = (ms: number | undefined) => (ms === undefined ? '–' : `${ms.toFixed(0)} ms`);
  const flapped = out.flaps.unhealthy > 0;
  return verdict(
    !flapped,
    `p99 ${p99(out.before.p99Ms)} before, ${p99(out.during.p99Ms)} during (${out.during.failed} of ${out.during.requests} probes failed); health checks ${flapped ? `flapped: ${out.flaps.unhealthy} unhealthy, ${out.flaps.replaced} replaced` : 'held: no target went unhealthy'}`,
  );
}
