import { STATUS_CODES } from 'node:http';
import { requestHead } from '../balancer/upstream/upstream-connection.js';
import type { UpstreamHandler } from '../balancer/upstream/upstream-handler.js';
import { UpstreamPool } from '../balancer/upstream/upstream-pool.js';
import type { Outcome } from './load-metrics.js';
import { type Expiring, RequestDeadlines } from './request-deadlines.js';

export interface LoadRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Keep the response body (for captures and checks); otherwise its bytes are only counted. */
  wantBody: boolean;
  timeoutMs: number;
  /** Where the measurement starts: the intended send time for an open-model arrival, else now. */
  startAt: number;
}

export interface LoadResponse {
  status: number;
  outcome: Outcome;
  /** Transport error message, when there was one. */
  error?: string;
  /** Decoded on first read: most load scripts never look at it. */
  readonly body: string;
  /** Built on first read, lower-case names. */
  readonly headers: Record<string, string>;
  /** Every header as received (names as sent, repeated headers such as Set-Cookie kept apart). */
  readonly headerPairs: [string, string][];
  /** The same, flat as the parser has them: name, value, name, value (nothing built). */
  readonly rawHeaders: readonly string[] | undefined;
  /** The body's bytes (when wantBody). */
  readonly bytes: Buffer;
  /** Set-Cookie values, without building the other headers. */
  readonly setCookies: string[];
  readonly statusText: string;
  waitingMs: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

/** A request that did not finish within its timeout (k6's default 60 s, Artillery's 10 s). */
class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`request timeout: no complete response within ${ms} ms`);
    this.name = 'RequestTimeout';
  }
}

/** A transport failure as load-test users read it (k6's and Artillery's error names). */
export function classifyError(error: unknown): Outcome {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ETIMEDOUT' || code === 'FP_CONNECT_TIMEOUT' || code === 'FP_UPSTREAM_TIMEOUT')
    return 'ETIMEDOUT';
  if (code === 'ECONNREFUSED') return 'ECONNREFUSED';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'FP_UPSTREAM_CLOSED') return 'ECONNRESET';
  return 'EOTHER';
}

export function outcomeOf(status: number): Outcome {
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return 'ok';
}

/**
 * No socket timers: each request's own deadline covers connecting and a silent target, and an idle connection
 * stays until the target closes it or the run ends (as k6's do). A socket timeout would be re-armed by Node on
 * every read and write, which is CPU the generator spends per request.
 */
const NO_SOCKET_TIMEOUTS = { connectTimeoutMs: 0, idleTimeoutMs: 0 };

interface Origin {
  key: string;
  host: string;
  port: number;
  /** The Host header: the URL's host[:port] as written. */
  hostHeader: string;
  secure: boolean;
  path: string;
  /** The head last rendered for this URL, reused while method and headers (the same object) repeat. */
  lastHead?: { method: string; headers: Record<string, string> | undefined; rendered: RenderedHead };
}

type RenderedHead = { head: string; hasLength: boolean };

/**
 * The generator's HTTP/1.1 client: the balancer's upstream pool and strict response parser
 * (balancer/upstream), one keep-alive pool per origin, TLS for https targets, a per-request timeout
 * covering connect, headers and body, errors classified as users read them. A malformed response is a
 * failed request (EOTHER), never a guess.
 */
export class LoadHttpClient {
  private readonly pools = new Map<string, UpstreamPool>();
  /** Parsed URLs: a test sends the same few URLs millions of times. */
  private readonly parsed = new Map<string, Origin>();
  private readonly deadlines: RequestDeadlines;

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {
    this.deadlines = new RequestDeadlines(now);
  }

  private parse(href: string): Origin {
    let origin = this.parsed.get(href);
    if (!origin) {
      const u = new URL(href);
      const secure = u.protocol === 'https:';
      if (!secure && u.protocol !== 'http:') throw new Error(`${href}: expected an http or https URL`);
      origin = {
        key: `${u.protocol}//${u.host}`,
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: Number(u.port || (secure ? 443 : 80)),
        hostHeader: u.host,
        secure,
        path: `${u.pathname}${u.search}`,
      };
      if (this.parsed.size > 10_000) this.parsed.clear();
      this.parsed.set(href, origin);
    }
    return origin;
  }

  request(req: LoadRequest): Promise<LoadResponse> {
    let origin: Origin;
    try {
      origin = this.parse(req.url);
    } catch (error) {
      return Promise.resolve(
        failedResponse(req, error as Error, this.now, req.body ? Buffer.byteLength(req.body) : 0),
      );
    }
    let pool = this.pools.get(origin.key);
    if (!pool) {
      pool = new UpstreamPool(
        origin.host,
        origin.port,
        NO_SOCKET_TIMEOUTS,
        origin.secure ? { servername: origin.host } : undefined,
      );
      this.pools.set(origin.key, pool);
    }
    // A body-less request renders differently (Content-Length: 0 below), so only those are kept.
    let head = req.body ? undefined : origin.lastHead;
    if (!head || head.method !== req.method || head.headers !== req.headers) {
      head = { method: req.method, headers: req.headers, rendered: renderHead(req, origin) };
      if (!req.body) origin.lastHead = head;
    }
    const bytesOut = req.body ? Buffer.byteLength(req.body) : 0;
    return new Promise((resolve) => {
      (pool as UpstreamPool).dispatch(
        { method: req.method, path: origin.path, headers: [], body: req.body ?? null, head: head.rendered },
        new ResponseCollector(req, bytesOut, this.now, this.deadlines, resolve),
      );
    });
  }

  async close(): Promise<void> {
    this.deadlines.close();
    await Promise.all([...this.pools.values()].map((p) => p.destroy().catch(() => {})));
    this.pools.clear();
  }
}

/** The request head: the URL's Host unless the script set one, Content-Length: 0 where RFC 9110 wants it. */
function renderHead(req: LoadRequest, origin: Origin): RenderedHead {
  const headers: string[] = [];
  let hasHost = false;
  let hasLength = false;
  if (req.headers) {
    for (const name in req.headers) {
      if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
      else if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true;
      headers.push(name, req.headers[name] as string);
    }
  }
  if (!hasHost) headers.unshift('host', origin.hostHeader);
  // RFC 9110 8.6: a request whose method gives content a meaning says its length, 0 included (as undici did).
  if (!req.body && !hasLength && (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH'))
    headers.push('content-length', '0');
  return requestHead({ method: req.method, path: origin.path, headers }, origin);
}

function failedResponse(
  req: LoadRequest,
  error: Error,
  now: () => number,
  bytesOut: number,
  waitingMs = 0,
  bytesIn = 0,
): LoadResponse {
  const duration = now() - req.startAt;
  const message = `${(error as { code?: string }).code ?? error.name}: ${error.message}`;
  return new CollectedResponse(
    0,
    '',
    classifyError(error),
    message,
    undefined,
    undefined,
    waitingMs || duration,
    duration,
    bytesIn,
    bytesOut,
  );
}

/** One request's events from the upstream pool, collected into a LoadResponse; the request's own timeout. */
class ResponseCollector implements UpstreamHandler, Expiring {
  private status = 0;
  private waitingMs = 0;
  private bytesIn = 0;
  private chunks: Buffer[] | undefined;
  private rawHeaders: readonly string[] | undefined;
  private abort: ((reason: Error) => void) | undefined;
  // Expiring: the request's place among the client's deadlines.
  deadline: number;
  prev: Expiring | undefined;
  next: Expiring | undefined;
  ownTimer: NodeJS.Timeout | undefined;
  listed = false;

  constructor(
    private readonly req: LoadRequest,
    private readonly bytesOut: number,
    private readonly now: () => number,
    private readonly deadlines: RequestDeadlines,
    private readonly resolve: (response: LoadResponse) => void,
  ) {
    this.deadline = req.startAt + req.timeoutMs;
  }

  onConnect(abort: (reason: Error) => void): void {
    this.abort = abort;
    this.deadlines.add(this);
  }

  expire(): void {
    this.abort?.(new RequestTimeout(this.req.timeoutMs));
  }

  onHeaders(status: number, headers: readonly string[]): boolean {
    this.status = status;
    this.waitingMs = this.now() - this.req.startAt;
    // The headers are kept either way (a reference: cookies and redirects need them), the body when asked.
    this.rawHeaders = headers;
    if (this.req.wantBody) this.chunks = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.deadlines.remove(this);
    this.resolve(
      new CollectedResponse(
        this.status,
        STATUS_CODES[this.status] ?? '',
        outcomeOf(this.status),
        undefined,
        this.chunks,
        this.rawHeaders,
        this.waitingMs,
        this.now() - this.req.startAt,
        this.bytesIn,
        this.bytesOut,
      ),
    );
  }

  onError(error: Error): void {
    this.deadlines.remove(this);
    this.resolve(failedResponse(this.req, error, this.now, this.bytesOut, this.waitingMs, this.bytesIn));
  }
}

/** A response whose body and headers are decoded only if someone reads them. */
class CollectedResponse implements LoadResponse {
  private decodedBody: string | undefined;
  private decodedHeaders: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly outcome: Outcome,
    readonly error: string | undefined,
    private readonly chunks: Buffer[] | undefined,
    readonly rawHeaders: readonly string[] | undefined,
    readonly waitingMs: number,
    readonly durationMs: number,
    readonly bytesIn: number,
    readonly bytesOut: number,
  ) {}

  get body(): string {
    this.decodedBody ??= this.bytes.toString('utf8');
    return this.decodedBody;
  }

  get bytes(): Buffer {
    return this.chunks ? Buffer.concat(this.chunks) : Buffer.alloc(0);
  }

  get setCookies(): string[] {
    const raw = this.rawHeaders;
    if (!raw) return [];
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = String(raw[i]);
      if (name.length === 10 && name.toLowerCase() === 'set-cookie') out.push(String(raw[i + 1]));
    }
    return out;
  }

  get headerPairs(): [string, string][] {
    const raw = this.rawHeaders ?? [];
    const pairs: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) pairs.push([String(raw[i]), String(raw[i + 1])]);
    return pairs;
  }

  get headers(): Record<string, string> {
    if (!this.decodedHeaders) {
      const headers: Record<string, string> = {};
      const raw = this.rawHeaders ?? [];
      for (let i = 0; i < raw.length; i += 2) headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
      this.decodedHeaders = headers;
    }
    return this.decodedHeaders;
  }
}
