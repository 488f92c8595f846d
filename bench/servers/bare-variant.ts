// The floor for a Node proxy on undici (V empty: no checks, no headers added, no metrics), and experiments adding
// one of fleetproof's settings at a time: V=server, pool, dispatch (idempotent: false), close (a listener per request),
// headers (the four headers ALB adds upstream: X-Forwarded-For/-Proto/-Port, X-Amzn-Trace-Id, fixed values).
import { createServer } from 'node:http';
import { Pool } from 'undici';

const v = process.env.V ?? '';
const poolOpts = v.includes('pool')
  ? {
      connectTimeout: 10_000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 60_000,
      pipelining: 1,
    }
  : { pipelining: 1 };
const serverOpts = v.includes('server')
  ? {
      maxHeaderSize: 65536,
      keepAliveTimeout: 60_000,
      headersTimeout: 60_000,
      requestTimeout: 0,
      connectionsCheckingInterval: 1000,
    }
  : {};
const dispatchExtra = v.includes('dispatch') ? { idempotent: false, blocking: true } : {};
const addedHeaders = v.includes('headers')
  ? ['x-forwarded-for', '127.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-port', '80']
  : [];
const traceHeader = v.includes('headers')
  ? ['x-amzn-trace-id', 'Root=1-6553f100-0123456789abcdef01234567']
  : [];
const pool = new Pool(`http://127.0.0.1:${process.env.UPSTREAM_PORT}`, poolOpts);
createServer(serverOpts, (req, res) => {
  if (v.includes('close')) res.once('close', () => {});
  const headers = addedHeaders.length ? [...req.rawHeaders, ...addedHeaders, ...traceHeader] : req.rawHeaders;
  pool.dispatch({ path: req.url ?? '/', method: 'GET', headers, ...dispatchExtra }, {
    onConnect() {},
    onHeaders(status: number, raw: Buffer[]) {
      const h: string[] = [];
      for (let i = 0; i < raw.length; i += 2) h.push(String(raw[i]), String(raw[i + 1]));
      res.writeHead(status, h);
      return true;
    },
    onData(chunk: Buffer) {
      res.write(chunk);
      return true;
    },
    onComplete() {
      res.end();
    },
    onError() {
      res.destroy();
    },
  } as never);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
