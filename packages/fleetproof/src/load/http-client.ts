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
  body: string;
  headers: Record<string, string>;
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

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  request(req: LoadRequest): Promise<LoadResponse> {
    const url = new URL(req.url);
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
          path: `${url.pathname}${url.search}`,
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
  private waitingMs = 0;
  private bytesIn = 0;
  private chunks: Buffer[] | undefined;
  private headers: Record<string, string> = {};

  constructor(
    private readonly req: LoadRequest,
    private readonly bytesOut: number,
    private readonly now: () => number,
    private readonly resolve: (response: LoadResponse) => void,
  ) {}

  onConnect(): void {}

  onHeaders(status: number, raw: Buffer[]): boolean {
    this.status = status;
    this.waitingMs = this.now() - this.req.startAt;
    if (this.req.wantBody) {
      this.chunks = [];
      for (let i = 0; i < raw.length; i += 2) this.headers[String(raw[i]).toLowerCase()] = String(raw[i + 1]);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.resolve({
      status: this.status,
      outcome: outcomeOf(this.status),
      body: this.chunks ? Buffer.concat(this.chunks).toString('utf8') : '',
      headers: this.headers,
      waitingMs: this.waitingMs,
      durationMs: this.now() - this.req.startAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    });
  }

  onError(error: Error): void {
    const duration = this.now() - this.req.startAt;
    this.resolve({
      status: 0,
      outcome: classifyError(error),
      error: `${(error as { code?: string }).code ?? error.name}: ${error.message}`,
      body: '',
      headers: {},
      waitingMs: this.waitingMs || duration,
      durationMs: duration,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    });
  }
}
