import type { TimelineEvent } from '../prove/types.js';

/** A fault's stretch of a run, in seconds from its start, as the charts shade it. */
export interface FaultSpan {
  label: string;
  from: number;
  to: number;
}

/** Each fault's start event, the event that ends it, and its label. */
const FAULTS: {
  start: string;
  ends: (start: TimelineEvent, e: TimelineEvent) => boolean;
  label: (e: TimelineEvent) => string;
}[] = [
  {
    start: 'FaultHang',
    // A hung instance is the fault until it is gone.
    ends: (s, e) => e.reason === 'InstanceTerminated' && e.data?.instanceId === s.data?.instanceId,
    label: (e) => `hang ${String(e.data?.instanceId ?? '')}`.trim(),
  },
  {
    start: 'FaultAzOutage',
    ends: (_, e) => e.reason === 'FaultAzOutageEnded',
    label: (e) => `az-outage ${((e.data?.zones as string[] | undefined) ?? []).join(', ')}`.trim(),
  },
  {
    start: 'FaultLaunchFailure',
    ends: (_, e) => e.reason === 'FaultLaunchFailureEnded',
    label: () => 'launch-failure',
  },
  {
    start: 'FaultDbRestart',
    ends: (_, e) => e.reason === 'FaultDbRestartEnded' || e.reason === 'FaultDbRestartFailed',
    label: () => 'db-restart',
  },
  {
    start: 'FaultDbLatency',
    ends: (_, e) => e.reason === 'FaultDbLatencyEnded',
    label: (e) => `db-latency +${String(e.data?.ms ?? '?')} ms`,
  },
];

/** Every fault in a run's events, from its start to its end (or the run's end when none was recorded). */
export function faultSpans(events: readonly TimelineEvent[], runEndMs: number): FaultSpan[] {
  const spans: FaultSpan[] = [];
  events.forEach((e, i) => {
    const fault = FAULTS.find((f) => f.start === e.reason);
    if (!fault) return;
    const end = events.slice(i + 1).find((later) => fault.ends(e, later));
    spans.push({ label: fault.label(e), from: e.t / 1000, to: (end?.t ?? runEndMs) / 1000 });
  });
  return spans;
}
