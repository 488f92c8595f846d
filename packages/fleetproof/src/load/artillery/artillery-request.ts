/**
 * An Artillery request step built as Artillery's HTTP engine builds it after the beforeRequest hooks:
 * templates filled, the target prefixed, qs, json / body / form / formData, default headers, cookies into the
 * user's jar, basic auth.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { resolveUrl } from '../flow-runner.js';
import { type FormPart, multipartBody } from '../multipart.js';
import { isObj, type Obj } from '../plain-values.js';
import type { ArtilleryScript } from './artillery-script.js';
import type { ArtilleryContext } from './artillery-vu.js';
import { template } from './template.js';

const USER_AGENT = 'Artillery (https://artillery.io)';

export interface BuiltRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  method: string;
  timeoutMs: number;
  /** Follow redirects (Artillery's followRedirect, default true). */
  follow: boolean;
  /** The step's name (metrics-by-endpoint). */
  name?: string;
}

/** The request as Artillery's engine builds it after beforeRequest: templates, qs, form, formData, headers, cookies, auth. */
export function buildRequest(
  script: ArtilleryScript,
  requestParams: Obj,
  params: Obj,
  context: ArtilleryContext,
): BuiltRequest {
  const config = script.config;
  let url = String(template(requestParams.url, context));
  if (url.startsWith('/')) url = String(config.target) + url;
  url = resolveUrl(url, String(config.target));
  if (params.qs !== undefined) {
    const u = new URL(url);
    for (const [k, v] of Object.entries(template(params.qs, context) as Obj))
      u.searchParams.append(k, String(v));
    url = u.toString();
  }
  const defaults = (isObj(config.http) && isObj(config.http.defaults) && config.http.defaults.headers) ||
    (isObj(config.defaults) && config.defaults.headers) || { 'user-agent': USER_AGENT };
  const headers: Record<string, string> = {};
  for (const source of [defaults, params.headers, requestParams.headers]) {
    if (isObj(source))
      for (const [k, v] of Object.entries(source)) headers[k.toLowerCase()] = String(template(v, context));
  }
  let body: string | Buffer | undefined;
  if (requestParams.json !== undefined) {
    body = JSON.stringify(template(requestParams.json, context));
    headers['content-type'] ??= 'application/json';
  } else if (requestParams.body !== undefined) body = String(template(requestParams.body, context));
  else if (isObj(params.form)) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params.form)) form.append(k, String(template(v, context)));
    body = form.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (isObj(params.formData)) body = multipart(script, params.formData, context, headers);
  if (isObj(requestParams.cookie)) {
    for (const [k, v] of Object.entries(requestParams.cookie))
      context._jar.set(new URL(url), k, String(template(v, context)), {}, Date.now());
  }
  if (isObj(requestParams.auth)) {
    const user = String(template(requestParams.auth.user, context));
    const pass = String(template(requestParams.auth.pass, context));
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  const name =
    typeof requestParams.name === 'string' ? String(template(requestParams.name, context)) : undefined;
  return {
    url,
    headers,
    body,
    method: String(requestParams.method),
    timeoutMs: Number(requestParams.timeout),
    follow: requestParams.followRedirect !== false,
    ...(name ? { name } : {}),
  };
}

function multipart(
  script: ArtilleryScript,
  fields: Obj,
  context: ArtilleryContext,
  headers: Record<string, string>,
): Buffer {
  // The boundary form got (Artillery's client) uses: 26 dashes and 24 hex digits.
  const boundary = `--------------------------${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  const parts: FormPart[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const value = template(raw, context);
    if (!isObj(value)) {
      parts.push({ name, data: String(value) });
      continue;
    }
    const contentType = typeof value.contentType === 'string' ? value.contentType : undefined;
    if (typeof value.fromFile === 'string') {
      const file = resolve(dirname(script.path), value.fromFile);
      parts.push({ name, filename: basename(file), contentType, data: readFileSync(file) });
    } else parts.push({ name, contentType, data: String(value.value) });
  }
  return multipartBody(boundary, parts);
}
