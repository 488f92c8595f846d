// A sketch, not a proxy to use: Node's HTTP server + a minimal hand-written upstream HTTP/1.1 client (keep-alive
// sockets, request head written by hand, response parsed in JS with Content-Length framing only; no chunked
// bodies, no timeouts, no error answers). It was the case for replacing undici; now it shows what fleetproof's own
// client (src/balancer/upstream/), with strict parsing, timeouts and ALB's error answers, costs beyond a minimal one.
import { createServer, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

const upstreamPort = Number(process.env.UPSTREAM_PORT);
const idle: Socket[] = [];
const CRLF2 = Buffer.from('\r\n\r\n');

interface Pending {
  res: ServerResponse;
  buffered: Buffer | undefined;
  status: number;
  headers: string[] | undefined;
  bodyLeft: number;
}
const pendingOf = new WeakMap<Socket, Pending>();

function onData(this: Socket, chunk: Buffer): void {
  const p = pendingOf.get(this);
  if (!p) return;
  let data = p.buffered ? Buffer.concat([p.buffered, chunk]) : chunk;
  if (!p.headers) {
    const end = data.indexOf(CRLF2);
    if (end < 0) {
      p.buffered = data;
      return;
    }
    const lines = data.toString('latin1', 0, end).split('\r\n');
    p.status = Number((lines[0] ?? '').slice(9, 12));
    p.headers = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') p.bodyLeft = Number(value);
      if (lower === 'connection' || lower === 'keep-alive') continue;
      p.headers.push(name, value);
    }
    p.res.writeHead(p.status, p.headers);
    data = data.subarray(end + 4);
  }
  p.buffered = undefined;
  p.bodyLeft -= data.length;
  if (p.bodyLeft > 0) {
    p.res.write(data);
    return;
  }
  p.res.end(data);
  pendingOf.delete(this);
  idle.push(this);
}

function socketFor(): Socket {
  const reused = idle.pop();
  if (reused) return reused;
  const socket = connect(upstreamPort, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('data', onData);
  socket.on('error', () => pendingOf.get(socket)?.res.destroy());
  return socket;
}

createServer((req, res) => {
  const socket = socketFor();
  pendingOf.set(socket, { res, buffered: undefined, status: 0, headers: undefined, bodyLeft: 0 });
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  socket.write(`${head}\r\n`, 'latin1');
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
