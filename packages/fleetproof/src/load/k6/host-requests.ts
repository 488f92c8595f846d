/**
 * The host side of a k6 request: sent on the shared client, measured (the engine's metrics, k6's tagged
 * sub-metrics when a threshold reads them), and handed back in the wire shape both VU runtimes read.
 */
import type { LoadRequest, LoadResponse } from '../http-client.js';
import type { HostServices } from './k6-host.js';
import type { ExpectedStatuses, WireRequest, WireResponse } from './wire.js';

/** k6's error codes for transport failures (k6 docs, "Error codes"). */
const ERROR_CODES: Record<string, number> = {
  ETIMEDOUT: 1050,
  ECONNREFUSED: 1212,
  ECONNRESET: 1220,
  EOTHER: 1000,
};

export function isExpected(status: number, expected: ExpectedStatuses): boolean {
  return expected.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max));
}

/** One request of a VU, from `startAt` (when it was due, for an open-model iteration's first). */
export async function sendK6Request(
  io: Pick<HostServices, 'client' | 'metrics' | 'k6'>,
  request: WireRequest,
  startAt: number,
): Promise<WireResponse> {
  const { client, metrics, k6 } = io;
  const options: LoadRequest = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    wantBody: request.responseType !== 'none',
    timeoutMs: request.timeoutMs,
    startAt,
  };
  if (request.body !== undefined)
    options.body = typeof request.body === 'string' ? request.body : Buffer.from(request.body);
  const response = await client.request(options);
  const failed = response.status === 0 || !isExpected(response.status, request.expected);
  metrics.request({
    status: response.status,
    outcome: response.outcome,
    bytesIn: response.bytesIn,
    bytesOut: response.bytesOut,
    durationMs: response.durationMs,
    waitingMs: response.waitingMs,
    failed,
  });
  if (k6.wantsHttpTags) {
    const tags = {
      ...request.tags,
      status: String(response.status),
      expected_response: String(!failed),
      proto: 'HTTP/1.1',
    };
    k6.addHttp(tags, response.durationMs, response.waitingMs, failed);
  }
  return toWire(response, request);
}

const NO_HEADERS: readonly string[] = Object.freeze([]);

/** The host and port a URL reaches (k6's remote_ip / remote_port), parsed once per URL. */
const remotes = new Map<string, { ip: string; port: number }>();
function remoteOf(href: string): { ip: string; port: number } {
  let remote = remotes.get(href);
  if (!remote) {
    const url = new URL(href);
    remote = {
      ip: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    };
    if (remotes.size > 10_000) remotes.clear();
    remotes.set(href, remote);
  }
  return remote;
}

function toWire(response: LoadResponse, request: WireRequest): WireResponse {
  const remote = response.status ? remoteOf(request.url) : undefined;
  return {
    status: response.status,
    statusText: response.status ? `${response.status} ${response.statusText}`.trim() : '',
    proto: response.status ? 'HTTP/1.1' : '',
    headers: (response.status && response.rawHeaders) || NO_HEADERS,
    body:
      request.responseType === 'none' || response.status === 0
        ? null
        : request.responseType === 'binary'
          ? new Uint8Array(response.bytes)
          : response.body,
    error: response.error ?? '',
    errorCode: response.status === 0 ? (ERROR_CODES[response.outcome] ?? 1000) : 0,
    remoteIp: remote?.ip ?? '',
    remotePort: remote?.port ?? 0,
    timings: {
      duration: response.durationMs,
      waiting: response.waitingMs,
      sending: 0,
      receiving: Math.max(0, response.durationMs - response.waitingMs),
      blocked: 0,
      connecting: 0,
      tls_handshaking: 0,
    },
  };
}
