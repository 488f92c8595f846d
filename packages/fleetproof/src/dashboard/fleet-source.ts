import { FAULT_KINDS } from '../config/proof-schema.js';
import type { FleetproofConfig } from '../config/schema.js';
import type { RunRecording } from '../prove/types.js';
import type { Fleet } from '../runtime/fleet-runtime.js';
import type { DashboardSource } from './dashboard-server.js';
import type { ActionsView } from './dashboard-view.js';

/** The faults a fleet takes, each with the control API's parameters pre-filled (fault-handlers.ts). */
export function faultChoices(zones: readonly string[], hasDatabase: boolean): ActionsView['faults'] {
  const defaults: Record<string, Record<string, unknown>> = {
    hang: {},
    'az-outage': { zone: zones[0] ?? '', forMs: 15_000 },
    'launch-failure': { forMs: 15_000 },
    'db-restart': { downMs: 3000 },
    'db-latency': { ms: 200, jitterMs: 50, forMs: 15_000 },
  };
  return FAULT_KINDS.filter((k) => hasDatabase || !k.startsWith('db-')).map((kind) => ({
    kind,
    defaults: defaults[kind] ?? {},
  }));
}

/** `fleetproof up`'s dashboard: the fleet in this process, every action on it directly. */
export function fleetSource(
  title: string,
  fleet: Fleet,
  config: FleetproofConfig,
  recording: RunRecording,
): DashboardSource {
  return {
    snapshot: () => {
      const group = fleet.group.status();
      return {
        title,
        recording,
        group,
        targetCpuPercent: config.scaling.targetCpuPercent,
        now: Date.now(),
        actions: {
          enabled: true,
          scale: { min: group.min, max: group.max, desired: group.desired },
          faults: faultChoices(group.zones, fleet.databaseUrl !== undefined),
        },
      };
    },
    actions: {
      scale: async (desired) => {
        fleet.group.setDesired(desired);
        return { desired: fleet.group.status().desired };
      },
      deploy: async (version) => fleet.deploy({ version }),
      terminate: async (instanceId) => fleet.group.terminateInstance(instanceId),
      fault: async (kind, body) => fleet.fault(kind, body),
    },
  };
}
