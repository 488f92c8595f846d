import { UpstreamConnection } from './upstream-connection.js';
import {
  UpstreamError,
  type UpstreamHandler,
  type UpstreamRequest,
  type UpstreamTimeouts,
} from './upstream-handler.js';

/**
 * Keep-alive HTTP/1.1 connections to one target, one request at a time per connection (no pipelining), as
 * many connections as requests in flight. It replaces undici's Pool on the balancer's hot path: measured with
 * bench/proxy-floor.ts, undici's client was about 0.2 ms of a proxied request's added latency on a 2-core VM,
 * most of the hop; this writes the request head as one string and parses the response with ResponseParser.
 */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeouts: UpstreamTimeouts,
    /** TLS to the target (https), with the name to send and verify; plain TCP when absent. */
    readonly tls?: { servername: string },
  ) {}

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) {
      handler.onError(new UpstreamError('FP_POOL_CLOSED', 'the target was deregistered'));
      return;
    }
    let connection = this.idle.pop();
    while (connection && !connection.reusable) connection = this.idle.pop();
    if (!connection) {
      connection = new UpstreamConnection(this);
      this.all.add(connection);
    }
    connection.send(request, handler);
  }

  /** Closes every connection; requests in flight end with onError. */
  async destroy(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    for (const connection of [...this.all])
      connection.destroy(new UpstreamError('FP_POOL_CLOSED', 'pool closed'));
  }

  /** Number of open connections (idle or busy). */
  get size(): number {
    return this.all.size;
  }

  released(connection: UpstreamConnection): void {
    if (this.closed) connection.destroy(undefined);
    else this.idle.push(connection);
  }

  gone(connection: UpstreamConnection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }
}
