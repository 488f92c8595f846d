import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface Seen {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface RecordingServer {
  url: string;
  seen(): Seen[];
  reset(): void;
  close(): Promise<void>;
}

const DIGEST = {
  user: 'user',
  password: 'passwd',
  realm: 'fleetproof',
  nonce: randomBytes(8).toString('hex'),
};
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Verifies an RFC 7616 digest answer (qop=auth, MD5) the way a server does. */
function digestOk(header: string | undefined, method: string): boolean {
  if (!header?.startsWith('Digest ')) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g))
    p[m[1] as string] = m[2] ?? m[3] ?? '';
  const ha1 = md5(`${DIGEST.user}:${DIGEST.realm}:${DIGEST.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  return p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/** Answers one request; returns whether it answered at once (a slow route answers later). */
function route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): boolean {
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
    return true;
  };
  const parts = url.pathname.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'login': {
      res.setHeader('set-cookie', [
        `sid=${randomBytes(4).toString('hex')}; Path=/; HttpOnly`,
        'seen=1; Path=/',
      ]);
      return json(200, { token: `token-${body.length}` });
    }
    case 'set-cookie': {
      res.setHeader(
        'set-cookie',
        [...url.searchParams].map(([k, v]) => `${k}=${v}; Path=/`),
      );
      return json(200, {});
    }
    case 'status':
      return json(Number(parts[1]), { status: Number(parts[1]) });
    case 'slow':
      setTimeout(() => json(200, { slow: true }), Number(parts[1] ?? 50));
      return false;
    case 'redirect': {
      const n = Number(parts[1] ?? 0);
      if (n <= 0) return json(200, { landed: true });
      res.writeHead(302, { location: `/redirect/${n - 1}` });
      res.end();
      return true;
    }
    case 'basic': {
      const expected = `Basic ${Buffer.from('user:passwd').toString('base64')}`;
      return req.headers.authorization === expected ? json(200, { authenticated: true }) : json(401, {});
    }
    case 'digest': {
      if (digestOk(req.headers.authorization, req.method ?? 'GET')) return json(200, { authenticated: true });
      res.writeHead(401, {
        'www-authenticate': `Digest realm="${DIGEST.realm}", qop="auth", nonce="${DIGEST.nonce}", algorithm=MD5`,
      });
      res.end();
      return true;
    }
    default:
      return json(200, { method: req.method, path: url.pathname });
  }
}

/** A local HTTP server that keeps every request it receives, for tests that assert on what a tool sent. */
export async function startRecordingServer(): Promise<RecordingServer> {
  let seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const query: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v];
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query,
        headers: req.headers,
        body,
        at: Date.now(),
      });
      route(req, res, url, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => seen,
    reset: () => {
      seen = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
