import type { VariantMetric, VariantSettings } from '../config/proof-schema.js';
import { ExperimentFleet } from './experiment-fleet.js';
import {
  countEvents,
  firstEvent,
  fiveXxResponses,
  longestBreach,
  meanGroupCpu,
  ms,
  pct,
  peakGroupCpu,
  peakInstances,
  scaleOutMapping,
} from './measure.js';
import { type ProofLoad, shortened } from './proof-load.js';
import { referenceRows } from './reference-rows.js';
import { serviceLevelFor } from './service-level.js';
import type { Check, ExperimentFindings, ProveContext, RunRecording } from './types.js';

const UNHEALTHY = ['Target.Timeout', 'Target.FailedHealthChecks', 'Target.ResponseCodeMismatch'];

/** Every figure a variant's expectations may name, measured from one run. */
export function variantMetrics(run: RunRecording, targetCpuPercent: number): Record<VariantMetric, number> {
  const requests = run.summary?.http_reqs.count ?? 0;
  const unhealthy = firstEvent(run, UNHEALTHY);
  const scaledOut = firstEvent(run, ['ScaleOutCpuHigh']);
  const failed = run.summary?.http_req_failed.passes ?? 0;
  return {
    requests,
    failedRequests: failed,
    errorRate: requests > 0 ? failed / requests : 0,
    p99Ms: run.summary?.http_req_duration.p99 ?? 0,
    fiveXx: fiveXxResponses(run.summary),
    unhealthyTransitions: countEvents(run, UNHEALTHY),
    unhealthyBeforeScaleOut: unhealthy && (!scaledOut || unhealthy.t < scaledOut.t) ? 1 : 0,
    scaleOuts: countEvents(run, ['ScaleOutCpuHigh']),
    peakInstances: peakInstances(run),
    peakCpuPercent: peakGroupCpu(run),
    meanCpuPercent: meanGroupCpu(run),
    longestCpuBreach: longestBreach(run, targetCpuPercent),
  };
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

const show = (metric: VariantMetric, value: number) =>
  metric === 'errorRate'
    ? pct(value * 100)
    : metric.endsWith('Percent')
      ? pct(value)
      : metric === 'p99Ms'
        ? ms(value)
        : String(Number(value.toFixed(2)));

/** Each run's expectations from the config against its measured figures. */
export function judgeVariant(
  runs: readonly {
    name: string;
    expect: Partial<Record<VariantMetric, string>>;
    metrics: Record<VariantMetric, number>;
  }[],
): Check[] {
  return runs.flatMap((run) =>
    Object.entries(run.expect).map(([metric, expression]) => {
      const [, op = '==', value = '0'] =
        /^\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(expression ?? '') ?? [];
      const actual = run.metrics[metric as VariantMetric];
      return {
        label: `${run.name}: ${metric} ${op} ${value}`,
        passed: (COMPARE[op] ?? (() => false))(actual, Number(value)),
        measured: show(metric as VariantMetric, actual),
      };
    }),
  );
}

export const COLUMNS = [
  'requests',
  'failed',
  '5xx',
  'unhealthy',
  'scale-outs',
  'peak CPU',
  'peak instances',
  'p99',
];

/** `variant`: the same load (as written) against instances with different environments, judged as configured. */
export async function variant(
  context: ProveContext,
  settings: VariantSettings,
  load: ProofLoad,
): Promise<ExperimentFindings> {
  const sl = serviceLevelFor(context.proof, settings.serviceLevel);
  const target = context.config.scaling.targetCpuPercent;
  const plan = shortened(load.plan, context.durationFactor);
  const scaling = settings.scaling ?? { min: context.config.scaling.min, max: context.config.scaling.max };
  const measured: {
    name: string;
    expect: VariantSettings['runs'][number]['expect'];
    metrics: Record<VariantMetric, number>;
    run: RunRecording;
  }[] = [];
  for (const v of settings.runs) {
    const fleet = await ExperimentFleet.start(context, {
      label: `variant ${v.name}`,
      setup: `${
        Object.entries(v.env)
          .map(([k, val]) => `${k}=${val}`)
          .join(' ') || 'no extra environment'
      }; ${scaling.min}–${scaling.max} instances`,
      override: {
        instance: settings.instance ?? {},
        scaling: { ...scaling, desired: scaling.min, enabled: true },
        balancer: settings.balancer ?? {},
      },
      instanceEnv: { ...settings.env, ...v.env },
    });
    try {
      await fleet.load(plan, v.name);
    } finally {
      await fleet.stop();
    }
    measured.push({
      name: v.name,
      expect: v.expect,
      metrics: variantMetrics(fleet.recording, target),
      run: fleet.recording,
    });
  }
  return {
    id: 'variant',
    title: 'Variants of the service',
    origin: settings.about ?? 'The same load against instances that differ only in their environment.',
    load: `${load.name}, as written${context.durationFactor !== 1 ? ` (durations × ${context.durationFactor})` : ''}`,
    serviceLevel: sl,
    overrides: [
      {
        section: 'instance env',
        value: settings.runs.map((v) => v.name).join(' / '),
        why: 'the only difference between the runs',
      },
      ...(settings.instance
        ? [
            {
              section: 'instance',
              value: JSON.stringify(settings.instance),
              why: 'set by proof.experiments.variant',
            },
          ]
        : []),
    ],
    checks: judgeVariant(measured),
    columns: COLUMNS,
    rows: [
      ...measured.map((m) => ({
        label: `${m.name} (here)`,
        values: [
          String(m.metrics.requests),
          pct(m.metrics.errorRate * 100),
          String(m.metrics.fiveXx),
          String(m.metrics.unhealthyTransitions),
          String(m.metrics.scaleOuts),
          pct(m.metrics.peakCpuPercent),
          String(m.metrics.peakInstances),
          ms(m.metrics.p99Ms),
        ],
      })),
      ...referenceRows(COLUMNS, settings.reference),
    ],
    runs: measured.map((m) => m.run),
    mapped: measured.flatMap((m) =>
      scaleOutMapping(m.run, context.config, context).map((d) => ({ ...d, label: `${m.name}: ${d.label}` })),
    ),
    explanation: [
      `Load: ${load.name} as written, once per variant, each on a fresh fleet of ${scaling.min}–${scaling.max} instances.`,
      `Each variant's expectations come from proof.experiments.variant.runs[].expect; CPU figures are the group datapoints target tracking acts on (target ${target}%).`,
    ],
  };
}
