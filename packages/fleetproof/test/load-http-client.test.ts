/**
 * The generator's HTTP/1.1 client (the balancer's upstream pool and strict parser): keep-alive reuse, the
 * target's Keep-Alive timeout, https targets, per-request timeouts, and malformed responses as errors.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadHttpClient, type LoadRequest } from '../src/load/http-client.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});
const listen = async <T extends Server>(server: T): Promise<number> => {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};
const now = () => performance.timeOrigin + performance.now();
const get = (url: string, over: Partial<LoadRequest> = {}): LoadRequest => ({
  method: 'GET',
  url,
  wantBody: true,
  timeoutMs: 5000,
  startAt: now(),
  ...over,
});

describe('the load client', () => {
  it('keeps connections alive: 50 sequential requests on one connection', async () => {
    let connections = 0;
    const server = createHttpServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    const port = await listen(server);
    const client = new LoadHttpClient(now);
    for (let i = 0; i < 50; i++)
      expect((await client.request(get(`http://127.0.0.1:${port}/`))).status).toBe(200);
    await client.close();
    expect(connections).toBe(1);
  });

  it("stops reusing a connection a second before the target's Keep-Alive timeout would close it", async () => {
    let connections = 0;
    const server = createHttpServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 2000; // sends Keep-Alive: timeout=2
    server.on('connection', () => connections++);
    const port = await listen(server);
    const client = new LoadHttpClient(now);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await client.request(get(`http://127.0.0.1:${port}/`))).status);
      // 1.2 s idle: the target would still take the connection, but it is inside the last second before its
      // close, where reusing it races the close; the client opens a new one instead.
      await new Promise((r) => setTimeout(r, 1200));
    }
    await client.close();
    expect(statuses).toEqual([200, 200, 200]);
    expect(connections).toBe(3);
  });

  it('times a request out at its own timeout, as ETIMEDOUT', async () => {
    const port = await listen(createHttpServer(() => {}));
    const client = new LoadHttpClient(now);
    const started = now();
    const response = await client.request(get(`http://127.0.0.1:${port}/`, { timeoutMs: 300 }));
    await client.close();
    expect(response.status).toBe(0);
    expect(response.outcome).toBe('ETIMEDOUT');
    expect(now() - started).toBeGreaterThanOrEqual(290);
    expect(now() - started).toBeLessThan(2000);
  });

  it('counts a malformed response as a failed request (EOTHER), naming what was wrong', async () => {
    const port = await listen(
      createTcpServer((socket) =>
        socket.once('data', () =>
          socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello'),
        ),
      ),
    );
    const client = new LoadHttpClient(now);
    const response = await client.request(get(`http://127.0.0.1:${port}/`));
    await client.close();
    expect(response.status).toBe(0);
    expect(response.outcome).toBe('EOTHER');
    expect(response.error).toContain('malformed response');
  });

  it('classifies a refused connection as ECONNREFUSED', async () => {
    const port = await listen(createHttpServer());
    await new Promise((r) => servers.pop()?.close(r));
    const client = new LoadHttpClient(now);
    const response = await client.request(get(`http://127.0.0.1:${port}/`));
    await client.close();
    expect(response.outcome).toBe('ECONNREFUSED');
  });

  it('sends a body with its Content-Length, and reaches an https target whose certificate it trusts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetproof-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.end(`${req.headers['content-length']}:${body}`));
    });
    const port = await listen(server);
    // The process trusts the certificate the way a user trusts a private CA (NODE_EXTRA_CA_CERTS); it runs
    // asynchronously, as the server lives in this process and must keep serving.
    const client = join(import.meta.dirname, '../src/load/http-client.ts');
    const code = `import { LoadHttpClient } from ${JSON.stringify(client)};
const c = new LoadHttpClient();
const r = await c.request({ method: 'POST', url: 'https://localhost:${port}/x', body: 'héllo', wantBody: true, timeoutMs: 5000, startAt: performance.timeOrigin + performance.now() });
console.log(JSON.stringify({ status: r.status, body: r.body, error: r.error }));
await c.close();`;
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', code], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
    });
    expect(JSON.parse(out)).toEqual({ status: 200, body: '6:héllo' });
  });
});
