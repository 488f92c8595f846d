import type { RunRecording } from '../prove/types.js';
import type { DashboardSource } from './dashboard-server.js';
import type { FleetLink } from './fleet-link.js';

/**
 * `fleetproof load`'s dashboard: the load's own seconds, and the project's running fleet beside them when
 * the load goes to it (its charts, targets and actions through its control API). Without one, read-only.
 */
export function loadSource(
  title: string,
  recording: RunRecording,
  fleet: FleetLink | undefined,
): DashboardSource {
  return {
    snapshot: () => {
      const group = fleet?.group();
      return {
        title: fleet?.problem ? `${title} · fleet: ${fleet.problem}` : title,
        recording,
        group,
        targetCpuPercent: fleet?.targetCpuPercent() ?? 0,
        now: Date.now(),
        actions:
          fleet && group
            ? {
                enabled: true,
                scale: { min: group.min, max: group.max, desired: group.desired },
                faults: fleet.faults(),
              }
            : {
                enabled: false,
                why: 'no fleetproof fleet of this project is serving this load: start `npx fleetproof up` and aim the load at its listener to act on it here',
                faults: [],
              },
      };
    },
    ...(fleet ? { actions: fleet.actions } : {}),
  };
}
