// The floor for a load generator on undici (issue 4 item 3 asks for undici pools): CONNECTIONS loops, each
// dispatching GET / and awaiting the response with a handler that does nothing: no schedule, no metrics, no
// script. No undici-based generator can beat it, so it tells how much of the gap to autocannon is ours.
// Plain JavaScript run by node itself: tsx (esbuild, keepNames) wraps each function of the handler created per
// request in a __name() call, which cost ~4 µs a request (measured with --cpu-prof). Prints {"requests": n, "seconds": s}.
import { Pool } from 'undici';

const url = process.env.TARGET ?? '';
const connections = Number(process.env.CONNECTIONS ?? 32);
const seconds = Number(process.env.SECONDS ?? 5);
const pool = new Pool(url, { pipelining: 1, connections });
let requests = 0;
const started = performance.now();
const end = started + seconds * 1000;

function once() {
  return new Promise((resolve) =>
    pool.dispatch(
      { path: '/', method: 'GET', headers: [] },
      {
        onConnect() {},
        onHeaders: () => true,
        onData: () => true,
        onComplete() {
          requests += 1;
          resolve();
        },
        onError: () => resolve(),
      },
    ),
  );
}

await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < end) await once();
  }),
);
console.log(JSON.stringify({ requests, seconds: (performance.now() - started) / 1000 }));
await pool.destroy();
