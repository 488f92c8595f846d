// The floor for a Node proxy on undici: no checks, no headers added, no metrics (for comparison only).
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(`http://127.0.0.1:${process.env.UPSTREAM_PORT}`, { pipelining: 1 });
createServer((req, res) => {
  pool.dispatch({ path: req.url ?? '/', method: 'GET', headers: req.rawHeaders }, {
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
