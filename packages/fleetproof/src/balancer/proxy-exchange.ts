import type { IncomingMessage, ServerResponse } from 'node:http';
import { downstreamHeaders } from './forwarded-headers.js';
import type { InFlight, Target } from './target.js';
import { DrainDeadlineError } from './target-group.js';
import type { UpstreamHandler } from './upstream/upstream-handler.js';

/** What an exchange reports back to the balancer when it ends. */
export interface ExchangeOwner {
  /** Picks another target for a retry, or undefined. */
  pickOther(except: Target): Target | undefined;
  readonly retryIdempotentOnce: boolean;
  finished(exchange: ProxyExchange, status: number, failure: FailureKind | undefined): void;
  now(): number;
}

export type FailureKind = 'connect' | 'reset' | 'timeout' | 'malformed' | 'drain' | 'client-closed';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** An upstream error → what ALB answers and what kind of failure it is. */
export function classifyUpstreamError(error: Error): { status: number; kind: FailureKind } {
  if (error instanceof DrainDeadlineError) return { status: 502, kind: 'drain' };
  const code = (error as { code?: string }).code ?? '';
  if (code === 'FP_CONNECT_TIMEOUT' || code === 'FP_UPSTREAM_TIMEOUT')
    return { status: 504, kind: 'timeout' };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL')
    return { status: 502, kind: 'connect' };
  if (code === 'FP_UPSTREAM_MALFORMED') return { status: 502, kind: 'malformed' };
  return { status: 502, kind: 'reset' };
}

/**
 * One client request forwarded to one target (and, opt-in, retried once on another).
 *
 * It is the UpstreamHandler of its request to the target's UpstreamPool. Response bytes go from the upstream
 * socket to the client with backpressure and no intermediate stream. Fixed shape, no closure per request: this
 * object is the whole per-request cost.
 *
 * A body that arrives whole in one chunk (its Content-Length, in one read: most responses) leaves with one
 * `res.end(chunk)`, which writes header and body in one go; `write` + `end` would cork the socket, schedule a
 * tick to uncork it and make two socket writes. Streamed and chunked bodies are written as they come.
 */
export class ProxyExchange implements InFlight, UpstreamHandler {
  private abortUpstream: ((reason: Error) => void) | undefined;
  private resumeFn: (() => void) | undefined;
  private done = false;
  /** Counted in its target's in-flight figures (set once dispatched, cleared when it ends or moves). */
  private tracked = false;
  private attempt = 0;
  private status = 0;
  /** Body bytes the response's Content-Length still announces; -1 when it has none. */
  private bodyLeft = -1;
  private ended = false;
  private onDrain: (() => void) | undefined;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    public target: Target,
    private readonly headers: string[],
    private readonly hasBody: boolean,
    readonly startedAt: number,
  ) {}

  start(): void {
    this.target.pool.dispatch(
      {
        path: this.req.url ?? '/',
        method: this.req.method ?? 'GET',
        headers: this.headers,
        body: this.hasBody ? this.req : null,
      },
      this,
    );
    // Bookkeeping once the request is on its way, off the latency path: nothing else runs before this line.
    // A dispatch that failed at once has already ended (or retried) this exchange from inside dispatch().
    if (this.done || this.tracked) return;
    this.tracked = true;
    this.target.inFlight += 1;
    this.target.active.add(this);
  }

  /** Called when the client goes away before the response ended (ALB logs 460). */
  clientClosed(): void {
    if (this.done) return;
    // Record first: aborting reports an error synchronously, which must not count as a 502.
    this.finish(460, 'client-closed');
    this.abortUpstream?.(new Error('client closed the connection'));
  }

  abort(reason: Error): void {
    this.abortUpstream?.(reason);
  }

  onConnect(abort: (reason: Error) => void): void {
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: readonly string[], resume: () => void): boolean {
    if (this.done) return true;
    this.status = statusCode;
    this.resumeFn = resume;
    const headers: string[] = [];
    this.bodyLeft = downstreamHeaders(rawHeaders, headers);
    this.res.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    if (chunk.length === this.bodyLeft) {
      // The whole (remaining) body: the parser has framed it by Content-Length, onComplete comes next.
      this.ended = true;
      this.res.end(chunk);
      return true;
    }
    if (this.bodyLeft > 0) this.bodyLeft -= chunk.length;
    if (this.res.write(chunk)) return true;
    this.onDrain ??= () => this.resumeFn?.();
    this.res.once('drain', this.onDrain);
    return false;
  }

  onComplete(): void {
    if (this.done) return;
    if (!this.ended) this.res.end();
    this.finish(this.status, undefined);
  }

  onError(error: Error): void {
    if (this.done) return;
    const { status, kind } = classifyUpstreamError(error);
    if (!this.res.headersSent && this.canRetry(kind)) {
      const other = this.owner.pickOther(this.target);
      if (other) {
        this.release();
        this.attempt += 1;
        this.target = other;
        this.abortUpstream = undefined;
        this.start();
        return;
      }
    }
    if (this.res.headersSent) {
      // Mid-response: the status is gone, so the client sees the connection cut, as with ALB.
      this.res.destroy(error);
      this.finish(this.status, kind);
      return;
    }
    this.finish(status, kind);
  }

  private canRetry(kind: FailureKind): boolean {
    return (
      this.owner.retryIdempotentOnce &&
      this.attempt === 0 &&
      !this.hasBody &&
      (kind === 'connect' || kind === 'reset') &&
      IDEMPOTENT.has(this.req.method ?? '')
    );
  }

  private release(): void {
    if (!this.tracked) return;
    this.tracked = false;
    this.target.inFlight -= 1;
    this.target.active.delete(this);
  }

  private finish(status: number, failure: FailureKind | undefined): void {
    if (this.done) return;
    this.done = true;
    this.release();
    if (this.onDrain) this.res.off('drain', this.onDrain);
    // The owner answers an error that came before any response header (it knows how ALB words it).
    this.owner.finished(this, status, failure);
  }
}
