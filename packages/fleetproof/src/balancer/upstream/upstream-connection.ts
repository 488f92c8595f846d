import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ResponseParser } from './response-parser.js';
import { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-handler.js';
import type { UpstreamPool } from './upstream-pool.js';

/** One connection to the target: a request at a time, then back to the pool when the response allows it. */
export class UpstreamConnection {
  private readonly socket: Socket;
  private connected = false;
  private handler: UpstreamHandler | undefined;
  /** The parser of the response in progress; undefined between requests. */
  private parser: ResponseParser | undefined;
  private ownParser: ResponseParser | undefined;
  private requestSent = false;
  private headRequest = false;
  private dead = false;
  /** When the target will close this idle connection (its Keep-Alive: timeout), less a second's margin. */
  private expiresAt = Number.POSITIVE_INFINITY;
  /** Reading stopped for a slow client (onData returned false): resumeFn restarts it. */
  private paused = false;
  private readonly abortFn = (reason: Error) => this.fail(reason);
  private readonly resumeFn = () => {
    if (!this.paused) return; // the common case: nothing to undo, and re-arming the socket's timer costs
    this.paused = false;
    this.socket.setTimeout(this.pool.timeouts.idleTimeoutMs);
    this.socket.resume();
  };

  constructor(private readonly pool: UpstreamPool) {
    this.socket = pool.tls
      ? connectTls({
          host: pool.host,
          port: pool.port,
          servername: pool.tls.servername,
          ALPNProtocols: ['http/1.1'],
        })
      : connect({ host: pool.host, port: pool.port, noDelay: true });
    if (pool.tls) this.socket.setNoDelay(true);
    this.socket.setTimeout(pool.timeouts.connectTimeoutMs);
    this.socket.once(pool.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.socket.setTimeout(pool.timeouts.idleTimeoutMs);
    });
    this.socket.on('data', (data: Buffer) => this.onSocketData(data));
    this.socket.on('timeout', () => this.onSocketTimeout());
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.onSocketClose());
  }

  get reusable(): boolean {
    return (
      !this.dead && !this.socket.destroyed && this.socket.readyState === 'open' && Date.now() < this.expiresAt
    );
  }

  send(request: UpstreamRequest, handler: UpstreamHandler): void {
    this.handler = handler;
    this.headRequest = request.method === 'HEAD';
    // One parser per connection, reset per response: it keeps the last head to recognise a repeated one.
    if (this.ownParser) this.ownParser.reset(this.headRequest);
    else this.ownParser = new ResponseParser(this, this.headRequest);
    this.parser = this.ownParser;
    this.requestSent = false;
    handler.onConnect(this.abortFn);
    if (this.handler !== handler) return; // aborted from inside onConnect
    const { head, hasLength } = request.head ?? requestHead(request, this.pool);
    const body = request.body;
    if (!body) {
      this.requestSent = true;
      this.socket.write(`${head}\r\n`, 'latin1');
      return;
    }
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      this.requestSent = true;
      this.socket.cork();
      this.socket.write(
        hasLength ? `${head}\r\n` : `${head}content-length: ${bytes.length}\r\n\r\n`,
        'latin1',
      );
      this.socket.write(bytes);
      this.socket.uncork();
      return;
    }
    // A body without a length (the client sent it chunked) is re-chunked: Transfer-Encoding is hop-by-hop.
    this.streamBody(
      body,
      hasLength ? `${head}\r\n` : `${head}transfer-encoding: chunked\r\n\r\n`,
      !hasLength,
      handler,
    );
  }

  /**
   * The head goes out with the first body bytes (or the body's end), not before: a request whose body the
   * listener's parser then refuses (a bad chunk size: 400) never reaches the target.
   */
  private streamBody(body: IncomingMessage, head: string, chunked: boolean, handler: UpstreamHandler): void {
    let headSent = false;
    const write = (data: string | Buffer) => {
      if (headSent) return this.socket.write(data);
      headSent = true;
      this.socket.cork();
      this.socket.write(head, 'latin1');
      const ok = this.socket.write(data);
      this.socket.uncork();
      return ok;
    };
    const onData = (chunk: Buffer) => {
      if (this.handler !== handler) return;
      const ok = chunked
        ? write(`${chunk.length.toString(16)}\r\n`) && write(chunk) && write('\r\n')
        : write(chunk);
      if (!ok) {
        body.pause();
        this.socket.once('drain', () => body.resume());
      }
    };
    const onEnd = () => {
      cleanup();
      if (this.handler !== handler) return;
      write(chunked ? '0\r\n\r\n' : '');
      this.requestSent = true;
    };
    const onAborted = () => {
      cleanup();
      if (this.handler === handler)
        this.fail(new UpstreamError('FP_UPSTREAM_CLOSED', 'client request body cut short'));
    };
    const onClose = () => {
      if (!body.complete) onAborted();
    };
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onAborted);
      body.off('close', onClose);
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onAborted);
    body.on('close', onClose);
  }

  // ResponseEvents, from the parser.
  onHead(status: number, headers: readonly string[], keepAliveTimeoutS: number | undefined): void {
    // A target that says how long it keeps an idle connection (Keep-Alive: timeout=5, Node's default) closes
    // it then; reusing it near that moment races the close and fails the request, so stop a second early.
    if (keepAliveTimeoutS !== undefined)
      this.expiresAt = Date.now() + Math.max(0, keepAliveTimeoutS * 1000 - 1000);
    this.handler?.onHeaders(status, headers, this.resumeFn);
  }

  onBody(chunk: Buffer): void {
    const handler = this.handler;
    if (handler && handler.onData(chunk) === false) {
      // Paused for a slow client: the target is not silent, so the idle timeout waits until reading resumes.
      this.paused = true;
      this.socket.setTimeout(0);
      this.socket.pause();
    }
  }

  onEnd(keepAlive: boolean): void {
    const handler = this.handler;
    if (!handler) return;
    this.handler = undefined;
    this.parser = undefined;
    // Reused only when the target allows it, the whole request went out (a response that came before the end
    // of a streamed body cuts it), and it was not a HEAD (undici's rule, kept: a target may send a body anyway).
    if (keepAlive && this.requestSent && !this.headRequest && this.reusable) {
      // The client may have pushed back on the last bytes and will not resume a finished exchange.
      this.resumeFn();
      this.pool.released(this);
    } else this.destroy(undefined);
    handler.onComplete();
  }

  private onSocketData(data: Buffer): void {
    const parser = this.parser;
    if (!parser) {
      // Bytes on an idle connection: nothing asked for them, so the connection can't be trusted.
      this.destroy(undefined);
      return;
    }
    try {
      parser.execute(data);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private onSocketTimeout(): void {
    if (!this.handler) this.destroy(undefined);
    else if (!this.connected)
      this.fail(
        new UpstreamError(
          'FP_CONNECT_TIMEOUT',
          `no connection within ${this.pool.timeouts.connectTimeoutMs} ms`,
        ),
      );
    else
      this.fail(
        new UpstreamError('FP_UPSTREAM_TIMEOUT', `target silent for ${this.pool.timeouts.idleTimeoutMs} ms`),
      );
  }

  private onSocketClose(): void {
    this.dead = true;
    this.pool.gone(this);
    const parser = this.parser;
    if (!this.handler || !parser) return;
    try {
      parser.closed(); // a response delimited by the close ends here (onEnd)
    } catch (error) {
      this.fail(
        parser.headReceived
          ? (error as Error)
          : new UpstreamError('FP_UPSTREAM_CLOSED', 'the target closed the connection before answering'),
      );
    }
  }

  /** Ends the current request with an error and closes the connection (it may be mid-message). */
  private fail(error: Error): void {
    const handler = this.handler;
    this.handler = undefined;
    this.parser = undefined;
    this.destroy(undefined);
    handler?.onError(error);
  }

  destroy(error: Error | undefined): void {
    this.dead = true;
    if (error && this.handler) {
      this.fail(error);
      return;
    }
    this.socket.destroy();
    this.pool.gone(this);
  }
}

/**
 * The request line and header lines (each ending CRLF, without the empty line that ends the head), and whether
 * they carry Content-Length. A Host header is added when the request has none.
 */
export function requestHead(
  request: Pick<UpstreamRequest, 'method' | 'path' | 'headers'>,
  target: { host: string; port: number },
): { head: string; hasLength: boolean } {
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  const headers = request.headers;
  let hasHost = false;
  let hasLength = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true;
    head += `${name}: ${headers[i + 1]}\r\n`;
  }
  if (!hasHost) head += `host: ${target.host}:${target.port}\r\n`;
  return { head, hasLength };
}
