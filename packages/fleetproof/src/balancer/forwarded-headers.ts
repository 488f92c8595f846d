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
 * Response headers passed to the client as Node's flat [name, value, ...] list, minus hop-by-hop ones (Node
 * frames the response itself). Takes undici's raw header buffers, so no header object is built in between.
 */
export function downstreamHeaders(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1');
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, (raw[i + 1] as Buffer).toString('latin1'));
  }
  return out;
}
