import type { Server } from 'node:http';
import { type App, createApp } from './app.js';
import type { Settings } from './config/settings.js';
import { type ShutdownOutcome, shutDownGracefully, trackResponses } from './lifecycle/graceful-shutdown.js';

export interface RunningServer {
  readonly app: App;
  readonly server: Server;
  readonly url: string;
  /** Runs the graceful shutdown sequence once; later calls return the same promise. */
  shutdown(): Promise<ShutdownOutcome>;
}

export async function startServer(settings: Settings, log: (line: string) => void): Promise<RunningServer> {
  const app = await createApp(settings);
  const server: Server = app.nest.getHttpServer();
  const active = trackResponses(server);
  // Longer than a balancer's 60 s idle timeout, so the balancer, not us, closes idle upstream connections;
  // otherwise it may send a request on a socket we are closing and answer the client 502.
  server.keepAliveTimeout = settings.KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = settings.HEADERS_TIMEOUT_MS;
  await app.nest.listen(settings.PORT, settings.HOST);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.PORT;
  const shownHost = settings.HOST === '0.0.0.0' || settings.HOST === '::' ? '127.0.0.1' : settings.HOST;

  let stopping: Promise<ShutdownOutcome> | undefined;
  return {
    app,
    server,
    url: `http://${shownHost}:${port}`,
    shutdown: () => {
      stopping ??= (async () => {
        const outcome = await shutDownGracefully(server, active, app.deps.lifecycle, {
          delayMs: settings.SHUTDOWN_DELAY_MS,
          timeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
          log,
        });
        await app.closeResources();
        return outcome;
      })();
      return stopping;
    },
  };
}
