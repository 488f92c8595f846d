/**
 * Requests per second of one load generator process against the same hello-world server, side by side in one
 * run: fleetproof load (a k6 script, constant VUs, no think time), autocannon and wrk (Debian's, installed
 * here if possible), each with BENCH_CONNECTIONS (32) connections for BENCH_SECONDS (5) s, BENCH_ROUNDS (3)
 * interleaved rounds, medians. Goal (issue 4): fleetproof ≥ 1.0× autocannon. Also run: the undici floor, a
 * loop of bare undici dispatches doing nothing else, the ceiling for any generator built on undici.
 * BENCH_PIN=1 puts the upstream on CPU 1 and each generator on CPU 0 (taskset), so every generator gets one
 * whole core instead of competing with the upstream for two.
 * Run: npm run bench:load
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../packages/fleetproof/src/util/free-port.js';
import { interleavedRounds, median } from './rounds.js';
import { ensureInstalled } from './servers/native-proxies.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const repo = join(import.meta.dirname, '..');
const PIN =
  process.env.BENCH_PIN === '1' && availableParallelism() >= 2 && ensureInstalled('taskset', 'util-linux');
if (process.env.BENCH_PIN === '1' && !PIN)
  console.log('BENCH_PIN: taskset or a second CPU missing; not pinned');
/** The command line, under `taskset -c cpu` when pinning. */
const onCpu = (cpu: number, file: string, args: string[]): [string, string[]] =>
  PIN ? ['taskset', ['-c', String(cpu), file, ...args]] : [file, args];

function run(command: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const [file, args] = onCpu(0, command, argv);
  return new Promise((resolve, reject) =>
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      error && !stdout ? reject(new Error(`${file}: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );
}

const port = await findFreePort();
const upstream = spawn(
  ...onCpu(1, process.execPath, ['--import', 'tsx', join(repo, 'bench/servers/hello-upstream.ts')]),
  {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);
await new Promise((resolve) => upstream.once('message', resolve));
const url = `http://127.0.0.1:${port}/`;

const dir = mkdtempSync(join(tmpdir(), 'fleetproof-bench-load-'));
const script = join(dir, 'hello.js');
writeFileSync(
  script,
  `import http from 'k6/http';\nexport const options = { vus: ${CONNECTIONS}, duration: '${SECONDS}s' };\nexport default function () { http.get(__ENV.TARGET); }\n`,
);

const contenders: { name: string; measure: () => Promise<number> }[] = [
  {
    name: 'fleetproof load',
    measure: async () => {
      const out = await run(
        process.execPath,
        [join(repo, 'packages/fleetproof/bin/fleetproof.js'), 'load', script, '--json'],
        {
          ...process.env,
          TARGET: url,
        },
      );
      const { summary } = JSON.parse(out) as {
        summary: { http_reqs: { count: number }; durationMs: number };
      };
      return summary.http_reqs.count / (summary.durationMs / 1000);
    },
  },
  {
    name: 'autocannon',
    measure: async () => {
      const out = await run(join(repo, 'node_modules/.bin/autocannon'), [
        '-c',
        String(CONNECTIONS),
        '-d',
        String(SECONDS),
        '-j',
        url,
      ]);
      const result = JSON.parse(out) as { requests: { total: number }; duration: number };
      return result.requests.total / result.duration;
    },
  },
];
contenders.push({
  name: 'undici floor',
  measure: async () => {
    const out = await run(process.execPath, [join(repo, 'bench/servers/undici-floor-generator.mjs')], {
      ...process.env,
      TARGET: url,
      CONNECTIONS: String(CONNECTIONS),
      SECONDS: String(SECONDS),
    });
    const { requests, seconds } = JSON.parse(out) as { requests: number; seconds: number };
    return requests / seconds;
  },
});
if (ensureInstalled('wrk', 'wrk')) {
  contenders.push({
    name: 'wrk (1 thread)',
    measure: async () => {
      const out = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, url]);
      return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
    },
  });
} else console.log('wrk: not installed and could not be installed; skipped');

let results: Map<string, number[]>;
try {
  results = await interleavedRounds(ROUNDS, contenders, (c) => c.measure());
} finally {
  upstream.kill('SIGTERM');
}
const autocannon = median(results.get('autocannon') ?? []);
console.log(
  `\n${CONNECTIONS} connections × ${SECONDS} s, medians of ${ROUNDS} interleaved rounds, one process each${PIN ? ', upstream on CPU 1, generator on CPU 0' : ''}\n`,
);
console.log('generator            req/s    vs autocannon   rounds');
for (const [name, values] of results) {
  console.log(
    `${name.padEnd(18)} ${median(values).toFixed(0).padStart(7)}   ${(median(values) / autocannon).toFixed(2).padStart(8)}×   ${values.map((v) => v.toFixed(0)).join(', ')}`,
  );
}
const ours = results.get('fleetproof load') ?? [];
const theirs = results.get('autocannon') ?? [];
// Rounds run back to back, so each round's pair shares the machine's state: their ratio drifts less.
const paired = ours.map((v, i) => v / (theirs[i] ?? Number.NaN));
const ratio = median(ours) / autocannon;
console.log(
  `\nper-round fleetproof/autocannon: ${paired.map((r) => r.toFixed(2)).join(', ')} (median ${median(paired).toFixed(2)}×)`,
);
const floor = median(results.get('undici floor') ?? []);
console.log(
  `fleetproof/undici floor: ${(median(ours) / floor).toFixed(2)}× (what the engine, script and metrics cost over bare undici)`,
);
console.log(
  `goal ≥ 1.0× autocannon (ratio of medians): ${ratio.toFixed(2)}× ${ratio >= 1 ? 'met' : 'NOT met'}`,
);
