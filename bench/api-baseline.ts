/**
 * Baseline figures for one reference-API process (issue 2, item 7):
 *   - cold start: process spawn → first 200 from /health (goal ≤ 1.5 s), median and worst of 5;
 *   - requests per second of GET / and POST / (default CPU work, CPU_MODE=async) with autocannon.
 * Run: npm run bench:api   (builds first; uses its own embedded PostgreSQL in .fleetproof/bench-pg)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startEmbeddedPostgres } from '../packages/fleetproof/src/db/embedded-postgres.js';
import { findFreePort } from '../packages/fleetproof/src/util/free-port.js';

const repo = join(import.meta.dirname, '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

const postgres = await startEmbeddedPostgres({
  dataDir: join(repo, '.fleetproof', 'bench-pg', 'data'),
  port: 0,
});
const databaseUrl = await postgres.ensureDatabase(`bench_${Date.now()}`);
const migrate = spawn(process.execPath, [join(repo, 'apps/api/dist/migrate.js')], {
  env: { ...process.env, DATABASE_URL: databaseUrl },
  stdio: 'inherit',
});
await new Promise((resolve) => migrate.once('exit', resolve));

function startApi(port: number): ChildProcess {
  return spawn(process.execPath, [join(repo, 'apps/api/dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      SHUTDOWN_DELAY_MS: '0',
    },
    stdio: 'ignore',
  });
}

async function coldStartMs(): Promise<number> {
  const port = await findFreePort();
  const started = performance.now();
  const child = startApi(port);
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const starts: number[] = [];
for (let i = 0; i < 5; i++) starts.push(await coldStartMs());
starts.sort((a, b) => a - b);
console.log(
  `cold start to passing /health: median ${starts[2]?.toFixed(0)} ms, worst ${starts[4]?.toFixed(0)} ms ` +
    `(5 runs; goal ≤ 1500 ms)`,
);

const port = await findFreePort();
const api = startApi(port);
while (
  !(await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.ok,
    () => false,
  ))
) {
  await new Promise((r) => setTimeout(r, 20));
}

async function measure(method: 'GET' | 'POST'): Promise<void> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    method,
    connections,
    duration: seconds,
  });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${method} /: ${result.requests.average.toFixed(0)} req/s average, p50 ${result.latency.p50} ms, ` +
      `p99 ${result.latency.p99} ms, ${result.requests.total} requests, ${non2xx} failed ` +
      `(${connections} connections, ${seconds} s)`,
  );
}

await measure('GET');
await measure('POST');
const rows = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { count: number };
console.log(`log rows after the run: ${rows.count}`);
api.kill('SIGTERM');
await new Promise((resolve) => api.once('exit', resolve));
await postgres.stop();
