import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FleetError } from '../errors.js';
import { readJson, sendJson as send, sendError } from '../util/json-http.js';
import { dashboardPage } from './dashboard-page.js';
import { type DashboardSnapshot, dashboardView } from './dashboard-view.js';

/** What the page's buttons do: the fleet's own operations, in process or through its control API. */
export interface DashboardActions {
  scale(desired: number): Promise<object>;
  deploy(version: string): Promise<object>;
  terminate(instanceId: string): Promise<object>;
  fault(kind: string, body: Record<string, unknown>): Promise<object>;
}

export interface DashboardSource {
  snapshot(): DashboardSnapshot | Promise<DashboardSnapshot>;
  /** undefined: the page is read-only (its snapshot's actions say why). */
  actions?: DashboardActions;
}

/**
 * The live dashboard: loopback only; the page and its event stream need the token (the printed URL carries
 * it as ?token=, as Jupyter's does) and every action needs it as `Authorization: Bearer`, which a page of
 * another site cannot send. Once a second every open page gets the whole view as a server-sent event.
 */
export class DashboardServer {
  private readonly server: Server;
  private readonly token: string;
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private latest = '';
  url = '';

  constructor(
    private readonly source: DashboardSource,
    options: { token?: string; intervalMs?: number } = {},
  ) {
    this.token = options.token ?? randomBytes(24).toString('hex');
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => sendError(res, error));
    });
    this.intervalMs = options.intervalMs ?? 1000;
  }

  private readonly intervalMs: number;

  /** Listens on 127.0.0.1 (port 0: any free one); returns the URL to open, token included. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new FleetError(
            'FLEET_ERR_USAGE',
            `--dashboard-port: got ${port}, ${error.code === 'EADDRINUSE' ? 'already in use' : error.message}; expected a free port (0 picks one)`,
          ),
        ),
      );
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    this.url = `http://127.0.0.1:${bound}/?token=${this.token}`;
    this.timer = setInterval(() => void this.broadcast(), this.intervalMs);
    this.timer.unref();
    return this.url;
  }

  /** Sends the pages one last view (the run's end), then closes their streams and the listener. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.broadcast();
    for (const res of this.streams) res.end('event: end\ndata: {}\n\n');
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async broadcast(): Promise<void> {
    if (this.streams.size === 0) return;
    try {
      this.latest = JSON.stringify(dashboardView(await this.source.snapshot()));
    } catch (error) {
      this.latest = JSON.stringify({ error: (error as Error).message });
    }
    for (const res of this.streams) res.write(`data: ${this.latest}\n\n`);
  }

  private tokenIn(req: IncomingMessage, url: URL): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = Buffer.from(bearer ?? url.searchParams.get('token') ?? '');
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const isPost = req.method === 'POST';
    // Actions take the token only as a header: a form or link from another site cannot set one.
    const allowed = isPost
      ? /^Bearer /.test(req.headers.authorization ?? '') && this.tokenIn(req, url)
      : this.tokenIn(req, url);
    if (!allowed) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        isPost
          ? 'fleetproof dashboard: actions need Authorization: Bearer <the token in the printed URL>\n'
          : 'fleetproof dashboard: open the URL fleetproof printed; it carries ?token=…\n',
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        // Nothing leaves the machine: no script, style or connection from anywhere but this page and server.
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
      });
      return void res.end(dashboardPage());
    }
    if (req.method === 'GET' && url.pathname === '/stream') return this.openStream(req, res);
    if (isPost && url.pathname.startsWith('/action/')) {
      const body = await readJson(req);
      return send(res, 202, await this.act(url.pathname.slice('/action/'.length), body));
    }
    send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }

  private async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.streams.add(res);
    req.once('close', () => this.streams.delete(res));
    // A new page is current at once, not a second later.
    const view = JSON.stringify(dashboardView(await this.source.snapshot()));
    res.write(`data: ${view}\n\n`);
  }

  private async act(action: string, body: Record<string, unknown>): Promise<object> {
    const actions = this.source.actions;
    if (!actions) {
      const { actions: view } = await this.source.snapshot();
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `this dashboard is read-only: ${view.why ?? 'no fleet to act on'}`,
      );
    }
    if (action === 'scale') return actions.scale(Number(body.desired));
    if (action === 'deploy') {
      if (typeof body.version !== 'string' || body.version.trim() === '')
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `version: got ${JSON.stringify(body.version)}, expected a name such as "V2"`,
        );
      return actions.deploy(body.version.trim());
    }
    if (action === 'terminate') {
      if (typeof body.instanceId !== 'string')
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `instanceId: got ${JSON.stringify(body.instanceId)}, expected an instance id`,
        );
      return actions.terminate(body.instanceId);
    }
    if (action.startsWith('fault/')) return actions.fault(action.slice('fault/'.length), body);
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `action: got ${JSON.stringify(action)}, expected scale, deploy, terminate or fault/<kind>`,
    );
  }
}
