import { randomBytes } from 'node:crypto';
import { type FormPart, multipartBody } from '../multipart.js';

/** k6's http.file(): a part of a multipart body. */
export class FileData {
  constructor(
    readonly data: string | ArrayBuffer | Uint8Array,
    readonly filename: string | undefined,
    readonly content_type: string,
  ) {}
}

const toBytes = (data: string | ArrayBuffer | Uint8Array): Uint8Array =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : data instanceof Uint8Array
      ? data
      : new Uint8Array(data);

function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((h) => h.toLowerCase() === lower);
}

/**
 * A k6 request body as bytes or text, setting Content-Type as k6 does: a string goes as is; an ArrayBuffer or
 * typed array as bytes; an object as application/x-www-form-urlencoded with one key=value pair per array item
 * (k6 repeats the key); an object with an http.file() value as multipart/form-data.
 */
export function encodeBody(body: unknown, headers: Record<string, string>): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    return body instanceof ArrayBuffer
      ? new Uint8Array(body)
      : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  if (body instanceof FileData) return toBytes(body.data);
  if (typeof body === 'object') {
    const entries = Object.entries(body as Record<string, unknown>);
    if (entries.some(([, v]) => v instanceof FileData)) return multipart(entries, headers);
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [key, value] of entries) {
      if (Array.isArray(value)) for (const item of value) form.append(key, String(item));
      else form.append(key, String(value));
    }
    return form.toString();
  }
  return String(body);
}

function multipart(entries: [string, unknown][], headers: Record<string, string>): Uint8Array {
  const boundary = randomBytes(30).toString('hex');
  if (!hasHeader(headers, 'content-type'))
    headers['Content-Type'] = `multipart/form-data; boundary=${boundary}`;
  const parts: FormPart[] = [];
  for (const [name, value] of entries) {
    for (const item of Array.isArray(value) ? value : [value]) {
      // A file part names its file (the field's key when http.file got none) and its type, as k6 sends it.
      if (item instanceof FileData)
        parts.push({
          name,
          filename: item.filename ?? name,
          contentType: item.content_type,
          data: toBytes(item.data),
        });
      else parts.push({ name, data: String(item) });
    }
  }
  return multipartBody(boundary, parts);
}

/** Go's CanonicalMIMEHeaderKey, the form k6 gives response header names: content-type → Content-Type. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
