import type { Outcome } from '../load/load-metrics.js';
import type { RunRecording } from '../prove/types.js';
import { type EventMark, eventMarks } from './event-marks.js';
import { type FaultSpan, faultSpans } from './fault-spans.js';

/** One chart, as the page's script draws it: x in seconds from the run's start, one line per series. */
export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  x: number[];
  series: { label: string; values: (number | null)[]; color: string; dash?: boolean }[];
  /** The run's faults, shaded across the chart on the same time axis. */
  spans?: FaultSpan[];
  /** The run's marked events (event-marks.ts), drawn as vertical lines. */
  marks?: EventMark[];
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const color = (i: number) => PALETTE[i % PALETTE.length] as string;

/** p50, p95 and p99 per second, as the load generator and the balancer both record them. */
const percentiles = (points: readonly { p50Ms: number; p95Ms: number; p99Ms: number }[]) => [
  { label: 'p50', values: points.map((p) => p.p50Ms), color: color(2) },
  { label: 'p95', values: points.map((p) => p.p95Ms), color: color(3) },
  { label: 'p99', values: points.map((p) => p.p99Ms), color: color(1) },
];

/** A failure kind as the charts name it. */
const KIND_LABELS: Record<Exclude<Outcome, 'ok'>, string> = {
  http_5xx: '5xx',
  http_4xx: '4xx',
  http_unexpected: 'unexpected status',
  ETIMEDOUT: 'timed out',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EOTHER: 'other transport error',
};

/** The load's failures per second, one line per kind seen (a single zero line while there are none). */
function failureKinds(run: RunRecording, x: number[], idPrefix: string): ChartSpec {
  const kinds = [...new Set(run.load.flatMap((s) => Object.keys(s.errors)))].sort() as Exclude<
    Outcome,
    'ok'
  >[];
  return {
    id: `${idPrefix}-failures`,
    title: 'Load generator: failed requests per second, by kind',
    unit: 'req/s',
    x,
    series:
      kinds.length === 0
        ? [{ label: 'failed', values: run.load.map((s) => s.failed), color: color(1) }]
        : kinds.map((k, i) => ({
            label: KIND_LABELS[k] ?? k,
            values: run.load.map((s) => s.errors[k] ?? 0),
            color: color(i + 1),
          })),
  };
}

/**
 * The charts every run gets: traffic and errors, failures by kind, latency, CPU per instance, instance
 * counts; then its extras. Each carries the run's fault spans and event marks on the same time axis.
 */
export function runCharts(run: RunRecording, idPrefix: string, targetCpuPercent: number): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const loadX = run.load.map((s) => round(s.t / 1000));
  if (run.load.length > 0) {
    charts.push({
      id: `${idPrefix}-traffic`,
      title: 'Load generator: requests and failures per second',
      unit: 'req/s',
      x: loadX,
      series: [
        { label: 'requests', values: run.load.map((s) => s.rps), color: color(0) },
        { label: 'failed', values: run.load.map((s) => s.failed), color: color(1) },
        { label: 'dropped iterations', values: run.load.map((s) => s.dropped), color: color(7), dash: true },
      ],
    });
    charts.push(failureKinds(run, loadX, idPrefix));
    charts.push({
      id: `${idPrefix}-latency`,
      title: 'Load generator: latency percentiles (per second)',
      unit: 'ms',
      x: loadX,
      series: percentiles(run.load),
    });
  }
  // A load's own dashboard with no fleet behind it has load charts only.
  if (run.fleet.length === 0) return withOverlays(run, charts);
  const fleetX = run.fleet.map((p) => round(p.t / 1000));
  const instanceIds = [...new Set(run.fleet.flatMap((p) => p.targets.map((t) => t.id)))];
  // Each instance's zone, from its launch event: the CPU chart names both.
  const zoneOf = new Map(
    run.events.flatMap((e) =>
      e.reason === 'InstanceLaunched' &&
      typeof e.data?.instanceId === 'string' &&
      typeof e.data.zone === 'string'
        ? [[e.data.instanceId, e.data.zone] as const]
        : [],
    ),
  );
  charts.push({
    id: `${idPrefix}-cpu`,
    title: 'CPU per instance (% of its vCPUs) and the group datapoint target tracking sees',
    unit: '%',
    x: fleetX,
    series: [
      ...instanceIds.map((id, i) => ({
        label: zoneOf.has(id) ? `${id.slice(0, 8)} ${zoneOf.get(id)}` : id.slice(0, 8),
        values: run.fleet.map((p) => {
          const cpu = p.targets.find((t) => t.id === id)?.cpuPercent;
          return cpu === undefined ? null : round(cpu);
        }),
        color: color(i + 2),
      })),
      {
        label: 'group datapoint',
        values: run.fleet.map((p) => (p.groupCpuPercent === undefined ? null : round(p.groupCpuPercent))),
        color: color(0),
      },
      {
        label: `target ${targetCpuPercent}%`,
        values: run.fleet.map(() => targetCpuPercent),
        color: color(1),
        dash: true,
      },
    ],
  });
  charts.push({
    id: `${idPrefix}-instances`,
    title: 'Instances: desired, in service, healthy in the target group',
    unit: 'instances',
    x: fleetX,
    series: [
      { label: 'desired', values: run.fleet.map((p) => p.desired), color: color(7), dash: true },
      { label: 'in service', values: run.fleet.map((p) => p.inService), color: color(0) },
      { label: 'healthy', values: run.fleet.map((p) => p.healthy), color: color(2) },
    ],
  });
  charts.push({
    id: `${idPrefix}-balancer`,
    title: 'Balancer: requests and 5xx per second (502/503/504 from the balancer, 5xx from targets)',
    unit: 'req/s',
    x: fleetX,
    series: [
      { label: 'requests', values: run.fleet.map((p) => p.rps), color: color(0) },
      { label: 'balancer 5xx', values: run.fleet.map((p) => p.elb5xx), color: color(1) },
      { label: 'target 5xx', values: run.fleet.map((p) => p.target5xx), color: color(3) },
    ],
  });
  charts.push({
    id: `${idPrefix}-balancer-latency`,
    title: 'Balancer: target response time percentiles (per second)',
    unit: 'ms',
    x: fleetX,
    series: percentiles(run.fleet),
  });
  for (const [i, extra] of (run.extraSeries ?? []).entries()) {
    charts.push({
      id: `${idPrefix}-extra${i}`,
      title: extra.title,
      unit: extra.unit,
      x: extra.x.map(round),
      series: extra.lines.map((l, j) => ({ label: l.label, values: l.values, color: color(j + 4) })),
    });
  }
  return withOverlays(run, charts);
}

/** The run's fault spans and event marks, on every chart. */
function withOverlays(run: RunRecording, charts: ChartSpec[]): ChartSpec[] {
  const spans = faultSpans(run.events, run.durationMs);
  const marks = eventMarks(run.events);
  return charts.map((c) => ({
    ...c,
    ...(spans.length > 0 ? { spans } : {}),
    ...(marks.length > 0 ? { marks } : {}),
  }));
}

const round = (n: number) => Math.round(n * 100) / 100;
