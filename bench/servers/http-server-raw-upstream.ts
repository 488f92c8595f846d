// Node's HTTP server in front, but no HTTP client behind it: each request sends one fixed GET on a single raw
// keep-alive socket and the upstream's response bytes are copied to the client socket unparsed. Not a proxy
// (one connection, no framing, sequential use only): it shows what the server side alone costs, i.e. what a
// leaner upstream client than undici could at best reach (bench/proxy-floor.ts).
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';

const upstream = connect(Number(process.env.UPSTREAM_PORT), '127.0.0.1');
upstream.setNoDelay(true);
let current: Socket | undefined;
upstream.on('data', (bytes) => current?.write(bytes));
createServer((req) => {
  current = req.socket;
  upstream.write('GET / HTTP/1.1\r\nhost: upstream\r\n\r\n');
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
