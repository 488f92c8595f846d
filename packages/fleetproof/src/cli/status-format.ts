import type { GroupStatus } from '../fleet/group-status.js';
import type { SeriesPoint } from '../metrics/series-sampler.js';
import { dim, green, red, yellow } from './output.js';

const healthColor = (health: string) =>
  health === 'healthy' ? green(health) : health === 'unhealthy' ? red(health) : yellow(health);

/** One compact line: capacity, health, per-instance CPU, traffic. */
export function statusLine(group: GroupStatus, latest: SeriesPoint | undefined): string {
  const healthy = group.instances.filter((i) => i.health === 'healthy').length;
  const cpus = group.instances
    .filter((i) => i.lifecycle !== 'terminating')
    .map(
      (i) =>
        `${i.id.slice(0, 7)}…${i.appVersion} ${i.cpuPercent === undefined ? '–' : `${i.cpuPercent.toFixed(0)}%`}`,
    )
    .join('  ');
  const traffic = latest
    ? `${latest.rps} req/s  5xx ${latest.target5xx + latest.elb5xx}  p95 ${latest.p95Ms} ms`
    : 'no traffic yet';
  const refresh =
    group.refresh?.status === 'in-progress'
      ? `  refresh ${group.refresh.fromAppVersion}→${group.refresh.toAppVersion}`
      : '';
  return `instances ${group.instances.length} (healthy ${healthy}, desired ${group.desired})  ${cpus}  │ ${traffic}${refresh}`;
}

/** The full table for `fleetproof status`. */
export function statusTable(group: GroupStatus): string {
  const rows = group.instances.map((i) =>
    [
      i.id,
      i.appVersion,
      i.zone,
      i.lifecycle + (i.warming ? ' (warming)' : ''),
      healthColor(i.health) + (i.healthReason ? dim(` ${i.healthReason}`) : ''),
      i.cpuPercent === undefined ? '–' : `${i.cpuPercent.toFixed(1)}%`,
      i.address,
    ].join('  '),
  );
  const head = `desired ${group.desired} (min ${group.min}, max ${group.max}), new instances launch ${group.launchAppVersion}`;
  const point = group.lastDatapoint;
  const metric = point
    ? `last CPU datapoint: ${point.averageCpuPercent === undefined ? 'no data' : `${point.averageCpuPercent.toFixed(1)}%`}`
    : 'no CPU datapoint yet';
  const closed = new Map(
    group.closedZones.map((c) => [c.zone, c.cause === 'outage' ? 'down' : 'no capacity']),
  );
  const zones = `zones ${group.zones.map((z) => (closed.has(z) ? red(`${z} (${closed.get(z)})`) : z)).join(', ')}`;
  const failing = group.launchFailures
    ? red(
        `  ${group.launchFailures.count} failed launch attempt(s) in a row, next at ${new Date(group.launchFailures.retryAt).toISOString()}`,
      )
    : '';
  return [head, metric, zones + failing, ...rows].join('\n');
}
