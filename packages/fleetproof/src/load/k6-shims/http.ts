import { resolveUrl } from '../flow-runner.js';
import { parseDuration } from '../schedule/durations.js';
import { currentVu } from './vu-storage.js';

/** The subset of k6's Response scripts read. */
export interface K6Response {
  status: number;
  body: string;
  headers: Record<string, string>;
  error: string;
  error_code: number;
  timings: { duration: number; waiting: number };
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
    return new URLSearchParams(
      Object.entries(body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
  }
  return String(body);
}

export async function request(
  method: string,
  url: string,
  body?: unknown,
  params: Params = {},
): Promise<K6Response> {
  const vu = currentVu();
  const headers: Record<string, string> = { ...(params.headers ?? {}) };
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
  return {
    status: response.status,
    body: response.body,
    headers: response.headers,
    error: response.error ?? '',
    error_code: response.status === 0 ? 1000 : 0,
    timings: { duration: response.durationMs, waiting: response.waitingMs },
    json(selector?: string) {
      const value = JSON.parse(response.body) as unknown;
      if (!selector) return value;
      return selector
        .split('.')
        .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
    },
  };
}

export const get = (url: string, params?: Params) => request('GET', url, undefined, params);
export const head = (url: string, params?: Params) => request('HEAD', url, undefined, params);
export const options = (url: string, body?: unknown, params?: Params) =>
  request('OPTIONS', url, body, params);
export const post = (url: string, body?: unknown, params?: Params) => request('POST', url, body, params);
export const put = (url: string, body?: unknown, params?: Params) => request('PUT', url, body, params);
export const patch = (url: string, body?: unknown, params?: Params) => request('PATCH', url, body, params);
export const del = (url: string, body?: unknown, params?: Params) => request('DELETE', url, body, params);

export default { request, get, head, options, post, put, patch, del };
