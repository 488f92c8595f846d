import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FleetError } from '../errors.js';
import { readJson, sendJson as send, sendError } from '../util/json-http.js';

export interface ControlHandlers {
  status(): object;
  scale(desired: number): object;
  /** `release`: a folder under .fleetproof/releases that `deploy --ref` prepared. */
  deploy(request: { version: string; release?: { sha: string; root: string } }): object | Promise<object>;
  deployStatus(id: string): object | undefined;
  events(since: number): object[];
  metrics(): string;
  down(): void;
  /** Faults against the running fleet (hang: SIGSTOP one instance). */
  fault(kind: string, options: Record<string, unknown>): object;
  /** TerminateInstanceInAutoScalingGroup without decrementing desired: the group replaces it. */
  terminate(instanceId: string): object;
}

/**
 * The control API: loopback only, every request needs `Authorization: Bearer <token>` (the token is in the
 * run folder's control.json, readable by its owner only). JSON in and out.
 */
export class ControlServer {
  private readonly server: Server;
  private readonly token: Buffer;
  url = '';

  constructor(
    token: string,
    private readonly handlers: ControlHandlers,
  ) {
    this.token = Buffer.from(`Bearer ${token}`);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => sendError(res, error));
    });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      send(res, 401, { error: 'send Authorization: Bearer <token> from the run folder control.json' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://control');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /status') return send(res, 200, this.handlers.status());
    if (route === 'GET /metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return void res.end(this.handlers.metrics());
    }
    if (route === 'GET /events')
      return send(res, 200, this.handlers.events(Number(url.searchParams.get('since') ?? 0)));
    if (route === 'POST /scale') {
      const body = await readJson(req);
      return send(res, 200, this.handlers.scale(Number(body.desired)));
    }
    if (route === 'POST /deploy') {
      const body = await readJson(req);
      if (typeof body.version !== 'string')
        throw new FleetError('FLEET_ERR_USAGE', 'version: expected a string such as "V2"');
      const release = body.release as { sha?: unknown; root?: unknown } | undefined;
      if (release !== undefined && (typeof release.sha !== 'string' || typeof release.root !== 'string'))
        throw new FleetError('FLEET_ERR_USAGE', 'release: expected { sha, root } from deploy --ref');
      return send(
        res,
        202,
        await this.handlers.deploy({
          version: body.version,
          ...(release ? { release: { sha: String(release.sha), root: String(release.root) } } : {}),
        }),
      );
    }
    if (req.method === 'GET' && url.pathname.startsWith('/deploy/')) {
      const found = this.handlers.deployStatus(decodeURIComponent(url.pathname.slice('/deploy/'.length)));
      return found ? send(res, 200, found) : send(res, 404, { error: 'no such instance refresh' });
    }
    if (req.method === 'POST' && url.pathname.startsWith('/fault/')) {
      const body = await readJson(req);
      return send(res, 202, this.handlers.fault(url.pathname.slice('/fault/'.length), body));
    }
    if (route === 'POST /terminate') {
      const body = await readJson(req);
      if (typeof body.instanceId !== 'string')
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `instanceId: got ${JSON.stringify(body.instanceId)}, expected an instance id`,
        );
      return send(res, 202, this.handlers.terminate(body.instanceId));
    }
    if (route === 'POST /down') {
      send(res, 202, { stopping: true });
      return void setImmediate(() => this.handlers.down());
    }
    send(res, 404, { error: `no route ${route}` });
  }
}
