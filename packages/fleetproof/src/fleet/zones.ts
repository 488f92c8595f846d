import { byTerminationOrder } from './instance-predicates.js';
import type { InstanceView } from './types.js';

/**
 * Availability zones, as EC2 Auto Scaling spreads over them (shared/REFERENCE.md): launches go to the
 * enabled zone with the fewest instances, a zone that cannot launch is skipped for another, scale-in first
 * picks the zone with the most instances, and when zones drift apart by more than one instance the group
 * rebalances (launch in the short zone first, then terminate in the long one).
 */

/** The zones a config names: given names, or `count` zones named as AWS names them in a region. */
export function zoneNames(zones: number | readonly string[], region = 'local-1'): string[] {
  if (typeof zones !== 'number') return [...zones];
  return Array.from({ length: zones }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** Instances per zone, every zone listed (0 where none). */
export function countByZone(
  instances: readonly InstanceView[],
  zones: readonly string[],
): Map<string, number> {
  const counts = new Map(zones.map((z) => [z, 0]));
  for (const i of instances) counts.set(i.zone, (counts.get(i.zone) ?? 0) + 1);
  return counts;
}

/**
 * The zone of each of `count` launches, given the zones of the instances already there: each to the open
 * zone with the fewest so far (ties: the order zones are listed in). Empty when no zone is open.
 */
export function placeLaunches(
  occupied: readonly string[],
  zones: readonly string[],
  closed: readonly string[],
  count: number,
): string[] {
  const open = zones.filter((z) => !closed.includes(z));
  if (open.length === 0) return [];
  const counts = new Map(zones.map((z) => [z, 0]));
  for (const z of occupied) counts.set(z, (counts.get(z) ?? 0) + 1);
  const placed: string[] = [];
  for (let n = 0; n < count; n++) {
    const zone = open.reduce((best, z) => ((counts.get(z) ?? 0) < (counts.get(best) ?? 0) ? z : best));
    counts.set(zone, (counts.get(zone) ?? 0) + 1);
    placed.push(zone);
  }
  return placed;
}

/**
 * Scale-in victims by AWS's default termination policy: each from the zone with the most instances; among
 * zones tied on that, the one holding the instance first in termination order (oldest launch template
 * version, then oldest instance), and that instance.
 */
export function pickVictims(
  active: readonly InstanceView[],
  zones: readonly string[],
  count: number,
): InstanceView[] {
  const left = [...active];
  const victims: InstanceView[] = [];
  while (victims.length < count && left.length > 0) {
    const counts = countByZone(left, zones);
    const most = Math.max(...counts.values());
    const victim = left.filter((i) => counts.get(i.zone) === most).sort(byTerminationOrder)[0];
    if (!victim) break;
    victims.push(victim);
    left.splice(left.indexOf(victim), 1);
  }
  return victims;
}

/**
 * Whether the open zones drifted apart by more than one instance (a zone came back after an outage), and
 * where to launch to even them out: AZRebalance. Zones that cannot launch are left out: an outage is not an
 * imbalance to fix.
 */
export function rebalanceTarget(
  active: readonly InstanceView[],
  zones: readonly string[],
  closed: readonly string[],
): { shortZone: string; longZone: string; inShort: number; inLong: number } | undefined {
  const open = zones.filter((z) => !closed.includes(z));
  if (open.length < 2) return undefined;
  const counts = countByZone(active, open);
  const inOpen = open.map((z) => counts.get(z) ?? 0);
  const fewest = Math.min(...inOpen);
  const most = Math.max(...inOpen);
  if (most - fewest <= 1) return undefined;
  const shortZone = open.find((z) => counts.get(z) === fewest) as string;
  const longZone = open.find((z) => counts.get(z) === most) as string;
  return { shortZone, longZone, inShort: fewest, inLong: most };
}

/**
 * The wait before launch attempt `failures + 1` after `failures` failed in a row: doubling from `firstMs`,
 * at most 32 times it. AWS retries failed launches "with exponential backoff" without publishing the
 * schedule; this one makes a crash loop impossible and a long capacity shortage cost few attempts.
 */
export function launchRetryDelayMs(failures: number, firstMs: number): number {
  if (failures <= 0) return 0;
  return firstMs * 2 ** Math.min(failures - 1, 5);
}
