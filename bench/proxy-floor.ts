/**
 * Where a Node proxy's added latency goes, on this machine: the latency probe of bench/balancer.ts (sequential
 * requests on one keep-alive connection, hrtime) through proxies built from fewer and fewer parts, probes
 * alternating one request to each, so all see the same moments of a noisy machine.
 *   tcp pipe                      node:net, bytes copied both ways, no HTTP at all
 *   http server + raw upstream    Node's HTTP server, the upstream's bytes copied back unparsed (no HTTP client)
 *   hand-written client sketch    Node's HTTP server + a minimal JS upstream client (servers/lean-client-sketch.ts:
 *                                 Content-Length framing only, no timeouts or errors)
 *   bare undici proxy             Node's HTTP server + undici Pool.dispatch, nothing else
 *   fleetproof                    the balancer (ALB checks, X-Forwarded-*, trace id, metrics, its own upstream client)
 * "added p50" = p50 through it − p50 direct. BENCH_PROBES (3000) per contender per run, BENCH_ROUNDS (3) runs;
 * medians of the runs. It explains issue 3's latency goal (added p50 ≤ 0.3 ms); bench:balancer judges it.
 * Run: npm run bench:proxy-floor
 */
import type { ChildProcess } from 'node:child_process';
import { findFreePort } from '../packages/fleetproof/src/util/free-port.js';
import { alternatingProbes, quantile } from './latency-probe.js';
import { median } from './rounds.js';
import { startNode } from './servers/start-node.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 300;

const contenders = [
  { name: 'tcp pipe', file: 'tcp-pipe.ts' },
  { name: 'http server + raw upstream', file: 'http-server-raw-upstream.ts' },
  { name: 'hand-written client sketch', file: 'lean-client-sketch.ts' },
  { name: 'bare undici proxy', file: 'bare-variant.ts' },
  { name: 'fleetproof', file: 'fleetproof-proxy.ts' },
];

async function run(upstreamPort: number): Promise<Map<string, number>> {
  const children: ChildProcess[] = [];
  try {
    const ports = [upstreamPort];
    for (const c of contenders) {
      const port = await findFreePort();
      children.push(
        await startNode(c.file, { PORT: String(port), UPSTREAM_PORT: String(upstreamPort), V: '' }),
      );
      ports.push(port);
    }
    const [direct = [], ...through] = await alternatingProbes(ports, WARMUP, PROBES);
    const directP50 = quantile(direct, 0.5);
    return new Map(contenders.map((c, i) => [c.name, quantile(through[i] ?? [], 0.5) - directP50]));
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

const upstreamPort = await findFreePort();
const upstream = await startNode('hello-upstream.ts', { PORT: String(upstreamPort) });
const runs: Map<string, number>[] = [];
try {
  for (let r = 1; r <= ROUNDS; r++) {
    process.stdout.write(
      `run ${r}/${ROUNDS}: ${PROBES} probes through each of ${contenders.length} proxies…\n`,
    );
    runs.push(await run(upstreamPort));
  }
} finally {
  upstream.kill('SIGTERM');
}

console.log(`\nadded p50 latency (ms), median of ${ROUNDS} runs, each run's figures in brackets\n`);
for (const c of contenders) {
  const each = runs.map((m) => m.get(c.name) ?? 0);
  console.log(
    `${c.name.padEnd(28)} ${median(each).toFixed(3)}   [${each.map((v) => v.toFixed(3)).join(', ')}]`,
  );
}
// Not the goal's measurement: here five proxies run at once and share the caches; bench:balancer runs each alone.
console.log(
  '\n(the latency goal of issue 3 is judged by npm run bench:balancer, where each proxy runs alone)',
);
