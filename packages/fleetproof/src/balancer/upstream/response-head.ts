/**
 * A response head, checked and split into fields in one pass (RFC 9112): the status line, then `token: value`
 * fields with no control character but HTAB, so no bare CR or LF and no obs-fold (a continuation line starts
 * with SP/HTAB, which is not a token). One regular expression over the head is several times cheaper than a
 * split and two tests per line, and the load generator parses every response with it.
 */
import { UpstreamProtocolError } from './upstream-protocol-error.js';

// Control characters other than HTAB: never allowed in a reason phrase, a field value or a chunk extension.
export const CTL = '\\x00-\\x08\\x0a-\\x1f\\x7f';
const TOKEN_CHARS = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
const HEAD = new RegExp(
  `^HTTP/1\\.([01]) ([1-9]\\d\\d)(?: [^${CTL}]*)?(?:\\r\\n[${TOKEN_CHARS}]+:[^${CTL}]*)*$`,
);
export const FIELD = new RegExp(`^[${TOKEN_CHARS}]+:[^${CTL}]*$`);

export interface ResponseHead {
  /** The head as received (without the empty line), to recognise it when it comes again. */
  text: string;
  http11: boolean;
  code: number;
  /** [name, value, ...], names as sent, values without surrounding whitespace; never changed once parsed. */
  headers: readonly string[];
  contentLength: string | undefined;
  /** Every Transfer-Encoding field, joined with ", ". */
  transferEncoding: string | undefined;
  /** Every Connection field, lower case, each followed by ",". */
  connection: string;
  /** The `timeout` of a Keep-Alive field, seconds. */
  keepAliveTimeoutS: number | undefined;
}

/** Checks a response head and reads its fields. Throws UpstreamProtocolError. */
export function parseResponseHead(head: string): ResponseHead {
  const valid = HEAD.exec(head);
  if (!valid) throw new UpstreamProtocolError(invalidHeadReason(head));
  const code = Number(valid[2]);
  if (code === 101) throw new UpstreamProtocolError('101 Switching Protocols is not supported');
  const headers: string[] = [];
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection = '';
  let keepAliveTimeoutS: number | undefined;
  for (let at = head.indexOf('\r\n'); at >= 0; ) {
    const next = head.indexOf('\r\n', at + 2);
    const end = next < 0 ? head.length : next;
    const colon = head.indexOf(':', at + 2);
    const name = head.slice(at + 2, colon);
    const value = trimOws(head, colon + 1, end);
    at = next;
    switch (name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '') {
      case 'content-length':
        if (!/^\d{1,15}$/.test(value) || (contentLength !== undefined && contentLength !== value))
          throw new UpstreamProtocolError('invalid or conflicting Content-Length');
        contentLength = value;
        break;
      case 'transfer-encoding':
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        break;
      case 'connection':
        connection += `${value.toLowerCase()},`;
        break;
      case 'keep-alive': {
        const timeout = /timeout=(\d+)/i.exec(value);
        if (timeout) keepAliveTimeoutS = Number(timeout[1]);
        break;
      }
    }
    headers.push(name, value);
  }
  return {
    text: head,
    http11: valid[1] === '1',
    code,
    headers: Object.freeze(headers),
    contentLength,
    transferEncoding,
    connection,
    keepAliveTimeoutS,
  };
}

/** Which rule a refused head broke (the one-pass check only says that one did). */
function invalidHeadReason(head: string): string {
  const lines = head.split('\r\n');
  if (!new RegExp(`^HTTP/1\\.[01] [1-9]\\d\\d(?: [^${CTL}]*)?$`).test(lines[0] ?? ''))
    return 'invalid status line';
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!new RegExp(`^[${TOKEN_CHARS}]+$`).test(name)) return 'invalid header line';
    if (new RegExp(`[${CTL}]`).test(line.slice(colon + 1))) return `control character in header ${name}`;
  }
  return 'invalid head';
}

/** head[from, to) without leading and trailing SP / HTAB (RFC 9110 5.6.3's OWS). */
function trimOws(head: string, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && (head.charCodeAt(start) === 32 || head.charCodeAt(start) === 9)) start++;
  while (end > start && (head.charCodeAt(end - 1) === 32 || head.charCodeAt(end - 1) === 9)) end--;
  return head.slice(start, end);
}
