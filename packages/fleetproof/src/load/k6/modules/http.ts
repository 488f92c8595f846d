/** k6/http, run on the VU's own thread: each call blocks the VU until the host has the response, as in k6. */

import { parseDuration } from '../../schedule/durations.js';
import { CookieJar as Jar } from '../cookie-jar.js';
import { digestAuthorization, parseDigestChallenge } from '../digest-auth.js';
import { encodeBody, FileData } from '../http-body.js';
import { K6Response } from '../http-response.js';
import { baseTags, K6ScriptError, type Transport, takeSamples, vu } from '../vu-state.js';
import type { ExpectedStatuses, WireRequest, WireResponse } from '../wire.js';

interface Params {
  headers?: Record<string, string>;
  cookies?: Record<string, string | { value: string; replace?: boolean }>;
  jar?: CookieJar | null;
  tags?: Record<string, string>;
  timeout?: string | number;
  redirects?: number;
  auth?: 'basic' | 'digest' | 'ntlm';
  responseType?: 'text' | 'binary' | 'none';
  responseCallback?: ExpectedStatuses | null;
  compression?: string;
}

const PARAM_KEYS = [
  'headers',
  'cookies',
  'jar',
  'tags',
  'timeout',
  'redirects',
  'auth',
  'responseType',
  'responseCallback',
  'compression',
];
const DEFAULT_USER_AGENT = 'k6/1.0.0 (https://k6.io/)';

/** What http.url`…` returns: the URL, and the template as the request's name tag. */
class TemplatedUrl {
  constructor(
    readonly url: string,
    readonly name: string,
  ) {}
  toString() {
    return this.url;
  }
}

export class CookieJar {
  constructor(/** @internal */ readonly jar = new Jar()) {}
  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.jar.matching(new URL(url), Date.now()))
      out[c.name] = [...(out[c.name] ?? []), c.value];
    return out;
  }
  set(url: string, name: string, value: string, options: Record<string, unknown> = {}): void {
    this.jar.set(new URL(url), name, value, options, Date.now());
  }
  delete(url: string, name: string): void {
    this.jar.delete(new URL(url), name, Date.now());
  }
  clear(url: string): void {
    this.jar.clear(new URL(url), Date.now());
  }
}

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

interface Prepared {
  wire: WireRequest;
  bodyText: string;
  credentials: { username: string; password: string } | undefined;
  params: Params;
  jar: Jar | null;
  redirectsLeft: number;
}

const NO_PARAMS: Params = Object.freeze({});

function checkParams(params: Params): void {
  for (const key of Object.keys(params)) {
    if (!PARAM_KEYS.includes(key))
      throw new K6ScriptError(`http params.${key} is not supported by fleetproof load`);
  }
  if (params.compression)
    throw new K6ScriptError('http params.compression is not supported by fleetproof load');
  if (params.auth === 'ntlm')
    throw new K6ScriptError('http params.auth "ntlm" is not supported by fleetproof load');
}

function prepare(method: string, rawUrl: unknown, body: unknown, given: Params | undefined | null): Prepared {
  const state = vu();
  if (state.phase === 'init')
    throw new K6ScriptError('Making http requests in the init context is not supported (k6 says the same)');
  const params = given ?? NO_PARAMS;
  if (given) checkParams(given);
  const nameTag = rawUrl instanceof TemplatedUrl ? rawUrl.name : undefined;
  // Only a URL with credentials needs parsing here (the client caches parsed URLs by their text).
  const raw = String(rawUrl);
  const target = raw.includes('@') ? new URL(raw) : undefined;
  let credentials: Prepared['credentials'];
  const headers: Record<string, string> = {};
  if (target && (target.username || target.password)) {
    credentials = {
      username: decodeURIComponent(target.username),
      password: decodeURIComponent(target.password),
    };
    target.username = '';
    target.password = '';
    if (params.auth !== 'digest')
      headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
  const userAgent = (state.options.userAgent as string | undefined) ?? DEFAULT_USER_AGENT;
  if (userAgent) headers['User-Agent'] = userAgent;
  if (params.headers) {
    for (const [name, value] of Object.entries(params.headers)) {
      for (const existing of Object.keys(headers))
        if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      headers[name] = String(value);
    }
  }
  const payload = encodeBody(body, headers);
  const jar = params.jar === null ? null : (params.jar?.jar ?? state.jar);
  const href = target ? target.toString() : raw;
  const responseType =
    params.responseType ?? (state.options.discardResponseBodies === true ? 'none' : 'text');
  const wire: WireRequest = {
    method,
    url: href,
    headers,
    timeoutMs: params.timeout !== undefined ? parseDuration(params.timeout, 'params.timeout') : 60_000,
    responseType,
    expected: params.responseCallback !== undefined ? (params.responseCallback ?? []) : state.expected,
  };
  if (payload !== undefined) wire.body = payload;
  if (state.httpTags)
    wire.tags = {
      ...baseTags(),
      ...params.tags,
      name: params.tags?.name ?? nameTag ?? href,
      method,
      url: href,
    };
  addCookies(wire, jar, params.cookies);
  const redirects = params.redirects ?? (state.options.maxRedirects as number | undefined) ?? 10;
  const bodyText =
    typeof payload === 'string' ? payload : payload ? Buffer.from(payload).toString('latin1') : '';
  return { wire, bodyText, credentials, params, jar, redirectsLeft: redirects };
}

function addCookies(wire: WireRequest, jar: Jar | null, extra: Params['cookies']): void {
  if ((!jar || jar.empty) && !extra) return;
  const pairs = new Map<string, string[]>();
  for (const c of jar ? jar.matching(new URL(wire.url), Date.now()) : []) {
    const list = pairs.get(c.name) ?? [];
    list.push(c.value);
    pairs.set(c.name, list);
  }
  for (const [name, spec] of Object.entries(extra ?? {})) {
    const value = typeof spec === 'string' ? spec : spec.value;
    const replace = typeof spec === 'object' && spec.replace === true;
    pairs.set(name, replace ? [value] : [...(pairs.get(name) ?? []), value]);
  }
  const header = [...pairs].flatMap(([name, values]) => values.map((v) => `${name}=${v}`)).join('; ');
  if (header) wire.headers.Cookie = header;
}

/** A request flow: yields the requests to send, gets their responses back, returns k6 responses. */
type Flow<T> = Generator<Prepared[], T, WireResponse[]>;

/**
 * Runs a flow on the VU's transport: blocking on a VU thread, or as a promise the rewritten script awaits
 * in the fast path. One definition of k6's request semantics serves both.
 */
function drive<T>(flow: Flow<T>): T | Promise<T> {
  const { transport } = vu();
  if (transport.blocking) {
    let step = flow.next();
    while (!step.done) step = flow.next(transport.http(wires(step.value), takeSamples()) as WireResponse[]);
    return step.value;
  }
  return driveAsync(flow, flow.next(), transport);
}

const wires = (batch: Prepared[]) =>
  batch.length === 1 ? [(batch[0] as Prepared).wire] : batch.map((p) => p.wire);

/** The fast path's loop as a promise chain: one `then` per round trip, no async frame around it. */
function driveAsync<T>(flow: Flow<T>, step: IteratorResult<Prepared[], T>, transport: Transport): Promise<T> {
  if (step.done) return Promise.resolve(step.value);
  return (transport.http(wires(step.value), takeSamples()) as Promise<WireResponse[]>).then((responses) =>
    driveAsync(flow, flow.next(responses), transport),
  );
}

/** After a response: cookies into the jar, then digest's second round or the next redirect, as k6 does. */
function* settle(prepared: Prepared, wire: WireResponse): Flow<K6Response> {
  let current = prepared;
  let response = wire;
  for (;;) {
    const now = Date.now();
    const setCookies: string[] = [];
    const raw = response.headers;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i] as string;
      if (n.length === 10 && n.toLowerCase() === 'set-cookie') setCookies.push(raw[i + 1] as string);
    }
    if (current.jar && setCookies.length > 0)
      current.jar.storeFromResponse(setCookies, new URL(current.wire.url), now);
    const next = followUp(current, response);
    if (!next) {
      if (response.error && vu().options.throw === true) throw new K6ScriptError(response.error);
      return new K6Response(response, current.wire, now, current.bodyText);
    }
    current = next;
    response = (yield [current])[0] as WireResponse;
  }
}

function followUp(p: Prepared, response: WireResponse): Prepared | undefined {
  // Only a digest challenge or a redirect has a follow-up.
  if (response.status !== 401 && (response.status < 301 || response.status > 308)) return undefined;
  const header = (name: string) => {
    const raw = response.headers;
    for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name) return raw[i + 1];
    return undefined;
  };
  if (
    response.status === 401 &&
    p.params.auth === 'digest' &&
    p.credentials &&
    !p.wire.headers.Authorization
  ) {
    const challenge = parseDigestChallenge(header('www-authenticate') ?? '');
    if (!challenge) return undefined;
    const url = new URL(p.wire.url);
    const wire = {
      ...p.wire,
      headers: {
        ...p.wire.headers,
        Authorization: digestAuthorization(
          challenge,
          p.credentials,
          p.wire.method,
          `${url.pathname}${url.search}`,
        ),
      },
    };
    return { ...p, wire };
  }
  const location = header('location');
  if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined || p.redirectsLeft <= 0)
    return undefined;
  const to = new URL(location, p.wire.url).toString();
  // 301/302/303 turn a POST into a GET without a body (as Go's client does for k6); 307/308 resend it.
  const keepBody = response.status === 307 || response.status === 308;
  const method = keepBody || p.wire.method === 'HEAD' ? p.wire.method : 'GET';
  const headers = { ...p.wire.headers };
  delete headers.Cookie;
  if (!keepBody)
    for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
  const wire: WireRequest = {
    ...p.wire,
    method,
    url: to,
    headers,
  };
  if (p.wire.tags) wire.tags = { ...p.wire.tags, url: to, name: p.params.tags?.name ?? to };
  if (!keepBody) delete wire.body;
  addCookies(wire, p.jar, undefined);
  return { ...p, wire, bodyText: keepBody ? p.bodyText : '', redirectsLeft: p.redirectsLeft - 1 };
}

function* one(prepared: Prepared): Flow<K6Response> {
  const [response] = yield [prepared];
  return yield* settle(prepared, response as WireResponse);
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

function* many(
  prepared: Prepared[],
  keys: string[] | undefined,
): Flow<K6Response[] | Record<string, K6Response>> {
  const first = yield prepared;
  const responses: K6Response[] = [];
  for (const [i, p] of prepared.entries()) responses.push(yield* settle(p, first[i] as WireResponse));
  if (!keys) return responses;
  return Object.fromEntries(keys.map((k, i) => [k, responses[i] as K6Response]));
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
