import type { FleetEvent } from '../fleet/auto-scaling-group.js';
import type { SeriesSecond } from '../load/load-metrics.js';
import type { SeriesPoint } from '../metrics/series-sampler.js';
import type { RunRecording, TimelineEvent } from '../prove/types.js';

/** Points kept per series for a live page: an hour of seconds (the run folder keeps everything). */
const KEEP_POINTS = 3600;
const KEEP_EVENTS = 5000;

export function emptyRecording(label: string, setup: string, startedAt: number): RunRecording {
  return {
    label,
    setup,
    startedAt,
    durationMs: 0,
    runDir: '',
    fleet: [],
    load: [],
    events: [],
    summary: undefined,
  };
}

/** A fleet event relative to the start of the run it belongs to. */
export function timelineEvent(e: FleetEvent, startedAt: number): TimelineEvent {
  return {
    t: e.t - startedAt,
    reason: e.reason,
    message: e.message,
    ...(e.data ? { data: e.data as Record<string, unknown> } : {}),
  };
}

const capped = <T>(list: T[], keep: number) => {
  if (list.length > keep) list.splice(0, list.length - keep);
};

/**
 * What fills a recording as a run goes, from the callbacks the fleet and the load engine already have:
 * times made relative to the recording's start. `bounded` caps what a long-lived `up` keeps in memory.
 */
export function recorderFor(recording: RunRecording, bounded = false) {
  return {
    event(e: FleetEvent): void {
      recording.events.push(timelineEvent(e, recording.startedAt));
      if (bounded) capped(recording.events, KEEP_EVENTS);
    },
    point(p: SeriesPoint): void {
      recording.fleet.push({ ...p, t: p.t - recording.startedAt });
      if (bounded) capped(recording.fleet, KEEP_POINTS);
    },
    /** A load second; `loadStartedAt` (ms since epoch) is when the load began. */
    second(s: SeriesSecond, loadStartedAt: number): void {
      recording.load.push({ ...s, t: loadStartedAt - recording.startedAt + s.elapsedMs });
      if (bounded) capped(recording.load, KEEP_POINTS);
    },
  };
}
