import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const up = spawn(process.execPath, ['--import', 'tsx', 'bench/servers/hello-upstream.ts'], {
  env: { ...process.env, PORT: '4822' },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await new Promise((r) => up.once('message', r));
const code = (withMetrics: boolean, wantBody: boolean) => `
import { LoadHttpClient } from '/work/main/packages/fleetproof/dist/load/http-client.js';
import { LoadMetrics } from '/work/main/packages/fleetproof/dist/load/load-metrics.js';
import { parentPort } from 'node:worker_threads';
const now = () => performance.timeOrigin + performance.now();
const client = new LoadHttpClient(now); const metrics = new LoadMetrics(now());
let n = 0; const end = Date.now() + 5000;
async function loop() { while (Date.now() < end) { const r = await client.request({ method: 'GET', url: 'http://127.0.0.1:4822/', wantBody: ${wantBody}, timeoutMs: 60000, startAt: now() }); ${withMetrics ? 'metrics.request(r);' : ''} n++; } }
await Promise.all(Array.from({ length: 32 }, loop)); parentPort.postMessage(n / 5);
`;
for (const [m, b] of [
  [false, false],
  [true, false],
  [true, true],
  [false, false],
] as const) {
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code(m, b))}`));
  console.log(
    `LoadHttpClient metrics=${m} wantBody=${b}:`,
    Math.round((await new Promise((r) => w.once('message', r))) as number),
    'req/s',
  );
  await w.terminate();
}
up.kill();
