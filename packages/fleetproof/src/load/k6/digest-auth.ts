import { createHash, randomBytes } from 'node:crypto';

/** RFC 7616 digest access authentication: the Authorization header answering a WWW-Authenticate challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: string;
}

export function parseDigestChallenge(header: string): DigestChallenge | undefined {
  const at = header.search(/digest\s/i);
  if (at < 0) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(at + 7).matchAll(/([\w-]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(m[1] as string).toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  if (params.nonce === undefined) return undefined;
  return {
    realm: params.realm ?? '',
    nonce: params.nonce,
    ...(params.qop !== undefined ? { qop: params.qop } : {}),
    ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
    algorithm: params.algorithm ?? 'MD5',
  };
}

const HASHES: Record<string, string> = { md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: { username: string; password: string },
  method: string,
  uri: string,
  cnonce = randomBytes(8).toString('hex'),
  nc = '00000001',
): string {
  const algorithm = challenge.algorithm.toLowerCase().replace(/-sess$/, '');
  const hashName = HASHES[algorithm];
  if (!hashName)
    throw new Error(
      `digest auth: algorithm ${challenge.algorithm} is not supported; expected MD5, SHA-256 or SHA-512-256`,
    );
  const h = (text: string) => createHash(hashName).update(text).digest('hex');
  let ha1 = h(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  if (/-sess$/i.test(challenge.algorithm)) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qop = challenge.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const response = qop
    ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${credentials.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${uri}"`,
    `algorithm=${challenge.algorithm}`,
    `response="${response}"`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
