import { Trend, type TrendStats } from './trend.js';

/** How a request ended, as load-test users read it: a transport error code, or the status class. */
export type Outcome =
  | 'ok'
  | 'http_4xx'
  | 'http_5xx'
  /** A status the script's responseCallback does not expect (k6), though below 400. */
  | 'http_unexpected'
  | 'ETIMEDOUT'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EOTHER';

export interface RequestSample {
  /** From the intended send time (open-model first request) or the actual send, to the last byte. */
  durationMs: number;
  /** Time to first byte of the response headers, from the same start. */
  waitingMs: number;
  status: number;
  outcome: Outcome;
  bytesIn: number;
  bytesOut: number;
  /** k6's http_req_failed when a script's responseCallback decides it; else statuses outside 200–399 fail. */
  failed?: boolean;
}

export interface SeriesSecond {
  t: number;
  elapsedMs: number;
  rps: number;
  failed: number;
  errors: Partial<Record<Outcome, number>>;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  vus: number;
  dropped: number;
  /** This second's request durations (HDR, compressed base64): windows of seconds merge them. */
  latencyHdr?: string;
}

export interface LoadSummary {
  durationMs: number;
  http_reqs: { count: number; rate: number };
  http_req_failed: { rate: number; passes: number; fails: number };
  http_req_duration: TrendStats;
  http_req_waiting: TrendStats;
  iteration_duration: TrendStats;
  iterations: { count: number; rate: number };
  dropped_iterations: number;
  checks: { rate: number; passes: number; fails: number };
  data_received: number;
  data_sent: number;
  vus: { min: number; max: number };
  vusers: { created: number; completed: number; failed: number };
  errors: Partial<Record<Outcome, number>>;
  codes: Record<string, number>;
}

/**
 * Everything the generator measures. Durations go to HDR histograms (fixed memory), counters to numbers, and
 * one second's histogram is kept apart for the per-second series, then reset: memory does not grow with the
 * length of the test (k6's known problem, issue #763).
 */
export class LoadMetrics {
  readonly duration = new Trend();
  readonly waiting = new Trend();
  readonly iterationDuration = new Trend();
  private readonly secondDuration = new Trend();
  requests = 0;
  failed = 0;
  iterations = 0;
  dropped = 0;
  checksPassed = 0;
  checksFailed = 0;
  bytesIn = 0;
  bytesOut = 0;
  vus = 0;
  vusMin = Number.POSITIVE_INFINITY;
  vusMax = 0;
  vusersCreated = 0;
  vusersCompleted = 0;
  vusersFailed = 0;
  readonly errors: Partial<Record<Outcome, number>> = {};
  readonly codes: Record<string, number> = {};
  private second = { requests: 0, failed: 0, dropped: 0, errors: {} as Partial<Record<Outcome, number>> };

  constructor(
    private readonly startedAt: number,
    /** Tests only: every raw sample, to check the histograms against exact percentiles. */
    private readonly onSample?: (sample: RequestSample) => void,
  ) {}

  request(sample: RequestSample): void {
    this.onSample?.(sample);
    this.requests += 1;
    this.second.requests += 1;
    this.duration.recordMs(sample.durationMs);
    this.secondDuration.recordMs(sample.durationMs);
    this.waiting.recordMs(sample.waitingMs);
    this.bytesIn += sample.bytesIn;
    this.bytesOut += sample.bytesOut;
    if (sample.status > 0) this.codes[sample.status] = (this.codes[sample.status] ?? 0) + 1;
    // k6: http_req_failed counts statuses outside 200–399 and transport errors.
    if (sample.failed ?? sample.outcome !== 'ok') {
      this.failed += 1;
      this.second.failed += 1;
      const kind: Outcome = sample.outcome === 'ok' ? 'http_unexpected' : sample.outcome;
      this.errors[kind] = (this.errors[kind] ?? 0) + 1;
      this.second.errors[kind] = (this.second.errors[kind] ?? 0) + 1;
    }
  }

  check(passed: boolean): void {
    if (passed) this.checksPassed += 1;
    else this.checksFailed += 1;
  }

  droppedIteration(): void {
    this.dropped += 1;
    this.second.dropped += 1;
  }

  private readonly vusByScenario = new Map<string, number>();

  /** Active VUs of one scenario; the gauge is their sum across scenarios. */
  setVus(scenario: string, count: number): void {
    this.vusByScenario.set(scenario, count);
    let vus = 0;
    for (const n of this.vusByScenario.values()) vus += n;
    this.vus = vus;
    if (vus < this.vusMin) this.vusMin = vus;
    if (vus > this.vusMax) this.vusMax = vus;
  }

  /** Closes the current second: its figures, then a fresh window. */
  closeSecond(now: number): SeriesSecond {
    const point: SeriesSecond = {
      t: now,
      elapsedMs: now - this.startedAt,
      rps: this.second.requests,
      failed: this.second.failed,
      errors: this.second.errors,
      p50Ms: round(this.secondDuration.percentileMs(50)),
      p95Ms: round(this.secondDuration.percentileMs(95)),
      p99Ms: round(this.secondDuration.percentileMs(99)),
      vus: this.vus,
      dropped: this.second.dropped,
      ...(this.secondDuration.count > 0 ? { latencyHdr: this.secondDuration.encoded() } : {}),
    };
    this.secondDuration.reset();
    this.second = { requests: 0, failed: 0, dropped: 0, errors: {} };
    return point;
  }

  summary(now: number): LoadSummary {
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    return {
      durationMs: now - this.startedAt,
      http_reqs: { count: this.requests, rate: this.requests / seconds },
      http_req_failed: {
        rate: this.requests ? this.failed / this.requests : 0,
        passes: this.failed,
        fails: this.requests - this.failed,
      },
      http_req_duration: this.duration.stats(),
      http_req_waiting: this.waiting.stats(),
      iteration_duration: this.iterationDuration.stats(),
      iterations: { count: this.iterations, rate: this.iterations / seconds },
      dropped_iterations: this.dropped,
      checks: {
        rate:
          this.checksPassed + this.checksFailed
            ? this.checksPassed / (this.checksPassed + this.checksFailed)
            : 1,
        passes: this.checksPassed,
        fails: this.checksFailed,
      },
      data_received: this.bytesIn,
      data_sent: this.bytesOut,
      vus: { min: Number.isFinite(this.vusMin) ? this.vusMin : 0, max: this.vusMax },
      vusers: { created: this.vusersCreated, completed: this.vusersCompleted, failed: this.vusersFailed },
      errors: this.errors,
      codes: this.codes,
    };
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
