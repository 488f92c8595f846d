/**
 * k6/http as scripts import it: the API surface. A call blocks the VU until the host has the response, as in
 * k6 (on a VU thread; in the fast path the rewritten script awaits it). Requests are prepared in
 * http-request.ts and run, redirects and digest rounds included, by http-flow.ts.
 */
import { FileData } from '../http-body.js';
import { drive, many, one } from '../http-flow.js';
import { CookieJar, type Params, type Prepared, prepare, TemplatedUrl } from '../http-request.js';
import { K6ScriptError, vu } from '../vu-state.js';
import type { ExpectedStatuses } from '../wire.js';

export { CookieJar };

/** The VU's own jar (the runtime replaces it at the start of every iteration, as k6 resets it). */
export function cookieJar(): CookieJar {
  return new CookieJar(vu().jar);
}

export function url(strings: TemplateStringsArray, ...values: unknown[]): TemplatedUrl {
  let text = strings[0] ?? '';
  let name = strings[0] ?? '';
  values.forEach((v, i) => {
    text += String(v) + (strings[i + 1] ?? '');
    name += `\${}${strings[i + 1] ?? ''}`;
  });
  return new TemplatedUrl(text, name);
}

export function file(
  data: string | ArrayBuffer | Uint8Array,
  filename?: string,
  contentType = 'application/octet-stream',
) {
  return new FileData(data, filename, contentType);
}

export function expectedStatuses(...statuses: (number | { min: number; max: number })[]): ExpectedStatuses {
  for (const s of statuses) {
    if (
      typeof s !== 'number' &&
      !(typeof s === 'object' && typeof s.min === 'number' && typeof s.max === 'number')
    )
      throw new K6ScriptError(
        `expectedStatuses: got ${JSON.stringify(s)}, expected a status code or { min, max }`,
      );
  }
  return statuses;
}

export function setResponseCallback(callback: ExpectedStatuses | null): void {
  vu().expected = callback ?? [];
}

export function request(method: string, address: unknown, body?: unknown, params?: Params) {
  return drive(one(prepare(String(method).toUpperCase(), address, body, params)));
}

type BatchItem =
  | string
  | TemplatedUrl
  | unknown[]
  | { method?: string; url: unknown; body?: unknown; params?: Params };

function prepareItem(item: BatchItem): Prepared {
  if (typeof item === 'string' || item instanceof TemplatedUrl)
    return prepare('GET', item, undefined, undefined);
  if (Array.isArray(item)) return prepare(String(item[0]).toUpperCase(), item[1], item[2], item[3] as Params);
  return prepare(String(item.method ?? 'GET').toUpperCase(), item.url, item.body, item.params);
}

/** http.batch: the requests sent in parallel by the host; the answer has the shape of the argument. */
export function batch(requests: BatchItem[] | Record<string, BatchItem>) {
  const keys = Array.isArray(requests) ? undefined : Object.keys(requests);
  const items = Array.isArray(requests) ? requests : Object.values(requests);
  return drive(many(items.map(prepareItem), keys));
}

export const get = (u: unknown, params?: Params) => request('GET', u, null, params);
export const head = (u: unknown, params?: Params) => request('HEAD', u, null, params);
export const post = (u: unknown, body?: unknown, params?: Params) => request('POST', u, body, params);
export const put = (u: unknown, body?: unknown, params?: Params) => request('PUT', u, body, params);
export const patch = (u: unknown, body?: unknown, params?: Params) => request('PATCH', u, body, params);
export const del = (u: unknown, body?: unknown, params?: Params) => request('DELETE', u, body, params);
export const options = (u: unknown, body?: unknown, params?: Params) => request('OPTIONS', u, body, params);

export default {
  request,
  batch,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  url,
  file,
  cookieJar,
  CookieJar,
  expectedStatuses,
  setResponseCallback,
};
