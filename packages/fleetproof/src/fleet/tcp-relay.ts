import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RelayOptions {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly toHost: string;
  readonly toPort: number;
  /** Keep trying to listen this long (the address may not exist yet: a veth being set up). */
  readonly listenRetryMs?: number;
  /** Keep trying to reach the far side this long per connection (it may start after us). */
  readonly connectRetryMs?: number;
}

export interface Relay {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay: what the database looks like from inside an instance's network namespace (127.0.0.1:5432 there
 * is this relay, which reaches the real database through the namespace's link). Bytes are piped unparsed.
 */
export function startRelay(o: RelayOptions): Relay {
  const sockets = new Set<Socket>();
  let closed = false;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.pause();
    const deadline = Date.now() + (o.connectRetryMs ?? 10_000);
    const attempt = () => {
      const upstream = connect({ host: o.toHost, port: o.toPort });
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.once('close', () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.resume();
        client.once('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      upstream.once('error', () => {
        if (closed || client.destroyed || Date.now() > deadline) client.destroy();
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
  const ready = new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + (o.listenRetryMs ?? 0);
    const onListening = () => {
      server.removeAllListeners('error');
      resolve();
    };
    const listen = () => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        // A failed listen leaves its 'listening' callback behind: drop it before trying again.
        server.off('listening', onListening);
        if (!closed && error.code === 'EADDRNOTAVAIL' && Date.now() < deadline) setTimeout(listen, 25);
        else reject(error);
      });
      server.listen(o.listenPort, o.listenHost, onListening);
    };
    listen();
  });
  ready.catch(() => {});
  return {
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
