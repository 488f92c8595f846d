import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { Target, type TargetReason, type TargetState, type TargetTimeouts } from './target.js';

export interface TargetChange {
  targetId: string;
  from: TargetState;
  to: TargetState;
  reason: TargetReason;
}

export class DrainDeadlineError extends Error {
  constructor(targetId: string) {
    super(`deregistration delay ended with the request still running on ${targetId}`);
    this.name = 'DrainDeadlineError';
  }
}

export interface HealthThresholds {
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/**
 * ALB target group semantics: registration starts in `initial` (one passing check makes a target healthy),
 * thresholds move healthy ↔ unhealthy, deregistration drains (no new requests, in-flight ones finish, early
 * end when none are left, and at the deadline what still runs is cut: the client gets a 502).
 * Emits 'change' (TargetChange) on every state change.
 */
export class TargetGroup extends EventEmitter {
  private readonly targets = new Map<string, Target>();
  /** Targets new requests may go to; rebuilt on every state change, read on every request. */
  private routableCache: Target[] = [];
  /** Deregistered since the metrics sampler last looked (takeRemoved). */
  private readonly removed: Target[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly thresholds: HealthThresholds,
    private readonly timeouts: TargetTimeouts & { deregistrationDelayMs: number },
  ) {
    super();
  }

  register(id: string, host: string, port: number): Target {
    const existing = this.targets.get(id);
    if (existing && existing.state !== 'draining') return existing;
    const target = new Target(id, host, port, this.clock.now(), this.timeouts);
    this.targets.set(id, target);
    this.emitChange(target, 'unused', 'Elb.InitialHealthChecking');
    return target;
  }

  get(id: string): Target | undefined {
    return this.targets.get(id);
  }

  all(): Target[] {
    return [...this.targets.values()];
  }

  /**
   * Targets removed since the last call: their counters for the second they left in still belong to that
   * second (the metrics sampler reports them once more), or a deregistered target's last errors are lost.
   */
  takeRemoved(): Target[] {
    return this.removed.splice(0);
  }

  /**
   * Healthy registered targets; if none is healthy, every registered target that is not draining (fail open);
   * none registered: empty (the listener answers 503).
   */
  routable(): Target[] {
    return this.routableCache;
  }

  /** True when requests are being sent to unhealthy targets because none is healthy. */
  get failingOpen(): boolean {
    return this.routableCache.length > 0 && this.routableCache.every((t) => t.state !== 'healthy');
  }

  recordCheck(id: string, passed: boolean, failureReason: TargetReason): void {
    const target = this.targets.get(id);
    if (!target || target.state === 'draining' || target.state === 'unused') return;
    if (passed) {
      target.consecutiveSuccesses += 1;
      target.consecutiveFailures = 0;
      const enough = target.state === 'initial' ? 1 : this.thresholds.healthyThreshold;
      if (target.state !== 'healthy' && target.consecutiveSuccesses >= enough) {
        target.healthySince = this.clock.now();
        this.transition(target, 'healthy', undefined);
      }
    } else {
      target.consecutiveFailures += 1;
      target.consecutiveSuccesses = 0;
      if (target.state !== 'unhealthy' && target.consecutiveFailures >= this.thresholds.unhealthyThreshold) {
        this.transition(
          target,
          'unhealthy',
          target.state === 'initial' ? 'Target.FailedHealthChecks' : failureReason,
        );
      } else if (target.state === 'unhealthy') {
        target.reason = failureReason;
      }
    }
  }

  /**
   * Starts draining; resolves when the target is gone: as soon as nothing is in flight, or at the
   * deregistration delay, when in-flight requests are cut.
   */
  async deregister(id: string): Promise<void> {
    const target = this.targets.get(id);
    if (!target || target.state === 'unused') return;
    if (target.state !== 'draining') {
      target.drainingSince = this.clock.now();
      this.transition(target, 'draining', 'Target.DeregistrationInProgress');
    }
    const deadline = target.drainingSince + this.timeouts.deregistrationDelayMs;
    while (target.inFlight > 0 && this.clock.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, deadline - this.clock.now()))));
    }
    if (target.inFlight > 0) {
      const error = new DrainDeadlineError(id);
      for (const request of [...target.active]) request.abort(error);
    }
    this.targets.delete(id);
    this.removed.push(target);
    this.transition(target, 'unused', 'Target.NotRegistered');
    await target.pool.destroy().catch(() => {});
  }

  /** Removes every target at once (shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.all().map((t) => t.pool.destroy().catch(() => {})));
    this.targets.clear();
    this.rebuild();
  }

  private transition(target: Target, to: TargetState, reason: TargetReason): void {
    const from = target.state;
    target.state = to;
    target.reason = reason;
    this.emitChange(target, from, reason);
  }

  private emitChange(target: Target, from: TargetState, reason: TargetReason): void {
    this.rebuild();
    this.emit('change', { targetId: target.id, from, to: target.state, reason } satisfies TargetChange);
  }

  /** Called on state changes and when an ejection starts or ends. */
  rebuild(): void {
    const now = this.clock.now();
    const registered = [...this.targets.values()].filter(
      (t) => t.state !== 'draining' && t.state !== 'unused',
    );
    const healthy = registered.filter((t) => t.state === 'healthy');
    const pool = healthy.length > 0 ? healthy : registered;
    const notEjected = pool.filter((t) => t.ejectedUntil <= now);
    // Ejecting every candidate would be an outage of our own making: ignore ejection then (Envoy's panic mode).
    this.routableCache = notEjected.length > 0 ? notEjected : pool;
  }
}
