import type { IncomingMessage } from 'node:http';

/**
 * What a request to a target reports, in the order it happens: onConnect once (with a way to abort), then
 * onHeaders, onData… and onComplete, or onError at any point. onData returning false pauses the upstream
 * connection until `resume` (from onHeaders) is called. The shape of undici's dispatch handler, which the
 * balancer used before this pool replaced undici on its hot path (see UpstreamPool).
 */
export interface UpstreamHandler {
  onConnect(abort: (reason: Error) => void): void;
  onHeaders(status: number, headers: readonly string[], resume: () => void): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  /** Flat [name, value, ...] list, already filtered for forwarding. */
  headers: string[];
  /**
   * The body: the client's request streamed (the balancer), or bytes known up front (the load generator,
   * sent with the head in one write, Content-Length added when absent); null when there is none.
   */
  body: IncomingMessage | Buffer | string | null;
  /**
   * The head as requestHead() renders it from method, path and headers, when the caller keeps it: a load
   * generator sends the same request millions of times.
   */
  head?: { head: string; hasLength: boolean };
}

/** 0 turns a timeout off (the load generator times each request itself). */
export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  /** No byte from the target for this long, during a request (504) or while idle in the pool (closed). */
  idleTimeoutMs: number;
}

/** Error codes this pool adds to Node's socket errors (ECONNREFUSED, ECONNRESET…). */
export class UpstreamError extends Error {
  constructor(
    readonly code: 'FP_CONNECT_TIMEOUT' | 'FP_UPSTREAM_TIMEOUT' | 'FP_UPSTREAM_CLOSED' | 'FP_POOL_CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}
