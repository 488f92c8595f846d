import type { GroupStatus } from '../fleet/group-status.js';
import type { SeriesPoint, SeriesSampler } from './series-sampler.js';

/** Prometheus text exposition of the fleet (the control port's /metrics). */
export function prometheusText(status: GroupStatus, sampler: SeriesSampler): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples)
      lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  };
  const latest: SeriesPoint | undefined = sampler.latest;
  metric('fleetproof_desired_capacity', 'gauge', 'Auto scaling group desired capacity', [
    ['', status.desired],
  ]);
  metric('fleetproof_instances', 'gauge', 'Instances by lifecycle state', [
    ['{lifecycle="pending"}', status.instances.filter((i) => i.lifecycle === 'pending').length],
    ['{lifecycle="in-service"}', status.instances.filter((i) => i.lifecycle === 'in-service').length],
    ['{lifecycle="terminating"}', status.instances.filter((i) => i.lifecycle === 'terminating').length],
  ]);
  metric('fleetproof_healthy_host_count', 'gauge', 'Healthy targets in the target group (live)', [
    ['', status.instances.filter((i) => i.health === 'healthy').length],
  ]);
  metric(
    'fleetproof_instance_cpu_percent',
    'gauge',
    'CPU utilisation per instance, relative to its vCPUs',
    status.instances.map((i) => [`{instance="${i.id}",version="${i.appVersion}"}`, i.cpuPercent ?? 0]),
  );
  metric(
    'fleetproof_target_in_flight',
    'gauge',
    'Requests in flight per target',
    (latest?.targets ?? []).map((t) => [`{instance="${t.id}"}`, t.inFlight]),
  );
  metric(
    'fleetproof_target_requests_per_second',
    'gauge',
    'Requests per second per target (last second)',
    (latest?.targets ?? []).map((t) => [`{instance="${t.id}"}`, t.rps]),
  );
  const totals = sampler.totals;
  metric(
    'fleetproof_requests_total',
    'counter',
    'Requests answered by the listener, by who generated the code',
    [
      ['{code="target_2xx"}', totals.target2xx],
      ['{code="target_4xx"}', totals.target4xx],
      ['{code="target_5xx"}', totals.target5xx],
      ['{code="elb_4xx"}', totals.elb4xx],
      ['{code="elb_5xx"}', totals.elb5xx],
      ['{code="client_closed_460"}', totals.clientClosed],
    ],
  );
  metric('fleetproof_target_response_time_p99_ms', 'gauge', 'Listener p99 latency over the last second', [
    ['', latest?.p99Ms ?? 0],
  ]);
  return `${lines.join('\n')}\n`;
}
