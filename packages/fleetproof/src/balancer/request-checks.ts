import type { IncomingMessage } from 'node:http';

// ALB limits: a request line or a single header up to 16 KB, all headers up to 64 KB (the listener's
// maxHeaderSize enforces the total), X-Forwarded-For up to 30 addresses.
export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_HEADERS_BYTES = 64 * 1024;
export const MAX_FORWARDED_FOR = 30;

export interface Rejection {
  status: 400 | 431 | 463 | 501;
  message: string;
}

/**
 * What ALB refuses after parsing. The framing attacks (conflicting Content-Length and Transfer-Encoding,
 * differing duplicate Content-Length, bad chunk sizes, obs-fold, bare CR or LF) never get here: Node's strict
 * parser rejects them first and the listener answers 400 and closes the connection.
 */
export function checkRequest(req: IncomingMessage): Rejection | undefined {
  if ((req.url?.length ?? 0) + (req.method?.length ?? 0) + 10 > MAX_LINE_BYTES) {
    return { status: 400, message: 'request line exceeds 16 KB' };
  }
  const raw = req.rawHeaders;
  let forwardedFor = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.length + value.length + 4 > MAX_LINE_BYTES)
      return { status: 431, message: `header ${name} exceeds 16 KB` };
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding' && value.trim().toLowerCase() !== 'chunked') {
      return { status: 501, message: `unsupported Transfer-Encoding: ${value}` };
    }
    if (lower === 'x-forwarded-for') forwardedFor += value.split(',').length;
  }
  if (forwardedFor > MAX_FORWARDED_FOR) {
    return {
      status: 463,
      message: `X-Forwarded-For has ${forwardedFor} addresses (max ${MAX_FORWARDED_FOR})`,
    };
  }
  return undefined;
}
