/**
 * Balancer throughput and latency against a hello-world upstream, side by side in one run:
 * direct to the upstream, through fleetproof, through @fastify/http-proxy, and through nginx and HAProxy when
 * installed from Debian (installed here if possible). Each server runs in its own process.
 *   throughput: autocannon, BENCH_CONNECTIONS (32) connections for BENCH_SECONDS (5) s after 1 s of warm-up;
 *   latency:    BENCH_PROBES (2000) sequential requests on one keep-alive connection per server, timed with
 *               hrtime, alternating one direct and one through the contender, so both see the same moment of
 *               the machine; "added p50" = p50 through the contender − p50 direct, from the same probe.
 * Two cores carry the load generator, the upstream and the proxy at once, so one run varies by ±20%: every
 * contender is measured BENCH_ROUNDS (3) times, rounds interleaved, and the medians are reported.
 * BENCH_BARE=1 adds a bare undici proxy (the floor for a Node proxy here); BENCH_VARIANTS=server,pool,dispatch,close,headers
 * adds it with one of fleetproof's settings at a time (see servers/bare-variant.ts).
 * Goals (issue 3): ≥ 1.3× @fastify/http-proxy throughput; p50 added latency ≤ 0.3 ms.
 * Run: npm run bench:balancer
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { findFreePort } from '../packages/fleetproof/src/util/free-port.js';
import { alternatingProbes, quantile } from './latency-probe.js';
import { interleavedRounds, median } from './rounds.js';
import { ensureInstalled, startHaproxy, startNginx } from './servers/native-proxies.js';
import { startNode } from './servers/start-node.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PROBES = Number(process.env.BENCH_PROBES ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  probeP50: number;
  probeP99: number;
  /** p50 through this contender − p50 direct, from one alternating probe. */
  addedP50: number;
  errors: number;
}

async function measure(name: string, port: number, directPort: number): Promise<Result> {
  const url = `http://127.0.0.1:${port}/`;
  await autocannon({ url, connections: CONNECTIONS, duration: 1 });
  const run = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  const [through = [], baseline = []] = await alternatingProbes([port, directPort], 50, PROBES);
  return {
    name,
    rps: run.requests.average,
    p50: run.latency.p50,
    p99: run.latency.p99,
    probeP50: quantile(through, 0.5),
    probeP99: quantile(through, 0.99),
    addedP50: quantile(through, 0.5) - quantile(baseline, 0.5),
    errors: run.errors + run.non2xx + run.timeouts,
  };
}

const upstreamPort = await findFreePort();
const upstream = await startNode('hello-upstream.ts', { PORT: String(upstreamPort) });
const tmp = mkdtempSync(join(tmpdir(), 'fleetproof-bench-'));

interface Contender {
  name: string;
  start?: (port: number) => Promise<ChildProcess> | ChildProcess;
}
const contenders: Contender[] = [
  { name: 'direct' },
  {
    name: 'fleetproof',
    start: (port) =>
      startNode('fleetproof-proxy.ts', { PORT: String(port), UPSTREAM_PORT: String(upstreamPort) }),
  },
  ...(process.env.BENCH_VARIANTS ?? '')
    .split(',')
    .filter(Boolean)
    .map((variant) => ({
      name: `bare+${variant}`,
      start: (port: number) =>
        startNode('bare-variant.ts', { PORT: String(port), UPSTREAM_PORT: String(upstreamPort), V: variant }),
    })),
  ...(process.env.BENCH_BARE
    ? [
        {
          name: 'bare undici proxy',
          start: (port: number) =>
            startNode('bare-variant.ts', { PORT: String(port), UPSTREAM_PORT: String(upstreamPort), V: '' }),
        },
      ]
    : []),
  {
    name: '@fastify/http-proxy',
    start: (port) =>
      startNode('fastify-proxy.ts', { PORT: String(port), UPSTREAM_PORT: String(upstreamPort) }),
  },
];
if (ensureInstalled('nginx', 'nginx-light')) {
  contenders.push({
    name: 'nginx (1 worker)',
    start: (port) => startNginx(join(tmp, 'nginx'), port, upstreamPort),
  });
} else console.log('nginx: not installed and could not be installed; skipped');
if (ensureInstalled('haproxy', 'haproxy')) {
  contenders.push({
    name: 'HAProxy (1 thread)',
    start: (port) => startHaproxy(join(tmp, 'haproxy'), port, upstreamPort),
  });
} else console.log('HAProxy: not installed and could not be installed; skipped');

let runs: Map<string, Result[]>;
try {
  runs = await interleavedRounds(ROUNDS, contenders, async (c) => {
    if (!c.start) return measure(c.name, upstreamPort, upstreamPort);
    const port = await findFreePort();
    const child = await c.start(port);
    try {
      await waitForPort(port);
      return await measure(c.name, port, upstreamPort);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
    }
  });
} finally {
  upstream.kill('SIGTERM');
}

const results: Result[] = contenders.map((c) => {
  const rs = runs.get(c.name) ?? [];
  return {
    name: c.name,
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    probeP50: median(rs.map((r) => r.probeP50)),
    probeP99: median(rs.map((r) => r.probeP99)),
    addedP50: median(rs.map((r) => r.addedP50)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  };
});
const direct = results[0] as Result;
const fastify = results.find((r) => r.name === '@fastify/http-proxy');
const fleet = results.find((r) => r.name === 'fleetproof');
console.log(
  `\nmedians of ${ROUNDS} interleaved rounds; ${CONNECTIONS} connections × ${SECONDS} s (autocannon); ` +
    `latency probe: ${PROBES} sequential requests on 1 connection\n`,
);
console.log(
  'contender              req/s    p50 ms  p99 ms   probe p50  probe p99  added p50  vs fastify  errors',
);
for (const r of results) {
  const added = r === direct ? '' : `${r.addedP50.toFixed(3)} ms`;
  const ratio = fastify ? `${(r.rps / fastify.rps).toFixed(2)}×` : '';
  console.log(
    `${r.name.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ` +
      `${r.probeP50.toFixed(3).padStart(9)}  ${r.probeP99.toFixed(3).padStart(9)}  ${added.padStart(9)}  ${ratio.padStart(10)}  ${r.errors}`,
  );
}
console.log(
  `fleetproof req/s per round: ${(runs.get('fleetproof') ?? []).map((r) => r.rps.toFixed(0)).join(', ')}; ` +
    `@fastify/http-proxy: ${(runs.get('@fastify/http-proxy') ?? []).map((r) => r.rps.toFixed(0)).join(', ')}`,
);
if (fleet && fastify) {
  const ratio = fleet.rps / fastify.rps;
  const added = fleet.addedP50;
  console.log(
    `\ngoal ≥ 1.3× @fastify/http-proxy throughput: ${ratio.toFixed(2)}× ${ratio >= 1.3 ? 'met' : 'NOT met'}`,
  );
  console.log(`goal p50 added latency ≤ 0.3 ms: ${added.toFixed(3)} ms ${added <= 0.3 ? 'met' : 'NOT met'}`);
}
