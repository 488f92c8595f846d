import type { AwsApiError } from './aws-error.js';

/**
 * The AWS Query protocol's two halves: form-encoded parameters in (`Action`, `Version`, lists as
 * `Name.member.N`, structures as `Name.Field`), XML out (`<ActionResponse><ActionResult>…`, lists as
 * `<member>`), and AWS's error XML.
 */
export type QueryParams = ReadonlyMap<string, string>;

export function parseQuery(body: string): QueryParams {
  return new Map(new URLSearchParams(body));
}

/** `Name.member.1`, `Name.member.2` … in order (the Query protocol's lists). */
export function memberList(params: QueryParams, name: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++)
    values.push(params.get(`${name}.member.${i}`) as string);
  return values;
}

/** The structures of a list: `Targets.member.1.Id`, `Targets.member.1.Port` → [{ Id, Port }]. */
export function memberStructs(params: QueryParams, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 1; ; i++) {
    const prefix = `${name}.member.${i}.`;
    const entry: Record<string, string> = {};
    for (const [k, v] of params) if (k.startsWith(prefix)) entry[k.slice(prefix.length)] = v;
    if (Object.keys(entry).length === 0) return out;
    out.push(entry);
  }
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A value as the Query protocol's XML: objects as elements, arrays as `<member>`s, dates in ISO 8601. */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | XmlValue[]
  | { [key: string]: XmlValue };

export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return escapeXml(String(value));
}

export function queryResponse(
  action: string,
  namespace: string,
  result: XmlValue | undefined,
  requestId: string,
): string {
  const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`;
}

export function queryError(error: AwsApiError, namespace: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`;
}
