import type { Target } from './target.js';

/** A routing algorithm: picks one of the routable targets for the next request. */
export interface RoutingStrategy {
  pick(candidates: readonly Target[], now: number): Target | undefined;
}

/**
 * ALB round robin, with slow start: smooth weighted round robin (nginx's), where a target in its slow start
 * period has weight equal to the elapsed fraction of it. With all weights 1 this is plain rotation.
 */
export class RoundRobin implements RoutingStrategy {
  private readonly current = new WeakMap<Target, number>();
  private cursor = 0;

  constructor(private readonly slowStartMs = 0) {}

  pick(candidates: readonly Target[], now: number): Target | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    if (this.slowStartMs <= 0) {
      this.cursor = (this.cursor + 1) % n;
      return candidates[this.cursor];
    }
    let total = 0;
    let best: Target | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const target of candidates) {
      const weight = target.slowStartWeight(now, this.slowStartMs);
      const score = (this.current.get(target) ?? 0) + weight;
      this.current.set(target, score);
      total += weight;
      if (score > bestScore) {
        bestScore = score;
        best = target;
      }
    }
    if (best) this.current.set(best, bestScore - total);
    return best;
  }
}

/**
 * ALB least outstanding requests: the target with the fewest requests in flight; ties are broken at random.
 * Why random, not rotating: with a fixed flow of two requests per user (GET then login) and two idle targets,
 * a rotation sends every GET to one target and every login to the other. A real ALB runs several nodes, which
 * hides that aliasing; one local balancer must not create it.
 */
export class LeastOutstandingRequests implements RoutingStrategy {
  constructor(private readonly random: () => number = Math.random) {}

  pick(candidates: readonly Target[]): Target | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    let best = candidates[0] as Target;
    let ties = 1;
    for (let k = 1; k < n; k++) {
      const target = candidates[k] as Target;
      if (target.inFlight < best.inFlight) {
        best = target;
        ties = 1;
      } else if (target.inFlight === best.inFlight) {
        // Reservoir sampling: each of the tied targets ends up chosen with probability 1/ties.
        ties += 1;
        if (this.random() * ties < 1) best = target;
      }
    }
    return best;
  }
}
