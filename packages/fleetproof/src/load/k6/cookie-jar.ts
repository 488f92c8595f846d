/**
 * A cookie jar with RFC 6265's storage and matching rules (domain and path match, host-only cookies, expiry,
 * Secure), the per-VU jar k6 keeps. Pure: the clock is passed in.
 */
export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** Epoch ms; undefined = a session cookie. */
  expiresAt: number | undefined;
  secure: boolean;
  httpOnly: boolean;
}

/** k6's cookie object (Response.cookies, CookieJar.cookiesForURL is values only). */
export interface K6Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

export function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^\d+\.\d+\.\d+\.\d+$/.test(host));
}

export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** Parses one Set-Cookie header value as RFC 6265 section 5.2 does; undefined when it must be ignored. */
export function parseSetCookie(header: string, url: URL, now: number): StoredCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: url.hostname.toLowerCase(),
    hostOnly: true,
    path: defaultPath(url),
    expiresAt: undefined,
    secure: false,
    httpOnly: false,
  };
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'domain' && value) {
      const domain = value.replace(/^\./, '').toLowerCase();
      // A server may not set a cookie for a domain it does not belong to.
      if (!domainMatches(cookie.domain, domain)) return undefined;
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === 'path' && value.startsWith('/')) cookie.path = value;
    else if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    else if (key === 'expires') {
      const t = Date.parse(value);
      if (!Number.isNaN(t)) expires = t;
    } else if (key === 'secure') cookie.secure = true;
    else if (key === 'httponly') cookie.httpOnly = true;
  }
  // Max-Age wins over Expires (RFC 6265 5.3 step 3).
  if (maxAge !== undefined) cookie.expiresAt = maxAge <= 0 ? 0 : now + maxAge * 1000;
  else if (expires !== undefined) cookie.expiresAt = expires;
  return cookie;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** No cookie stored: nothing to match (the common case in a load test, checked per request). */
  get empty(): boolean {
    return this.cookies.length === 0;
  }

  /** Stores (or, when already expired, removes) a cookie. */
  store(cookie: StoredCookie, now: number): void {
    this.cookies = this.cookies.filter(
      (c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path),
    );
    if (cookie.expiresAt === undefined || cookie.expiresAt > now) this.cookies.push(cookie);
  }

  storeFromResponse(setCookies: string[], url: URL, now: number): void {
    for (const header of setCookies) {
      const cookie = parseSetCookie(header, url, now);
      if (cookie) this.store(cookie, now);
    }
  }

  /** Cookies to send to url, longer paths first (RFC 6265 5.4 step 2). */
  matching(url: URL, now: number): StoredCookie[] {
    const host = url.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    return this.cookies
      .filter(
        (c) =>
          (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) &&
          pathMatches(url.pathname || '/', c.path) &&
          (!c.secure || url.protocol === 'https:'),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }

  set(url: URL, name: string, value: string, options: CookieOptions, now: number): void {
    const expiresAt =
      options.max_age !== undefined
        ? now + options.max_age * 1000
        : options.expires
          ? Date.parse(options.expires)
          : undefined;
    this.store(
      {
        name,
        value,
        domain: (options.domain ?? url.hostname).replace(/^\./, '').toLowerCase(),
        hostOnly: options.domain === undefined,
        path: options.path ?? '/',
        expiresAt,
        secure: options.secure === true,
        httpOnly: options.http_only === true,
      },
      now,
    );
  }

  delete(url: URL, name: string, now: number): void {
    const gone = new Set(this.matching(url, now).filter((c) => c.name === name));
    this.cookies = this.cookies.filter((c) => !gone.has(c));
  }

  clear(url: URL, now: number): void {
    const gone = new Set(this.matching(url, now));
    this.cookies = this.cookies.filter((c) => !gone.has(c));
  }
}

export function toK6Cookie(c: StoredCookie, now: number): K6Cookie {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    http_only: c.httpOnly,
    secure: c.secure,
    max_age: c.expiresAt === undefined ? 0 : Math.max(0, Math.round((c.expiresAt - now) / 1000)),
    expires: c.expiresAt ?? 0,
  };
}
