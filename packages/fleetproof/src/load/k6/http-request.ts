/**
 * k6/http's requests before they are sent: params checked, headers, body, cookies and tags as k6 sets them,
 * in the wire shape both VU runtimes hand to the host.
 */
import { parseDuration } from '../schedule/durations.js';
import { CookieJar as Jar } from './cookie-jar.js';
import { encodeBody } from './http-body.js';
import { baseTags, K6ScriptError, vu } from './vu-state.js';
import type { ExpectedStatuses, WireRequest } from './wire.js';

export interface Params {
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
export class TemplatedUrl {
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

export interface Prepared {
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

export function prepare(
  method: string,
  rawUrl: unknown,
  body: unknown,
  given: Params | undefined | null,
): Prepared {
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

export function addCookies(wire: WireRequest, jar: Jar | null, extra: Params['cookies']): void {
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
