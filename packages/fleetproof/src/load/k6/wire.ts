/** Messages between a VU thread (k6 script code) and the host thread (sockets, metrics, schedule). */

/** One sample of a metric, as k6 emits them: name, value, tags. */
export interface MetricSample {
  metric: string;
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  /** Trend values in milliseconds when true (k6's isTime). */
  isTime: boolean;
  value: number;
  tags: Record<string, string>;
}

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  /** 'text' (default), 'binary', or 'none' (k6's responseType / discardResponseBodies). */
  responseType: 'text' | 'binary' | 'none';
  /**
   * Tags of the request's samples (name, method, url, group, scenario, expected_response and the script's):
   * built only when a threshold selects HTTP samples by tag (VuState.httpTags), the one reader of them.
   */
  tags?: Record<string, string>;
  /** k6's responseCallback: which statuses are expected (http_req_failed = false). */
  expected: ExpectedStatuses;
}

/** k6's http.expectedStatuses(): codes and ranges; default 200–399. */
export type ExpectedStatuses = (number | { min: number; max: number })[];

export interface WireResponse {
  status: number;
  statusText: string;
  proto: string;
  /** Every header as received, flat: name, value, name, value (repeated ones such as Set-Cookie apart). */
  headers: readonly string[];
  body: string | Uint8Array | null;
  error: string;
  errorCode: number;
  remoteIp: string;
  remotePort: number;
  /** k6's res.timings, as the script sees them (one object per response, handed over as it is). */
  timings: {
    duration: number;
    waiting: number;
    sending: number;
    receiving: number;
    blocked: number;
    connecting: number;
    tls_handshaking: number;
  };
}

export type HostCall =
  | { op: 'http'; requests: WireRequest[]; samples: MetricSample[] }
  | { op: 'shared-get'; name: string }
  | { op: 'shared-set'; name: string; data: unknown }
  | { op: 'samples'; samples: MetricSample[] }
  | { op: 'instance' }
  | { op: 'abort'; reason: string };

export interface InstanceState {
  vusActive: number;
  vusInitialized: number;
  iterationsCompleted: number;
  iterationsInterrupted: number;
  currentTestRunDuration: number;
}

/** What the host tells a VU thread about the iteration it starts. */
export interface IterationStart {
  type: 'run';
  exec: string;
  /** k6's lifecycle stage of this call. */
  stage: 'vu' | 'setup' | 'teardown' | 'summary';
  argument?: unknown;
  idInTest: number;
  iterationInInstance: number;
  iterationInScenario: number;
  scenario: {
    name: string;
    executor: string;
    startTime: number;
    iterationInTest: number;
    env?: Record<string, string>;
    tags?: Record<string, string>;
  };
  testStart: number;
}

export interface IterationEnd {
  type: 'done';
  ok: boolean;
  error?: string;
  /** A JSON copy of the function's return value (setup's data, handleSummary's outputs). */
  result?: unknown;
  samples: MetricSample[];
}

export interface ProbeResult {
  type: 'probed';
  options: Record<string, unknown>;
  /** Exported functions by name. */
  functions: string[];
  /** Custom metrics the init context declared. */
  metrics: { name: string; type: MetricSample['type']; isTime: boolean }[];
}
