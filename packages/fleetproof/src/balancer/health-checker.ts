import { request } from 'node:http';
import { parseMatcher } from './matcher.js';
import type { TargetReason } from './target.js';
import type { TargetGroup } from './target-group.js';

export interface HealthCheckSettings {
  path: string;
  matcher: string;
  intervalMs: number;
  timeoutMs: number;
}

export interface CheckResult {
  passed: boolean;
  reason: TargetReason;
  statusCode?: number;
}

/**
 * Sends ALB-style health checks: GET <path> to each target every interval on a fixed schedule (a slow check
 * does not shift the next), a new connection per check (ALB closes it after each check), success when the
 * status matches within the timeout.
 */
export class HealthChecker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private matches: (status: number) => boolean;

  constructor(
    private readonly group: TargetGroup,
    private readonly settings: HealthCheckSettings,
  ) {
    this.matches = parseMatcher(settings.matcher);
  }

  /** Starts checking a target: the first check goes out at once. */
  watch(targetId: string): void {
    if (this.timers.has(targetId)) return;
    const tick = () => {
      const target = this.group.get(targetId);
      if (!target || target.state === 'draining' || target.state === 'unused') return this.unwatch(targetId);
      void this.check(target.host, target.port).then((result) =>
        this.group.recordCheck(targetId, result.passed, result.reason),
      );
    };
    this.timers.set(targetId, setInterval(tick, this.settings.intervalMs));
    tick();
  }

  /** New settings (ModifyTargetGroup): the next checks use them, on the new interval from now. */
  reconfigure(settings: Partial<HealthCheckSettings>): void {
    Object.assign(this.settings, settings);
    this.matches = parseMatcher(this.settings.matcher);
    for (const id of [...this.timers.keys()]) {
      this.unwatch(id);
      this.watch(id);
    }
  }

  unwatch(targetId: string): void {
    clearInterval(this.timers.get(targetId));
    this.timers.delete(targetId);
  }

  stop(): void {
    for (const id of [...this.timers.keys()]) this.unwatch(id);
  }

  check(host: string, port: number): Promise<CheckResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: CheckResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      };
      const req = request(
        {
          host,
          port,
          path: this.settings.path,
          method: 'GET',
          agent: false,
          headers: { 'user-agent': 'ELB-HealthChecker/2.0' },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          const passed = this.matches(status);
          done({ passed, reason: passed ? undefined : 'Target.ResponseCodeMismatch', statusCode: status });
        },
      );
      const timer = setTimeout(
        () => done({ passed: false, reason: 'Target.Timeout' }),
        this.settings.timeoutMs,
      );
      req.once('error', () => done({ passed: false, reason: 'Target.FailedHealthChecks' }));
      req.end();
    });
  }
}
