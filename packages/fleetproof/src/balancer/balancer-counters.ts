import { LatencyHistogram } from '../metrics/latency-histogram.js';

/**
 * Listener counters in CloudWatch's terms: ELB-generated codes (HTTPCode_ELB_4XX/5XX) apart from codes the
 * targets returned (HTTPCode_Target_2XX...). The metrics sampler reads and resets the per-second fields.
 */
export class BalancerCounters {
  requests = 0;
  elb4xx = 0;
  elb5xx = 0;
  readonly elbByStatus = new Map<number, number>();
  target2xx = 0;
  target3xx = 0;
  target4xx = 0;
  target5xx = 0;
  clientClosed = 0;
  /** Requests the parser refused (never reached a target). */
  rejected = 0;
  readonly latency = new LatencyHistogram();

  elb(status: number): void {
    this.requests += 1;
    if (status >= 500) this.elb5xx += 1;
    else this.elb4xx += 1;
    this.elbByStatus.set(status, (this.elbByStatus.get(status) ?? 0) + 1);
  }

  target(status: number): void {
    this.requests += 1;
    if (status === 460) this.clientClosed += 1;
    else if (status >= 500) this.target5xx += 1;
    else if (status >= 400) this.target4xx += 1;
    else if (status >= 300) this.target3xx += 1;
    else this.target2xx += 1;
  }
}
