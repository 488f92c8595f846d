// The upstream every proxy in the balancer benchmark forwards to: a fixed 13-byte hello world, keep-alive on.
import { createServer } from 'node:http';

const body = Buffer.from('Hello, World!');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
