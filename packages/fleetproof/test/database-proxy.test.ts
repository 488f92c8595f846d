import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDelayMs, type DatabaseProxy, startDatabaseProxy } from '../src/fleet/database-proxy.js';

let upstream: Server;
let proxy: DatabaseProxy;

beforeAll(async () => {
  // The far side: an echo server, so a round trip through the proxy is one write and one read.
  upstream = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as { port: number }).port;
  proxy = await startDatabaseProxy({ toHost: '127.0.0.1', toPort: port, random: () => 1 });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => upstream.close(r));
});

const open = () =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: proxy.host, port: proxy.port }, () => resolve(s));
    s.once('error', reject);
  });

/** One round trip: the ms until the echo of `text` is back, or the socket's error. */
function roundTrip(s: Socket, text: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk: Buffer) => {
      got += chunk;
      if (got === text) {
        s.off('data', onData);
        resolve(performance.now() - started);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.once('close', () => reject(new Error('closed')));
    s.write(text);
  });
}

describe('the database proxy (real sockets)', () => {
  it('delays are ms ± jitter, never negative', () => {
    expect(chunkDelayMs(100, 20, () => 1)).toBe(120);
    expect(chunkDelayMs(100, 20, () => 0)).toBe(80);
    expect(chunkDelayMs(5, 20, () => 0)).toBe(0);
  });

  it('passes bytes unchanged, then adds the latency to each round trip until cleared', async () => {
    const s = await open();
    expect(await roundTrip(s, 'ping')).toBeLessThan(100);
    proxy.latency(150, 50);
    // random() = 1: every chunk waits 150 + 50 ms.
    expect(await roundTrip(s, 'slow')).toBeGreaterThanOrEqual(195);
    proxy.clear();
    expect(await roundTrip(s, 'fast')).toBeLessThan(100);
    s.destroy();
  });

  it('a cut resets open connections and refuses new ones until it ends', async () => {
    const s = await open();
    await roundTrip(s, 'before');
    const reset = new Promise<string>((resolve) =>
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')),
    );
    const cut = proxy.cut(600);
    expect(await reset).toBe('ECONNRESET');
    const during = await open().then(
      (t) =>
        roundTrip(t, 'x').then(
          () => 'answered',
          (e: Error & { code?: string }) => e.code ?? e.message,
        ),
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    expect(during).not.toBe('answered');
    await cut;
    const after = await open();
    expect(await roundTrip(after, 'after')).toBeLessThan(100);
    after.destroy();
  });
});
