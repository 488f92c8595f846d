/**
 * Which instance a fault hits, and how soon the balancer must notice a hung one: pure, for the CLI, the
 * control API and the verdicts.
 */
import { FleetError } from '../errors.js';

export interface FaultCandidate {
  readonly id: string;
  readonly lifecycle: 'pending' | 'in-service' | 'terminating';
  readonly health: string;
}

/** The instance named, or (none named) the in-service healthy one that comes first by id. */
export function pickFaultTarget(instances: readonly FaultCandidate[], requested: string | undefined): string {
  const serving = instances.filter((i) => i.lifecycle === 'in-service' && i.health === 'healthy');
  if (requested !== undefined) {
    const found = instances.find((i) => i.id === requested);
    if (!found || found.lifecycle === 'terminating') {
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `--instance: got ${JSON.stringify(requested)}, expected a running instance (${serving.map((i) => i.id).join(', ') || 'none in service'})`,
      );
    }
    return found.id;
  }
  const first = [...serving].sort((a, b) => a.id.localeCompare(b.id))[0];
  if (!first) throw new FleetError('FLEET_ERR_USAGE', 'no in-service healthy instance to fault');
  return first.id;
}

/**
 * A hung target stops answering its checks: the last check that still passed may have just run, so the first
 * failing one starts within one interval, each fails after the timeout, and `unhealthyThreshold` of them,
 * one interval apart, make it unhealthy: at most unhealthyThreshold × interval + timeout after the hang.
 */
export function hangDetectionBoundMs(
  unhealthyThreshold: number,
  intervalMs: number,
  timeoutMs: number,
): number {
  return unhealthyThreshold * intervalMs + timeoutMs;
}
