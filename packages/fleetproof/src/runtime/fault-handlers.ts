import type { Clock } from '../clock.js';
import { FAULT_KINDS, type FaultKind } from '../config/proof-schema.js';
import type { FleetproofConfig } from '../config/schema.js';
import type { TimingProfile } from '../config/timing-profiles.js';
import { FleetError } from '../errors.js';
import type { AutoScalingGroup, FleetEvent } from '../fleet/auto-scaling-group.js';
import type { DatabaseProxy } from '../fleet/database-proxy.js';
import { hangDetectionBoundMs } from '../fleet/fault-target.js';
import type { Reaper } from '../fleet/reaper.js';
import type { FleetDatabase } from './fleet-database.js';

export { FAULT_KINDS, type FaultKind };

export interface FaultDeps {
  readonly group: AutoScalingGroup;
  readonly config: FleetproofConfig;
  readonly timing: TimingProfile;
  readonly db: FleetDatabase;
  readonly proxy: DatabaseProxy | undefined;
  readonly reaper: Reaper;
  readonly clock: Clock;
  readonly record: (event: FleetEvent) => void;
}

const MAX_FAULT_MS = 3_600_000;

/** A duration in ms from a control request, or a usage error naming the field and what it got. */
function durationMs(body: Record<string, unknown>, key: string, required: boolean, fallback = 0): number {
  const value = body[key];
  if (value === undefined && !required) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_FAULT_MS)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `${key}: got ${JSON.stringify(value)}, expected milliseconds from 0 to ${MAX_FAULT_MS}`,
    );
  return value;
}

/**
 * The faults a running fleet takes through its control API (POST /fault/<kind>). Each starts at once and
 * returns what the CLI needs to follow it in the events: when it started, when it ends, its bounds.
 */
export function faultHandler(deps: FaultDeps): (kind: string, body: Record<string, unknown>) => object {
  const emit = (reason: string, message: string, data?: object) =>
    deps.record({ t: deps.clock.now(), source: 'fault', reason, message, ...(data ? { data } : {}) });
  return (kind, body) => {
    switch (kind as FaultKind) {
      case 'hang': {
        const hung = deps.group.hang(typeof body.instance === 'string' ? body.instance : undefined);
        const boundMs = hangDetectionBoundMs(
          deps.config.healthCheck.unhealthyThreshold,
          deps.timing.healthCheckIntervalSeconds * 1000,
          deps.timing.healthCheckTimeoutSeconds * 1000,
        );
        return { ...hung, detectionBoundMs: boundMs };
      }
      case 'az-outage': {
        const forMs = durationMs(body, 'forMs', true);
        const zone = typeof body.zone === 'string' ? body.zone : '';
        const out = deps.group.closeZones([zone], 'outage', forMs);
        return { ...out, endsAt: out.at + forMs, zone, zones: deps.group.status().zones };
      }
      case 'launch-failure': {
        const forMs = durationMs(body, 'forMs', true);
        const out = deps.group.closeZones(deps.group.status().zones, 'capacity', forMs);
        return { ...out, endsAt: out.at + forMs, retryFirstMs: deps.timing.launchRetrySeconds * 1000 };
      }
      case 'db-restart':
        return restartDatabase(deps, durationMs(body, 'downMs', false, 0), emit);
      case 'db-latency': {
        const proxy = needProxy(deps);
        const ms = durationMs(body, 'ms', true);
        const jitterMs = durationMs(body, 'jitterMs', false, 0);
        const forMs = durationMs(body, 'forMs', true);
        const at = deps.clock.now();
        proxy.latency(ms, jitterMs);
        emit('FaultDbLatency', `the database answers ${ms} ± ${jitterMs} ms later for ${forMs / 1000} s`, {
          ms,
          jitterMs,
          forMs,
        });
        setTimeout(() => {
          proxy.clear();
          emit('FaultDbLatencyEnded', 'the database latency fault ended');
        }, forMs).unref();
        return { at, endsAt: at + forMs, ms, jitterMs };
      }
      default:
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `fault: got ${JSON.stringify(kind)}, expected one of ${FAULT_KINDS.join(', ')}`,
        );
    }
  };
}

function needProxy(deps: FaultDeps): DatabaseProxy {
  if (!deps.proxy)
    throw new FleetError('FLEET_ERR_USAGE', 'this fleet has no database (no database section in the config)');
  return deps.proxy;
}

/**
 * The embedded PostgreSQL is really restarted (fast shutdown, down for `downMs`, started on the same data):
 * committed rows must survive. A database fleetproof did not start (DATABASE_URL) cannot be: its clients
 * see the same through the proxy (every connection reset, new ones refused while it is down).
 */
function restartDatabase(
  deps: FaultDeps,
  downMs: number,
  emit: (reason: string, message: string, data?: object) => void,
): object {
  const proxy = needProxy(deps);
  const embedded = deps.db.database?.embedded;
  const at = deps.clock.now();
  const how = embedded
    ? `embedded PostgreSQL (pid ${embedded.pid}): fast shutdown, down ${downMs / 1000} s, started again`
    : `a database fleetproof did not start: its connections through the proxy reset, new ones refused for ${downMs / 1000} s`;
  emit('FaultDbRestart', `database restart: ${how}`, { downMs, real: embedded !== undefined });
  const back = (detail: string) =>
    emit('FaultDbRestartEnded', `the database is back after ${deps.clock.now() - at} ms${detail}`, {
      downForMs: deps.clock.now() - at,
    });
  if (!embedded) {
    void proxy.cut(downMs).then(() => back(''));
    return { at, real: false, how };
  }
  const oldPid = embedded.pid;
  void embedded
    .restart(downMs, () => {
      deps.reaper.forget(oldPid);
      // Connections through the proxy to the stopped server are gone: drop them now, not at their next query.
      void proxy.cut(0);
    })
    .then(
      () => {
        deps.reaper.watchProcess(embedded.pid, 'SIGINT', 15_000);
        back(`; new pid ${embedded.pid}`);
      },
      (error: Error) => emit('FaultDbRestartFailed', `the database did not start again: ${error.message}`),
    );
  return { at, real: true, how };
}
