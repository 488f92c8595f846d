import type { FaultKind } from '../config/proof-schema.js';
import { healthFlaps } from '../fleet/db-fault-outcome.js';
import { hangOutcome } from '../fleet/hang-outcome.js';
import { launchFailureOutcome, outageOutcome } from '../fleet/zone-fault-outcome.js';
import { ms } from './measure.js';
import { windowFigures } from './service-level.js';
import { formatSeconds } from './time-mapping.js';
import type { Check, RunRecording } from './types.js';

/** One fault's run under load, as the `faults` experiment recorded it. Times are run-relative ms. */
export interface FaultRecording {
  kind: FaultKind;
  run: RunRecording;
  at: number;
  /** When the fault ended (hang: when it was injected; it ends with the instance). */
  endsAt: number;
  loadEndMs: number;
  /** Instances the fault took (hung, stopped, killed). */
  victims: string[];
  /** Requests that ended on the victims, or were still in flight there, from the fault until they were out. */
  routedToVictims: number;
  /** hang: unhealthy threshold × interval + timeout. */
  detectionBoundMs?: number;
  /** az-outage */
  zone?: string;
  zones?: string[];
  /** launch-failure */
  retryFirstMs?: number;
  /** db-restart: when the database answered again, and how soon the service must fail nothing after. */
  backAt?: number;
  recoverWithinMs?: number;
  /** db-restart with proof.write: acknowledged writes and those missing afterwards. */
  writes?: { acknowledged: number; missing: string[] };
  /** db-latency */
  latencyMs?: number;
}

const s = (msValue: number | undefined) => (msValue === undefined ? 'never' : formatSeconds(msValue / 1000));

/** Failures of the whole run bounded by what the fault's victims were serving (ALB does not retry). */
function boundedByVictims(rec: FaultRecording, what: string): Check {
  const w = windowFigures(rec.run.load, 0, rec.loadEndMs + 1000);
  return {
    label: `failures no more than the requests the ${what} had`,
    passed: w.failed <= rec.routedToVictims,
    measured: `${w.failed} failed of ${w.requests}; ${rec.routedToVictims} ended on or were in flight to ${rec.victims.join(', ') || 'no instance'} until taken out`,
  };
}

function judgeHang(rec: FaultRecording): Check[] {
  const victim = rec.victims[0] ?? '';
  const o = hangOutcome(rec.run.events, victim, rec.at);
  const bound = rec.detectionBoundMs ?? 0;
  return [
    {
      label: `hang: marked unhealthy within unhealthy threshold × interval + timeout (${s(bound)})`,
      passed: o.detectedAfterMs !== undefined && o.detectedAfterMs <= bound,
      measured: `${victim} unhealthy ${s(o.detectedAfterMs)} after SIGSTOP`,
    },
    boundedByVictims(rec, 'hung instance'),
    {
      label: 'hang: the group replaces it',
      passed: o.terminatedAfterMs !== undefined && o.replacedAfterMs !== undefined,
      measured: `terminated ${s(o.terminatedAfterMs)}, a replacement in service ${s(o.replacedAfterMs)} after the hang`,
    },
  ];
}

function judgeOutage(rec: FaultRecording): Check[] {
  const o = outageOutcome(rec.run.events, {
    zone: rec.zone ?? '',
    zones: rec.zones ?? [],
    stopped: rec.victims,
    at: rec.at,
    endsAt: rec.endsAt,
  });
  return [
    {
      label: `az-outage: the stopped capacity is back in the other zone(s)`,
      passed: o.restoredAfterMs !== undefined,
      measured: `${rec.victims.length} instance(s) stopped in ${rec.zone}; as many in service elsewhere ${s(o.restoredAfterMs)} after`,
    },
    boundedByVictims(rec, 'zone’s instances'),
    {
      label: 'az-outage: the zones rebalance once it is back',
      passed: !o.rebalanceNeeded || o.rebalancedAfterMs !== undefined,
      measured: o.rebalanceNeeded
        ? `launched into ${rec.zone} and terminated in the long zone ${s(o.rebalancedAfterMs)} after the outage ended`
        : 'no rebalance needed: the zones were within one instance',
    },
  ];
}

function judgeLaunchFailure(rec: FaultRecording): Check[] {
  const o = launchFailureOutcome(rec.run.events, {
    at: rec.at,
    endsAt: rec.endsAt,
    retryFirstMs: rec.retryFirstMs ?? 1000,
  });
  return [
    {
      label: 'launch-failure: failed launches are retried with backoff, not in a loop',
      passed: o.attemptsAtMs.length >= 1 && o.attemptsAtMs.length <= o.allowedAttempts,
      measured: `${o.attemptsAtMs.length} failed attempt(s) at ${o.attemptsAtMs.map((t) => s(t)).join(', ') || '—'} (doubling backoff allows ${o.allowedAttempts} in ${s(rec.endsAt - rec.at)})`,
    },
    boundedByVictims(rec, 'stopped instance'),
    {
      label: 'launch-failure: capacity is back once launches work',
      passed: o.restoredAfterMs !== undefined,
      measured: `a replacement in service ${s(o.restoredAfterMs)} after the fault ended`,
    },
  ];
}

function judgeDbRestart(rec: FaultRecording): Check[] {
  const backAt = rec.backAt;
  const within = rec.recoverWithinMs ?? 0;
  const failing = rec.run.load.filter((x) => x.t >= rec.at && x.failed > 0);
  const last = failing.at(-1);
  const after =
    backAt === undefined ? undefined : windowFigures(rec.run.load, backAt + within, rec.loadEndMs + 1000);
  const flaps = healthFlaps(rec.run.events, rec.at, rec.loadEndMs);
  const checks: Check[] = [
    {
      label: `db-restart: the service recovers by itself within ${s(within)} of the database being back`,
      passed: backAt !== undefined && after !== undefined && after.failed === 0 && after.requests > 0,
      measured:
        backAt === undefined
          ? 'the database did not come back'
          : `database back ${s(backAt - rec.at)} after the restart began; ${failing.reduce((n, x) => n + x.failed, 0)} failed, the last ${last ? `${s(last.t - backAt)} after it was back` : '— none'}; health checks: ${flaps.unhealthy} unhealthy, ${flaps.replaced} replaced`,
    },
  ];
  if (rec.writes)
    checks.push({
      label: 'db-restart: every acknowledged write is still there',
      passed: rec.writes.acknowledged > 0 && rec.writes.missing.length === 0,
      measured: `${rec.writes.acknowledged - rec.writes.missing.length} of ${rec.writes.acknowledged} read back${rec.writes.missing.length ? `; missing ${rec.writes.missing.slice(0, 8).join(', ')}` : ''}`,
    });
  return checks;
}

function judgeDbLatency(rec: FaultRecording): Check[] {
  const before = windowFigures(rec.run.load, 0, rec.at);
  const during = windowFigures(rec.run.load, rec.at, rec.endsAt);
  const flaps = healthFlaps(rec.run.events, rec.at, rec.endsAt);
  return [
    {
      label: `db-latency: health checks hold while the database is ${rec.latencyMs} ms slower`,
      passed: flaps.unhealthy === 0,
      measured: `${flaps.unhealthy} target(s) marked unhealthy, ${flaps.replaced} replaced`,
    },
    {
      label: 'db-latency: no request fails while it is slow',
      passed: during.requests > 0 && during.failed === 0,
      measured: `${during.failed} of ${during.requests} failed; worst 1-second p99 ${ms(before.worstP99Ms)} before, ${ms(during.worstP99Ms)} during`,
    },
  ];
}

const JUDGES: Record<FaultKind, (rec: FaultRecording) => Check[]> = {
  hang: judgeHang,
  'az-outage': judgeOutage,
  'launch-failure': judgeLaunchFailure,
  'db-restart': judgeDbRestart,
  'db-latency': judgeDbLatency,
};

/** The verdict on one fault's run: its own checks, each naming the fault. */
export function judgeFault(rec: FaultRecording): Check[] {
  return JUDGES[rec.kind](rec).map((c) =>
    c.label.startsWith(rec.kind) ? c : { ...c, label: `${rec.kind}: ${c.label}` },
  );
}
