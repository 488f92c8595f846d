import type { TimelineEvent } from '../prove/types.js';

/** What kind of moment a mark is: the chart draws each kind in its own colour. */
export type MarkKind = 'scale' | 'health' | 'refresh' | 'instance';

/** A moment of a run drawn as a vertical line across every chart, in seconds from its start. */
export interface EventMark {
  t: number;
  label: string;
  kind: MarkKind;
}

const short = (e: TimelineEvent) => String(e.data?.instanceId ?? '').slice(0, 10);

/**
 * The events the charts mark, and how: the group's scaling decisions, targets turning unhealthy, instance
 * refresh steps, instances lost. Launches, registrations and healthy transitions are not marked: they are
 * what the instance chart already shows, and on a busy run they would hide the moments that matter.
 */
const MARKED: Record<string, { kind: MarkKind; label: (e: TimelineEvent) => string }> = {
  ScaleOutCpuHigh: { kind: 'scale', label: () => 'scale-out' },
  ScaleInCpuLow: { kind: 'scale', label: () => 'scale-in' },
  ManualScale: { kind: 'scale', label: (e) => `desired ${String(e.data?.desired ?? '')}`.trim() },
  RefreshStarted: { kind: 'refresh', label: () => 'refresh started' },
  RefreshLaunch: { kind: 'refresh', label: () => 'refresh: launch' },
  RefreshTerminate: { kind: 'refresh', label: () => 'refresh: terminate' },
  RefreshSuccessful: { kind: 'refresh', label: () => 'refresh done' },
  RefreshFailed: { kind: 'refresh', label: () => 'refresh failed' },
  RefreshRolledBack: { kind: 'refresh', label: () => 'rolled back' },
  ReplaceUnhealthy: { kind: 'health', label: (e) => `replace ${short(e)}`.trim() },
  InstanceExited: { kind: 'instance', label: (e) => `exited ${short(e)}`.trim() },
  InstanceLaunchFailed: { kind: 'instance', label: (e) => `launch failed ${short(e)}`.trim() },
  LaunchFailed: { kind: 'instance', label: () => 'launch failed' },
  TerminateInstance: { kind: 'instance', label: (e) => `stopped ${short(e)}`.trim() },
};

/** Every marked event of a run, in order (a target's change to unhealthy is marked whatever its reason). */
export function eventMarks(events: readonly TimelineEvent[]): EventMark[] {
  const marks: EventMark[] = [];
  for (const e of events) {
    const rule = MARKED[e.reason];
    if (rule) marks.push({ t: e.t / 1000, label: rule.label(e), kind: rule.kind });
    else if (e.data?.to === 'unhealthy')
      marks.push({ t: e.t / 1000, label: `unhealthy ${short(e)} ${e.reason}`.trim(), kind: 'health' });
  }
  return marks;
}
