/**
 * A strict, incremental HTTP/1.1 response parser for the balancer's upstream connections (RFC 9112).
 *
 * Strict because a proxy that reads a response's framing differently from the target is a desync: anything
 * ambiguous is an error (the balancer answers 502 and closes the connection), never a guess. Refused: a status
 * line that is not `HTTP/1.x NNN [reason]`, header names that are not tokens, control characters in values,
 * obs-fold, bare CR or LF, both Transfer-Encoding and Content-Length, differing or non-numeric Content-Length,
 * bad chunk sizes or chunk framing, a head over 64 KB, 101 Switching Protocols (no upgrades here), and bytes
 * after a complete response (the pool never pipelines, so nothing may follow).
 */

import { CTL, FIELD, parseResponseHead, type ResponseHead } from './response-head.js';
import { UpstreamProtocolError } from './upstream-protocol-error.js';

export { UpstreamProtocolError };

export interface ResponseEvents {
  /**
   * The final (non-1xx) response head: header names as sent, values trimmed (the list is frozen: a repeated
   * head hands out the same one); `keepAliveTimeoutS`, the `timeout` of a Keep-Alive header.
   */
  onHead(status: number, headers: readonly string[], keepAliveTimeoutS: number | undefined): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; keepAlive says whether the connection may carry another request. */
  onEnd(keepAlive: boolean): void;
}

export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 4096;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNK_SIZE_LINE = new RegExp(`^([0-9A-Fa-f]{1,15})[ \\t]*(?:;[^${CTL}]*)?$`);

type State =
  | 'head'
  | 'length'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-end'
  | 'trailers'
  | 'until-close'
  | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private left = 0;
  private keepAlive = true;
  private lastHead: ResponseHead | undefined;

  /** `noBody`: the request was HEAD, so no response to it has a body whatever its headers say. */
  constructor(
    private readonly events: ResponseEvents,
    private noBody: boolean,
  ) {}

  /** Ready for the next response on the same connection. */
  reset(noBody: boolean): void {
    this.state = 'head';
    this.pending = undefined;
    this.left = 0;
    this.keepAlive = true;
    this.noBody = noBody;
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  /** True once the head is in: from then on a failure can no longer become a clean 502 for the client. */
  get headReceived(): boolean {
    return this.state !== 'head';
  }

  /** Feeds bytes read from the connection. Throws UpstreamProtocolError. */
  execute(input: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, input]) : input;
    this.pending = undefined;
    while (data.length > 0) {
      switch (this.state) {
        case 'head': {
          const end = data.indexOf(HEAD_END);
          if (end < 0) {
            this.keep(data, MAX_HEAD_BYTES, 'response head over 64 KB');
            return;
          }
          this.parseHead(data.toString('latin1', 0, end));
          data = data.subarray(end + 4);
          break;
        }
        case 'length':
          data = this.passBody(data);
          if (this.left === 0) {
            this.state = 'done';
            this.events.onEnd(this.keepAlive);
          }
          break;
        case 'chunk-size': {
          const end = this.lineEnd(data, MAX_CHUNK_LINE_BYTES, 'chunk size line over 4 KB');
          if (end < 0) return;
          const match = CHUNK_SIZE_LINE.exec(data.toString('latin1', 0, end));
          if (!match) throw new UpstreamProtocolError('invalid chunk size line');
          this.left = Number.parseInt(match[1] as string, 16);
          this.state = this.left === 0 ? 'trailers' : 'chunk-data';
          data = data.subarray(end + 2);
          break;
        }
        case 'chunk-data':
          data = this.passBody(data);
          if (this.left === 0) this.state = 'chunk-end';
          break;
        case 'chunk-end': {
          if (data.length < 2) {
            this.keep(data, 2, '');
            return;
          }
          if (data[0] !== 13 || data[1] !== 10)
            throw new UpstreamProtocolError('chunk data not followed by CRLF');
          this.state = 'chunk-size';
          data = data.subarray(2);
          break;
        }
        case 'trailers': {
          // Trailer fields are read and dropped (nothing downstream asked for them), up to the empty line.
          const end = this.lineEnd(data, MAX_HEAD_BYTES, 'trailers over 64 KB');
          if (end < 0) return;
          const line = data.toString('latin1', 0, end);
          data = data.subarray(end + 2);
          if (line === '') {
            this.state = 'done';
            this.events.onEnd(this.keepAlive);
          } else this.checkField(line);
          break;
        }
        case 'until-close':
          this.events.onBody(data);
          return;
        case 'done':
          throw new UpstreamProtocolError('bytes after the end of the response');
      }
    }
  }

  /** The connection closed: ends a response delimited by the close; otherwise the response was cut short. */
  closed(): void {
    if (this.state === 'until-close') {
      this.state = 'done';
      this.events.onEnd(false);
    } else if (this.state !== 'done') {
      throw new UpstreamProtocolError('connection closed before the response was complete');
    }
  }

  /** Passes up to the `left` bytes still due on as body; returns what follows them. */
  private passBody(data: Buffer): Buffer {
    const take = Math.min(this.left, data.length);
    this.left -= take;
    this.events.onBody(take === data.length ? data : data.subarray(0, take));
    return data.subarray(take);
  }

  /** Where the line at the start of `data` ends (its CRLF), or -1 with `data` kept for the next read. */
  private lineEnd(data: Buffer, limit: number, tooLong: string): number {
    const end = data.indexOf(CRLF);
    if (end < 0) this.keep(data, limit, tooLong);
    return end;
  }

  private keep(data: Buffer, limit: number, tooLong: string): void {
    if (data.length > limit) throw new UpstreamProtocolError(tooLong);
    this.pending = data;
  }

  private parseHead(head: string): void {
    // A target sends the same head again and again (Date changes once a second): the same text parses the
    // same, so the last head's fields are kept and reused when it repeats.
    let parsed = this.lastHead;
    if (!parsed || parsed.text !== head) {
      parsed = parseResponseHead(head);
      this.lastHead = parsed;
    }
    const { code, headers, contentLength, transferEncoding, connection, keepAliveTimeoutS } = parsed;
    if (code < 200) return; // 100 Continue, 103 Early Hints: informational, the final head follows.
    this.keepAlive = parsed.http11
      ? !/(^|[\s,])close\s*,/.test(connection)
      : /(^|[\s,])keep-alive\s*,/.test(connection);
    if (this.noBody || code === 204 || code === 304) {
      this.state = 'done';
    } else if (transferEncoding !== undefined) {
      if (contentLength !== undefined)
        throw new UpstreamProtocolError('both Transfer-Encoding and Content-Length');
      const codings = transferEncoding.toLowerCase().split(',');
      if (codings[codings.length - 1]?.trim() === 'chunked') this.state = 'chunk-size';
      else {
        this.state = 'until-close';
        this.keepAlive = false;
      }
    } else if (contentLength !== undefined) {
      this.left = Number(contentLength);
      this.state = this.left === 0 ? 'done' : 'length';
    } else {
      this.state = 'until-close';
      this.keepAlive = false;
    }
    // Framing is settled (or refused) before the head is reported: a refused response never starts one.
    this.events.onHead(code, headers, keepAliveTimeoutS);
    if (this.state === 'done') this.events.onEnd(this.keepAlive);
  }

  private checkField(line: string): void {
    if (!FIELD.test(line)) throw new UpstreamProtocolError('invalid trailer line');
  }
}
