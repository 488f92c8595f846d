import type { IncomingMessage } from 'node:http';
import { clientAddress, HOP_BY_HOP, newTraceId } from './forwarded-headers.js';

// ALB limits: a request line or a single header up to 16 KB, all headers up to 64 KB (the listener's
// maxHeaderSize enforces the total), X-Forwarded-For up to 30 addresses.
export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_HEADERS_BYTES = 64 * 1024;
export const MAX_FORWARDED_FOR = 30;

export interface Rejection {
  status: 400 | 431 | 463 | 501;
  message: string;
}

export interface Forwardable {
  /** The flat [name, value, ...] header list for the upstream request. */
  headers: string[];
  hasBody: boolean;
}

/**
 * One pass over the raw headers that both checks what ALB refuses after parsing and builds what goes
 * upstream (reading req.headers instead would make Node build a second header object per request).
 *
 * Refused here: a request line or a header over 16 KB (400 / 431), a Transfer-Encoding other than chunked
 * (501), X-Forwarded-For over 30 addresses (463). The framing attacks (conflicting Content-Length and
 * Transfer-Encoding, differing duplicate Content-Length, bad chunk sizes, obs-fold, bare CR or LF) never get
 * here: Node's strict parser rejects them first and the listener answers 400 and closes the connection.
 *
 * Forwarded: the client's headers minus hop-by-hop ones (and any the Connection header names), with
 * X-Forwarded-For appended (left-most = original client), X-Forwarded-Proto and -Port set by us, and an
 * X-Amzn-Trace-Id added when absent.
 */
export function prepareRequest(
  req: IncomingMessage,
  listenerPort: string,
  nowMs: number,
): Rejection | Forwardable {
  if ((req.url?.length ?? 0) + (req.method?.length ?? 0) + 10 > MAX_LINE_BYTES) {
    return { status: 400, message: 'request line exceeds 16 KB' };
  }
  const raw = req.rawHeaders;
  const headers: string[] = [];
  let forwardedFor = '';
  let forwardedCount = 0;
  let hasTrace = false;
  let hasBody = false;
  let connectionTokens: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.length + value.length + 4 > MAX_LINE_BYTES)
      return { status: 431, message: `header ${name} exceeds 16 KB` };
    const lower = name.toLowerCase();
    switch (lower) {
      case 'transfer-encoding':
        if (value.trim().toLowerCase() !== 'chunked')
          return { status: 501, message: `unsupported Transfer-Encoding: ${value}` };
        hasBody = true;
        continue;
      case 'content-length':
        if (value !== '0') hasBody = true;
        break;
      case 'connection':
        connectionTokens = value.toLowerCase();
        continue;
      case 'x-forwarded-for':
        forwardedCount += value.split(',').length;
        forwardedFor = forwardedFor ? `${forwardedFor}, ${value}` : value;
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-port':
        continue;
      case 'x-amzn-trace-id':
        hasTrace = true;
        break;
      default:
        if (HOP_BY_HOP.has(lower)) continue;
    }
    headers.push(name, value);
  }
  if (forwardedCount > MAX_FORWARDED_FOR) {
    return {
      status: 463,
      message: `X-Forwarded-For has ${forwardedCount} addresses (max ${MAX_FORWARDED_FOR})`,
    };
  }
  if (connectionTokens !== undefined && connectionTokens !== 'keep-alive' && connectionTokens !== 'close') {
    // Headers the client marked as connection-specific (Connection: x-foo) stop here too.
    const named = new Set(connectionTokens.split(',').map((s) => s.trim()));
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (named.has((headers[i] as string).toLowerCase())) headers.splice(i, 2);
    }
  }
  const client = clientAddress(req);
  headers.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${client}` : client);
  headers.push('x-forwarded-proto', 'http', 'x-forwarded-port', listenerPort);
  if (!hasTrace) headers.push('x-amzn-trace-id', newTraceId(nowMs));
  return { headers, hasBody };
}
