import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { Outcome } from './load-metrics.js';

export interface LoadRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Keep the response body (for captures and checks); otherwise bytes are only counted. */
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
  /** The body's bytes (when wantBody). */
  readonly bytes: Buffer;
  readonly statusText: string;
  waitingMs: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

export function classifyError(error: unknown): Outcome {
  const code = (error as { code?: string }).code ?? '';
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return 'ETIMEDOUT';
  }
  if (code === 'ECONNREFUSED') return 'ECONNREFUSED';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'ECONNRESET';
  return 'EOTHER';
}

export function outcomeOf(status: number): Outcome {
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return 'ok';
}

/**
 * The generator's HTTP/1.1 client: one keep-alive undici pool per origin, requests dispatched with undici's
 * raw handler interface (no stream per response), a per-request timeout (k6's default 60 s) covering
 * headers and body, errors classified as users read them.
 */
export class LoadHttpClient {
  private readonly pools = new Map<string, Pool>();
  /** Parsed URLs: a test sends the same few URLs millions of times. */
  private readonly parsed = new Map<string, { origin: string; path: string }>();

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  private parse(href: string): { origin: string; path: string } {
    let url = this.parsed.get(href);
    if (!url) {
      const u = new URL(href);
      url = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.parsed.size > 10_000) this.parsed.clear();
      this.parsed.set(href, url);
    }
    return url;
  }

  request(req: LoadRequest): Promise<LoadResponse> {
    const url = this.parse(req.url);
    let pool = this.pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, { pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: req.timeoutMs });
      this.pools.set(url.origin, pool);
    }
    const headers: string[] = [];
    if (req.headers) for (const name in req.headers) headers.push(name, req.headers[name] as string);
    const bytesOut = req.body ? Buffer.byteLength(req.body) : 0;
    return new Promise((resolve) => {
      const handler = new ResponseCollector(req, bytesOut, this.now, resolve);
      (pool as Pool).dispatch(
        {
          path: url.path,
          method: req.method as Dispatcher.HttpMethod,
          headers,
          body: req.body ?? null,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy().catch(() => {})));
    this.pools.clear();
  }
}

/** undici's raw handler for one request (see the balancer's ProxyExchange for why this interface). */
class ResponseCollector {
  private status = 0;
  private statusText = '';
  private waitingMs = 0;
  private bytesIn = 0;
  private chunks: Buffer[] | undefined;
  private rawHeaders: Buffer[] | undefined;

  constructor(
    private readonly req: LoadRequest,
    private readonly bytesOut: number,
    private readonly now: () => number,
    private readonly resolve: (response: LoadResponse) => void,
  ) {}

  onConnect(): void {}

  onHeaders(status: number, raw: Buffer[], _resume: unknown, statusText: string): boolean {
    this.status = status;
    this.statusText = statusText ?? '';
    this.waitingMs = this.now() - this.req.startAt;
    if (this.req.wantBody) {
      this.chunks = [];
      this.rawHeaders = raw;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.resolve(
      new CollectedResponse(
        this.status,
        this.statusText,
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
    const duration = this.now() - this.req.startAt;
    const message = `${(error as { code?: string }).code ?? error.name}: ${error.message}`;
    this.resolve(
      new CollectedResponse(
        0,
        '',
        classifyError(error),
        message,
        undefined,
        undefined,
        this.waitingMs || duration,
        duration,
        this.bytesIn,
        this.bytesOut,
      ),
    );
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
    private readonly rawHeaders: Buffer[] | undefined,
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
