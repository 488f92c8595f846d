import type { VuContext } from '../flow-runner.js';
import { resolveUrl } from '../flow-runner.js';
import type { LoadResponse } from '../http-client.js';
import { parseDuration } from '../schedule/durations.js';

/** The subset of k6's Response scripts read. */
export interface K6Response {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly error: string;
  readonly error_code: number;
  readonly timings: { duration: number; waiting: number };
  json(selector?: string): unknown;
}

interface Params {
  headers?: Record<string, string>;
  timeout?: string | number;
  tags?: Record<string, string>;
}

/** k6 sends an object body as a form (application/x-www-form-urlencoded), a string as is. */
function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (typeof body === 'object') {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const pairs = Object.entries(body as Record<string, unknown>).map(([k, v]): [string, string] => [
      k,
      String(v),
    ]);
    return new URLSearchParams(pairs).toString();
  }
  return String(body);
}

/**
 * k6's http.request. Every function here takes the calling VU first: the k6 importer rewrites
 * `http.get(url)` in a script to `__fpHttp.get(__fpVu, url)`.
 */
export async function request(
  vu: VuContext,
  method: string,
  url: string,
  body?: unknown,
  params: Params = {},
) {
  const headers: Record<string, string> = params.headers ? { ...params.headers } : {};
  const payload = encodeBody(body, headers);
  const startAt = vu.intendedStartAt ?? vu.now();
  vu.intendedStartAt = undefined;
  const response = await vu.client.request({
    method: method.toUpperCase(),
    url: resolveUrl(url, vu.target),
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    wantBody: true,
    timeoutMs: params.timeout !== undefined ? parseDuration(params.timeout, 'params.timeout') : vu.timeoutMs,
    startAt,
  });
  vu.metrics.request(response);
  return new K6ResponseView(response);
}

/** k6's Response over ours; body and headers stay undecoded unless the script reads them. */
class K6ResponseView implements K6Response {
  constructor(private readonly response: LoadResponse) {}
  get status() {
    return this.response.status;
  }
  get body() {
    return this.response.body;
  }
  get headers() {
    return this.response.headers;
  }
  get error() {
    return this.response.error ?? '';
  }
  get error_code() {
    return this.response.status === 0 ? 1000 : 0;
  }
  get timings() {
    return { duration: this.response.durationMs, waiting: this.response.waitingMs };
  }
  json(selector?: string): unknown {
    const value = JSON.parse(this.response.body) as unknown;
    if (!selector) return value;
    return selector
      .split('.')
      .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
  }
}

type Vu = VuContext;
export const get = (vu: Vu, url: string, params?: Params) => request(vu, 'GET', url, undefined, params);
export const head = (vu: Vu, url: string, params?: Params) => request(vu, 'HEAD', url, undefined, params);
export const options = (vu: Vu, url: string, body?: unknown, params?: Params) =>
  request(vu, 'OPTIONS', url, body, params);
export const post = (vu: Vu, url: string, body?: unknown, params?: Params) =>
  request(vu, 'POST', url, body, params);
export const put = (vu: Vu, url: string, body?: unknown, params?: Params) =>
  request(vu, 'PUT', url, body, params);
export const patch = (vu: Vu, url: string, body?: unknown, params?: Params) =>
  request(vu, 'PATCH', url, body, params);
export const del = (vu: Vu, url: string, body?: unknown, params?: Params) =>
  request(vu, 'DELETE', url, body, params);
