import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Connection-level headers: they describe one hop and are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);
const REWRITTEN = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port']);

const random = Buffer.alloc(4096);
let randomOffset = random.length;

/** 24 random hex digits, from a refilled buffer rather than an allocation per request. */
function randomHex12Bytes(): string {
  if (randomOffset + 12 > random.length) {
    randomFillSync(random);
    randomOffset = 0;
  }
  const hex = random.toString('hex', randomOffset, randomOffset + 12);
  randomOffset += 12;
  return hex;
}

/** ALB's trace header: Root=1-<epoch seconds in 8 hex>-<24 hex>. */
export function newTraceId(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomHex12Bytes()}`;
}

export function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The headers sent upstream, as undici's flat [name, value, ...] array: the client's, minus hop-by-hop ones
 * (and any the Connection header names), with X-Forwarded-For appended (left-most = original client),
 * X-Forwarded-Proto and -Port set by us, and an X-Amzn-Trace-Id added when absent.
 */
export function upstreamHeaders(req: IncomingMessage, listenerPort: number, nowMs: number): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let forwardedFor = '';
  let hasTrace = false;
  const connectionListed = req.headers.connection
    ?.toLowerCase()
    .split(',')
    .map((s) => s.trim());
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed?.includes(lower)) continue;
    if (REWRITTEN.has(lower)) {
      if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${value}` : value;
      continue;
    }
    if (lower === 'x-amzn-trace-id') hasTrace = true;
    out.push(name, value);
  }
  const client = clientAddress(req);
  out.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${client}` : client);
  out.push('x-forwarded-proto', 'http', 'x-forwarded-port', String(listenerPort));
  if (!hasTrace) out.push('x-amzn-trace-id', newTraceId(nowMs));
  return out;
}

/** Response headers passed to the client, minus hop-by-hop ones (Node frames the response itself). */
export function downstreamHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}
