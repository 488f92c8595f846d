import { arrayBufferOf } from './bytes.js';
import { type K6Cookie, parseSetCookie, toK6Cookie } from './cookie-jar.js';
import { canonicalHeader } from './http-body.js';
import { K6ScriptError } from './vu-state.js';
import type { WireRequest, WireResponse } from './wire.js';

/** The request k6 exposes as res.request. */
export interface K6RequestView {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
  cookies: Record<string, { name: string; value: string; replace: boolean }[]>;
}

/** gjson's path syntax as far as k6 scripts use it: a.b.0.c, a.#, escaped dots. */
export function gjson(value: unknown, selector: string): unknown {
  const keys = selector.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
  let current = value;
  for (const key of keys) {
    if (current === null || current === undefined) return undefined;
    if (key === '#' && Array.isArray(current)) current = current.length;
    else current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** k6's Response object; headers, cookies and the request view are built when the script first reads them. */
export class K6Response {
  // `declare`: assigned once in the constructor. As class fields each would first be defined as undefined
  // (ES2022 semantics), which the profile showed as the largest single cost of a k6 request in the fast path.
  declare readonly status: number;
  declare readonly status_text: string;
  declare readonly proto: string;
  declare readonly body: string | ArrayBuffer | null;
  declare readonly error: string;
  declare readonly error_code: number;
  declare readonly remote_ip: string;
  declare readonly remote_port: number;
  declare readonly url: string;
  declare readonly timings: WireResponse['timings'];
  declare private readonly wire: WireResponse;
  declare private readonly sent: WireRequest;
  declare private readonly at: number;
  declare private readonly requestBody: string;
  declare private builtHeaders: Record<string, string> | undefined;
  declare private builtCookies: Record<string, K6Cookie[]> | undefined;
  declare private builtRequest: K6RequestView | undefined;

  constructor(wire: WireResponse, sent: WireRequest, at: number, requestBody: string) {
    this.wire = wire;
    this.sent = sent;
    this.at = at;
    this.requestBody = requestBody;
    this.status = wire.status;
    this.status_text = wire.statusText;
    this.proto = wire.proto;
    this.body = wire.body instanceof Uint8Array ? arrayBufferOf(wire.body) : wire.body;
    this.error = wire.error;
    this.error_code = wire.errorCode;
    this.remote_ip = wire.remoteIp;
    this.remote_port = wire.remotePort;
    this.url = sent.url;
    this.timings = wire.timings;
    this.builtHeaders = undefined;
    this.builtCookies = undefined;
    this.builtRequest = undefined;
  }

  get headers(): Record<string, string> {
    if (!this.builtHeaders) {
      const headers: Record<string, string> = {};
      const raw = this.wire.headers;
      for (let i = 0; i < raw.length; i += 2) {
        const value = raw[i + 1] as string;
        const key = canonicalHeader(raw[i] as string);
        headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
      }
      this.builtHeaders = headers;
    }
    return this.builtHeaders;
  }

  get cookies(): Record<string, K6Cookie[]> {
    if (!this.builtCookies) {
      const url = new URL(this.sent.url);
      const cookies: Record<string, K6Cookie[]> = {};
      const raw = this.wire.headers;
      for (let i = 0; i < raw.length; i += 2) {
        if ((raw[i] as string).toLowerCase() !== 'set-cookie') continue;
        const parsed = parseSetCookie(raw[i + 1] as string, url, this.at);
        if (parsed) cookies[parsed.name] = [...(cookies[parsed.name] ?? []), toK6Cookie(parsed, this.at)];
      }
      this.builtCookies = cookies;
    }
    return this.builtCookies;
  }

  get request(): K6RequestView {
    if (!this.builtRequest) {
      const sent = this.sent;
      const requestHeaders: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(sent.headers))
        requestHeaders[canonicalHeader(name)] = [value];
      const requestCookies: K6RequestView['cookies'] = {};
      for (const pair of (sent.headers.Cookie ?? '').split('; ').filter(Boolean)) {
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        requestCookies[name] = [
          ...(requestCookies[name] ?? []),
          { name, value: pair.slice(eq + 1), replace: false },
        ];
      }
      this.builtRequest = {
        method: sent.method,
        url: sent.url,
        headers: requestHeaders,
        body: this.requestBody,
        cookies: requestCookies,
      };
    }
    return this.builtRequest;
  }

  json(selector?: string): unknown {
    if (typeof this.body !== 'string')
      throw new K6ScriptError('the response has no text body to parse as JSON (responseType is not "text")');
    const value = JSON.parse(this.body) as unknown;
    return selector ? gjson(value, selector) : value;
  }

  html(): never {
    throw new K6ScriptError('Response.html() (k6/html) is not supported by fleetproof load');
  }

  submitForm(): never {
    throw new K6ScriptError('Response.submitForm() is not supported by fleetproof load');
  }

  clickLink(): never {
    throw new K6ScriptError('Response.clickLink() is not supported by fleetproof load');
  }
}
