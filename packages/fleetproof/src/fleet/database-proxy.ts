import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in the path of the instances' DATABASE_URL, as toxiproxy is put in front of a dependency: it
 * pipes bytes unchanged until a fault asks for more. `latency` delays every chunk the database sends back by
 * ms ± jitter (toxiproxy's latency toxic, downstream), so each round trip of a query gains that much; `cut`
 * resets every open connection and, for its duration, every new one: a database restarting as its clients
 * see it. Migrations and fleetproof's own reads connect directly, not through it.
 */
export interface DatabaseProxy {
  readonly host: string;
  readonly port: number;
  /** From now until `clear`: delay each chunk towards the instances by ms ± jitterMs (never reordered). */
  latency(ms: number, jitterMs: number): void;
  /** Resets every connection and refuses new ones for `ms`; resolves when it lets them through again. */
  cut(ms: number): Promise<void>;
  clear(): void;
  /** Connections currently open through the proxy. */
  open(): number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  readonly toHost: string;
  readonly toPort: number;
  /** Randomness for the jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

/** The delay of one chunk: ms ± jitter, never below 0. */
export function chunkDelayMs(ms: number, jitterMs: number, random: () => number): number {
  return Math.max(0, ms + (random() * 2 - 1) * jitterMs);
}

export async function startDatabaseProxy(o: ProxyOptions): Promise<DatabaseProxy> {
  const random = o.random ?? Math.random;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let delay: { ms: number; jitterMs: number } | undefined;
  let cutUntil = 0;
  const server: Server = createServer((client) => {
    if (Date.now() < cutUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: o.toHost, port: o.toPort });
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    // Chunks towards the client leave in order, each no earlier than its own delay after it arrived.
    let lastDue = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (!delay) return client.write(chunk);
      const due = Math.max(lastDue, Date.now() + chunkDelayMs(delay.ms, delay.jitterMs, random));
      lastDue = due;
      setTimeout(() => client.destroyed || client.write(chunk), due - Date.now());
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('end', () => setTimeout(() => client.end(), Math.max(0, lastDue - Date.now())));
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', () => setTimeout(end, Math.max(0, lastDue - Date.now())));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    latency: (ms, jitterMs) => {
      delay = { ms, jitterMs };
    },
    cut: async (ms) => {
      cutUntil = Date.now() + ms;
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise((r) => setTimeout(r, ms));
    },
    clear: () => {
      delay = undefined;
      cutUntil = 0;
    },
    open: () => pairs.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
