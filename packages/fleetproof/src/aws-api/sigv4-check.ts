import { AwsApiError } from './aws-error.js';

/** Who signed a request, for what: the credential scope of a well-formed Signature Version 4. */
export interface SignedScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  /** The signing name: autoscaling, elasticloadbalancing, monitoring, sts, cloudformation, ssm. */
  readonly service: string;
}

/** AWS refuses requests signed more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const incomplete = (message: string) => new AwsApiError('IncompleteSignature', message);
const mismatch = (message: string) => new AwsApiError('SignatureDoesNotMatch', message, 403);

function parseIsoBasic(value: string): number | undefined {
  const m = ISO_BASIC.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

/**
 * Checks that a request carries a well-formed SigV4 Authorization header, with AWS's error codes and words
 * when it does not. Any access key is accepted: locally there is no secret to check the signature against,
 * so its form is what can be checked (algorithm, credential scope and its date, signed headers including
 * host, a 64-hex signature, the clock within 15 minutes).
 */
export function checkSignature(
  headers: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): SignedScope {
  const authorization = headers.authorization;
  if (!authorization)
    throw new AwsApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  const [algorithm, ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== 'AWS4-HMAC-SHA256')
    throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'. Authorization=${authorization}`);
  const fields = new Map(
    rest
      .join(' ')
      .split(',')
      .map((part) => part.trim().split('=', 2) as [string, string | undefined])
      .map(([k, v]) => [k, v ?? ''] as const),
  );
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((k) => !fields.get(k));
  if (missing.length > 0)
    throw incomplete(
      `${missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' ')} Authorization=${authorization}`,
    );
  const amzDate = headers['x-amz-date'];
  if (!amzDate)
    throw incomplete(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
    );
  const signedAt = parseIsoBasic(amzDate);
  if (signedAt === undefined) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  const scope = (fields.get('Credential') as string).split('/');
  if (scope.length !== 5 || scope.some((p) => p === ''))
    throw incomplete(
      `Credential should be scoped by AccessKeyId/date/region/service/aws4_request. Got '${fields.get('Credential')}'.`,
    );
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  if (terminator !== 'aws4_request')
    throw incomplete(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    );
  if (date !== amzDate.slice(0, 8))
    throw mismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  const signedHeaders = (fields.get('SignedHeaders') as string).split(';');
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority'))
    throw incomplete(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  if (!/^[0-9a-f]{64}$/.test(fields.get('Signature') as string))
    throw mismatch('The request signature we calculated does not match the signature you provided.');
  if (Math.abs(nowMs - signedAt) > MAX_SKEW_MS)
    throw mismatch(
      `Signature expired: ${amzDate} is now earlier or later than the server's time by more than 15 min.`,
    );
  return { accessKeyId, date, region, service };
}
