// The floor for any Node proxy: bytes copied between two sockets, no HTTP parsing at all (bench/proxy-floor.ts).
import { connect, createServer } from 'node:net';

createServer((client) => {
  const upstream = connect(Number(process.env.UPSTREAM_PORT), '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
