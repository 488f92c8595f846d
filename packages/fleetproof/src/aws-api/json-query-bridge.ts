import type { QueryParams, XmlValue } from './query-xml.js';

/**
 * CloudWatch answers two protocols: Query (the AWS CLI v2 of Debian's awscli) and AWS JSON 1.0 with
 * `awsQueryCompatible` (the SDK for JavaScript v3). One set of actions serves both: a JSON body is flattened
 * into the Query parameters the actions read (lists as `.member.N`, epoch-second times as ISO 8601), and a
 * result is written back as JSON (dates as epoch seconds).
 */
export function jsonToQuery(body: unknown, prefix = '', out = new Map<string, string>()): QueryParams {
  if (Array.isArray(body)) {
    for (const [i, v] of body.entries()) jsonToQuery(v, `${prefix}.member.${i + 1}`, out);
  } else if (body !== null && typeof body === 'object')
    for (const [k, v] of Object.entries(body)) jsonToQuery(v, prefix ? `${prefix}.${k}` : k, out);
  else if (body !== undefined && body !== null)
    out.set(
      prefix,
      typeof body === 'number' && /Time$/.test(prefix) ? new Date(body * 1000).toISOString() : String(body),
    );
  return out;
}

export function xmlValueToJson(value: XmlValue): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(xmlValueToJson);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, xmlValueToJson(v)]),
    );
  return value;
}
