import type { GroupStatus } from '../fleet/group-status.js';
import type { RunRecording } from '../prove/types.js';
import { type ChartSpec, runCharts } from '../report/chart-specs.js';

/** What the page can do, and which faults this fleet takes; `why` says why actions are off when they are. */
export interface ActionsView {
  enabled: boolean;
  why?: string;
  scale?: { min: number; max: number; desired: number };
  /** The faults this fleet takes, each with the parameters the page pre-fills. */
  faults: readonly { kind: string; defaults: Record<string, unknown> }[];
}

export interface TargetRow {
  id: string;
  zone: string;
  version: string;
  lifecycle: string;
  health: string;
  /** ALB's reason code (Target.Timeout, Elb.RegistrationInProgress…), when the target group has one. */
  reason: string;
  cpuPercent: number | null;
}

/** One server-sent update: everything the page shows, whole, so a page that reconnects is current at once. */
export interface DashboardUpdate {
  title: string;
  /** The run shown (prove moves from run to run), or what the page waits for. */
  run: string;
  /** Seconds since the run shown started. */
  at: number;
  charts: ChartSpec[];
  targets: TargetRow[];
  group: { desired: number; inService: number; healthy: number; refresh: string | null } | null;
  events: { t: number; reason: string; message: string }[];
  verdicts: { id: string; title: string; passed: boolean }[];
  actions: ActionsView;
  /** How much of the run the charts hold (the whole run is in the run folder). */
  windowSeconds: number;
}

export interface DashboardSnapshot {
  title: string;
  recording: RunRecording | undefined;
  group: GroupStatus | undefined;
  targetCpuPercent: number;
  now: number;
  verdicts?: DashboardUpdate['verdicts'];
  actions: ActionsView;
}

/** The charts show the last ten minutes: a page kept open on a long `up` stays light. */
export const WINDOW_MS = 600_000;
const RECENT_EVENTS = 60;

/** The page's whole state from a snapshot of the run: its charts over the window, targets, events, actions. */
export function dashboardView(snapshot: DashboardSnapshot): DashboardUpdate {
  const { recording, group } = snapshot;
  const atMs = recording ? snapshot.now - recording.startedAt : 0;
  const from = atMs - WINDOW_MS;
  const charts = recording
    ? runCharts(
        {
          ...recording,
          durationMs: atMs,
          fleet: recording.fleet.filter((p) => p.t >= from),
          load: recording.load.filter((s) => s.t >= from),
        },
        'live',
        snapshot.targetCpuPercent,
      )
    : [];
  const active = group?.instances.filter((i) => i.lifecycle !== 'terminating') ?? [];
  return {
    title: snapshot.title,
    run: recording
      ? `${recording.label}${recording.setup ? ` · ${recording.setup}` : ''}`
      : 'waiting for a run',
    at: Math.round(atMs / 100) / 10,
    charts,
    targets: (group?.instances ?? []).map((i) => ({
      id: i.id,
      zone: i.zone,
      version: i.appVersion,
      lifecycle: i.lifecycle,
      health: i.health,
      reason: i.healthReason ?? '',
      cpuPercent: i.cpuPercent === undefined ? null : Math.round(i.cpuPercent * 10) / 10,
    })),
    group: group
      ? {
          desired: group.desired,
          inService: active.filter((i) => i.lifecycle === 'in-service').length,
          healthy: active.filter((i) => i.health === 'healthy').length,
          refresh: group.refresh
            ? `${group.refresh.id} ${group.refresh.status}: ${group.refresh.fromAppVersion} → ${group.refresh.toAppVersion}, ${group.refresh.remaining} to replace`
            : null,
        }
      : null,
    events: (recording?.events ?? [])
      .slice(-RECENT_EVENTS)
      .reverse()
      .map((e) => ({ t: Math.round(e.t / 100) / 10, reason: e.reason, message: e.message })),
    verdicts: snapshot.verdicts ?? [],
    actions: snapshot.actions,
    windowSeconds: WINDOW_MS / 1000,
  };
}
