import { currentRun } from '../control/control-client.js';
import type { DashboardServer } from '../dashboard/dashboard-server.js';
import { FleetLink } from '../dashboard/fleet-link.js';
import { emptyRecording, recorderFor } from '../dashboard/live-recording.js';
import { loadSource } from '../dashboard/load-source.js';
import type { SeriesSecond } from '../load/load-metrics.js';
import type { LoadPlan } from '../load/plan.js';
import { findProjectRoot, stateDir } from '../project.js';

const samePort = (a: string, b: string) => {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.port === y.port && ['127.0.0.1', 'localhost', '[::1]'].includes(x.hostname);
  } catch {
    return false;
  }
};

/**
 * The project's running fleet when this load goes to it (a k6 script names its URLs in code: then any
 * running fleet of the project counts), else undefined. Outside a project there is none.
 */
function fleetServing(plan: LoadPlan): ReturnType<typeof currentRun> | undefined {
  try {
    const run = currentRun(stateDir(findProjectRoot()));
    return plan.target === undefined || samePort(plan.target, run.listenerUrl) ? run : undefined;
  } catch {
    return undefined;
  }
}

/** A load's dashboard source, fed with its seconds, and the fleet it follows while it runs. */
export function loadDashboardSource(plan: LoadPlan) {
  const recording = emptyRecording('fleetproof load', plan.source, Date.now());
  const run = fleetServing(plan);
  const fleet = run ? new FleetLink(run, recording) : undefined;
  const title = `fleetproof load · ${plan.source}`;
  return {
    fleet,
    source: loadSource(title, recording, fleet),
    /** The load starts now: its seconds count from here. */
    begin(): void {
      recording.startedAt = Date.now();
      fleet?.start();
    },
    second(point: SeriesSecond): void {
      recorderFor(recording, true).second(point, recording.startedAt);
    },
    async end(dashboard: DashboardServer | undefined): Promise<void> {
      recording.durationMs = Date.now() - recording.startedAt;
      await fleet?.poll();
      fleet?.stop();
      await dashboard?.stop();
    },
  };
}
