import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Connection-level headers: they describe one hop and are never forwarded (RFC 9110 §7.6.1).
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
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

// The trace id's time field changes once a second: its 8 hex digits are kept, not formatted per request.
let traceSecond = -1;
let traceSecondHex = '';

/** ALB's trace header: Root=1-<epoch seconds in 8 hex>-<24 hex>. */
export function newTraceId(nowMs: number): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== traceSecond) {
    traceSecond = second;
    traceSecondHex = second.toString(16).padStart(8, '0');
  }
  return `Root=1-${traceSecondHex}-${randomHex12Bytes()}`;
}

export function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

// Lengths of the response header names downstreamHeaders must look at: the hop-by-hop ones and Content-Length.
const CHECKED_NAME_LENGTHS: ReadonlySet<number> = new Set([
  ...[...HOP_BY_HOP].map((name) => name.length),
  'content-length'.length,
]);

/**
 * Response headers passed to the client as Node's flat [name, value, ...] list, minus hop-by-hop ones (Node
 * frames the response itself). Takes the upstream parser's flat list, so no header object is built in between.
 * Fills `out` and returns the Content-Length (-1 when absent or not one plain number).
 */
export function downstreamHeaders(raw: readonly string[], out: string[]): number {
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    // Only names as long as a hop-by-hop one or Content-Length are lower-cased and looked at (on the latency path).
    if (CHECKED_NAME_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) continue;
      if (lower === 'content-length') contentLength = /^\d{1,15}$/.test(value) ? Number(value) : -1;
    }
    out.push(name, value);
  }
  return contentLength;
}
