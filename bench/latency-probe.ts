import { Client } from 'undici';

/** One GET / on the client's keep-alive connection, body read, timed with hrtime; milliseconds. */
async function timedGet(client: Client): Promise<number> {
  const start = process.hrtime.bigint();
  const { body } = await client.request({ path: '/', method: 'GET' });
  await body.arrayBuffer();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The benchmarks' latency probe: sequential requests to each port in turn (one connection per port), so every
 * server sees the same moments of a noisy machine. `warmup` turns are discarded, then `probes` turns kept.
 * Returns the samples (ms) per port, in the order given.
 */
export async function alternatingProbes(
  ports: readonly number[],
  warmup: number,
  probes: number,
): Promise<number[][]> {
  const clients = ports.map((port) => new Client(`http://127.0.0.1:${port}`, { pipelining: 1 }));
  const samples = ports.map((): number[] => []);
  try {
    for (let turn = 0; turn < warmup + probes; turn++) {
      for (const [i, client] of clients.entries()) {
        const ms = await timedGet(client);
        if (turn >= warmup) samples[i]?.push(ms);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return samples;
}

/** The q-quantile (0..1) of the samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
