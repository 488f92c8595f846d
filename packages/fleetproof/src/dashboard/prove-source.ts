import type { ExperimentResult, LiveRun } from '../prove/types.js';
import type { DashboardSource } from './dashboard-server.js';

/** What `prove` has run so far: the fleet of the experiment running now, and the verdicts reached. */
export interface ProveProgress {
  current: LiveRun | undefined;
  results: ExperimentResult[];
}

/**
 * `fleetproof prove`'s dashboard follows each experiment's fleet in turn, read-only: the experiments drive
 * their fleets, and a change made from the page would change what they measure.
 */
export function proveSource(title: string, progress: ProveProgress): DashboardSource {
  return {
    snapshot: () => {
      const run = progress.current;
      return {
        title,
        recording: run?.recording,
        group: run?.fleet.group.status(),
        targetCpuPercent: run?.config.scaling.targetCpuPercent ?? 0,
        now: Date.now(),
        verdicts: progress.results.map((r) => ({ id: r.id, title: r.title, passed: r.passed })),
        actions: {
          enabled: false,
          why: 'read-only while prove runs: its experiments drive these fleets, and a change made here would change what they measure (`fleetproof up` takes actions)',
          faults: [],
        },
      };
    },
  };
}
