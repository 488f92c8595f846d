/**
 * Load generators side by side on one hello-world server, one run, each generator one process pinned to
 * CPU 0 (the server on CPU 1) when the machine has two, CPU per request from the process's own rusage:
 *
 * A. Closed loop, BENCH_CONNECTIONS (32) connections for BENCH_SECONDS (5) s, BENCH_ROUNDS (3) interleaved
 *    rounds, medians: fleetproof on a k6 script, fleetproof on a native scenario (an Artillery-shaped test,
 *    32 virtual users looping GETs), autocannon, wrk. Goals: fleetproof's req/s ≥ 1.0× autocannon and its CPU
 *    per request ≤ autocannon's.
 * B. Open model, one Artillery YAML (each virtual user 50 GETs): the highest arrival rate fleetproof and
 *    Artillery itself (npm `artillery`, installed with --ignore-scripts under bench/.artillery) each sustain
 *    for BENCH_PHASE_SECONDS (6) s with every arrival started on time and completed. Goal: fleetproof ≥ 10×.
 * Run: npm run bench:load
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../packages/fleetproof/src/util/free-port.js';
import { artilleryBin, haveGnuTime, highestSustained, measured } from './load-generator-tools.js';
import { interleavedRounds, median } from './rounds.js';
import { ensureInstalled } from './servers/native-proxies.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 6);
const GETS_PER_VU = 50;
const repo = join(import.meta.dirname, '..');
const fleetproof = join(repo, 'packages/fleetproof/bin/fleetproof.js');
if (!haveGnuTime())
  throw new Error('bench:load needs GNU time (/usr/bin/time, Debian package "time") for the CPU figures');
const pinned = availableParallelism() >= 2 && ensureInstalled('taskset', 'util-linux');
const CPU = pinned ? 0 : undefined;

const port = await findFreePort();
const server = spawn(
  ...((pinned
    ? [
        'taskset',
        ['-c', '1', process.execPath, '--import', 'tsx', join(repo, 'bench/servers/hello-upstream.ts')],
      ]
    : [process.execPath, ['--import', 'tsx', join(repo, 'bench/servers/hello-upstream.ts')]]) as [
    string,
    string[],
  ]),
  { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
await new Promise((resolve) => server.once('message', resolve));
const url = `http://127.0.0.1:${port}/`;
const dir = mkdtempSync(join(tmpdir(), 'fleetproof-bench-load-'));

interface Result {
  rps: number;
  cpuUsPerRequest: number;
}
const perRequest = (requests: number, seconds: number, cpuSeconds: number): Result => ({
  rps: requests / seconds,
  cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, requests),
});
const fleetproofSummary = (stdout: string) =>
  (
    JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      summary: {
        http_reqs: { count: number };
        durationMs: number;
        dropped_iterations: number;
        vusers: { created: number; completed: number };
        http_req_failed: { passes: number };
      };
    }
  ).summary;

const k6Script = join(dir, 'hello.js');
writeFileSync(
  k6Script,
  `import http from 'k6/http';\nexport const options = { vus: ${CONNECTIONS}, duration: '${SECONDS}s' };\nexport default function () { http.get(__ENV.TARGET); }\n`,
);
/**
 * A native scenario: CONNECTIONS virtual users at once (all arrive within 50 ms, as autocannon opens its
 * connections: spread over a second, the first and last second ran at half the concurrency), each looping
 * `count` GETs (sized from the k6 rate).
 */
const nativeScenario = (count: number) => {
  const path = join(dir, `native-${count}.yml`);
  writeFileSync(
    path,
    `config:\n  target: ${url.slice(0, -1)}\n  phases: [{ duration: 0.05, arrivalCount: ${CONNECTIONS} }]\nscenarios:\n  - flow:\n      - loop:\n          - get: { url: / }\n        count: ${count}\n`,
  );
  return path;
};
/** The native run's GETs per user: sized from the fastest rate seen so far so that it lasts ~SECONDS too. */
let sizingRate = 0;
const loopCount = () => Math.max(200, Math.round((sizingRate * SECONDS) / CONNECTIONS));

const contenders: { name: string; measure: () => Promise<Result> }[] = [
  {
    name: 'fleetproof (k6 script)',
    measure: async () => {
      const run = await measured(process.execPath, [fleetproof, 'load', k6Script, '--json'], {
        env: { ...process.env, TARGET: url },
        cpu: CPU,
      });
      const s = fleetproofSummary(run.stdout);
      const result = perRequest(s.http_reqs.count, s.durationMs / 1000, run.cpuSeconds);
      sizingRate = Math.max(sizingRate, result.rps);
      return result;
    },
  },
  {
    name: 'fleetproof (native scenario)',
    measure: async () => {
      const run = await measured(
        process.execPath,
        [fleetproof, 'load', nativeScenario(loopCount()), '--json'],
        { cpu: CPU },
      );
      const s = fleetproofSummary(run.stdout);
      const result = perRequest(s.http_reqs.count, s.durationMs / 1000, run.cpuSeconds);
      sizingRate = Math.max(sizingRate, result.rps);
      return result;
    },
  },
  {
    name: 'autocannon',
    measure: async () => {
      const run = await measured(
        join(repo, 'node_modules/.bin/autocannon'),
        ['-c', String(CONNECTIONS), '-d', String(SECONDS), '-j', url],
        { cpu: CPU },
      );
      const r = JSON.parse(run.stdout) as { requests: { total: number }; duration: number };
      return perRequest(r.requests.total, r.duration, run.cpuSeconds);
    },
  },
];
if (ensureInstalled('wrk', 'wrk')) {
  contenders.push({
    name: 'wrk (1 thread)',
    measure: async () => {
      const run = await measured('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, url], { cpu: CPU });
      const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1] ?? 0);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? 0);
      return perRequest(requests, rps > 0 ? requests / rps : SECONDS, run.cpuSeconds);
    },
  });
} else console.log('wrk: not installed and could not be installed; skipped');

// B: one Artillery YAML, the highest arrival rate each generator sustains.
const artilleryYaml = (rate: number) => {
  const path = join(dir, `open-${rate}.yml`);
  writeFileSync(
    path,
    `config:\n  target: ${url.slice(0, -1)}\n  phases: [{ duration: ${PHASE_SECONDS}, arrivalRate: ${rate} }]\nscenarios:\n  - flow:\n      - loop:\n          - get: { url: / }\n        count: ${GETS_PER_VU}\n`,
  );
  return path;
};
const SLACK_S = 2;
const sustained: { name: string; rate: number; rps: number; cpuUsPerRequest: number }[] = [];
async function searchFleetproof(): Promise<void> {
  let best: Result = { rps: 0, cpuUsPerRequest: 0 };
  const rate = await highestSustained(4, 4, async (r) => {
    const run = await measured(process.execPath, [fleetproof, 'load', artilleryYaml(r), '--json'], {
      cpu: CPU,
    }).catch(() => undefined);
    if (!run) return false;
    const s = fleetproofSummary(run.stdout);
    const planned = r * PHASE_SECONDS;
    // Every arrival started (none dropped), completed, and the run ended on time: no late arrivals.
    const ok =
      s.dropped_iterations === 0 &&
      s.vusers.completed === planned &&
      s.http_req_failed.passes === 0 &&
      s.durationMs / 1000 <= PHASE_SECONDS + SLACK_S;
    console.log(
      `  fleetproof at ${r} arrivals/s: ${ok ? 'sustained' : 'not sustained'} (${s.vusers.completed}/${planned} completed, ${s.dropped_iterations} dropped, ${(s.durationMs / 1000).toFixed(1)} s)`,
    );
    if (ok) best = perRequest(s.http_reqs.count, s.durationMs / 1000, run.cpuSeconds);
    return ok;
  });
  sustained.push({ name: 'fleetproof', rate, ...best });
}
async function searchArtillery(bin: string): Promise<void> {
  let best: Result = { rps: 0, cpuUsPerRequest: 0 };
  const rate = await highestSustained(2, 4, async (r) => {
    const report = join(dir, `artillery-${r}.json`);
    const run = await measured(
      process.execPath,
      [bin, 'run', '--quiet', '--output', report, artilleryYaml(r)],
      { cpu: CPU, env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } },
    ).catch(() => undefined);
    if (!run) return false;
    const agg = (
      JSON.parse(readFileSync(report, 'utf8')) as {
        aggregate: { counters: Record<string, number>; firstCounterAt: number; lastCounterAt: number };
      }
    ).aggregate;
    const planned = r * PHASE_SECONDS;
    const seconds = (agg.lastCounterAt - agg.firstCounterAt) / 1000;
    const requests = agg.counters['http.requests'] ?? 0;
    const ok =
      (agg.counters['vusers.completed'] ?? 0) === planned &&
      (agg.counters['vusers.failed'] ?? 0) === 0 &&
      seconds <= PHASE_SECONDS + SLACK_S;
    console.log(
      `  artillery at ${r} arrivals/s: ${ok ? 'sustained' : 'not sustained'} (${agg.counters['vusers.completed'] ?? 0}/${planned} completed, ${seconds.toFixed(1)} s)`,
    );
    // CPU per request counts the whole process, start-up included, as a user pays it.
    if (ok) best = perRequest(requests, Math.max(seconds, 0.001), run.cpuSeconds);
    return ok;
  });
  sustained.push({ name: 'Artillery', rate, ...best });
}

let closed: Map<string, Result[]>;
try {
  closed = await interleavedRounds(ROUNDS, contenders, (c) => c.measure());
  console.log(
    `\nB: the highest arrival rate sustained on one Artillery YAML (${GETS_PER_VU} GETs per virtual user, ${PHASE_SECONDS} s)`,
  );
  await searchFleetproof();
  const bin = artilleryBin(repo);
  if (bin) await searchArtillery(bin);
  else console.log('artillery: could not be installed from npm; skipped');
} finally {
  server.kill('SIGTERM');
}

const med = (rs: Result[] | undefined, key: keyof Result) => median((rs ?? []).map((r) => r[key]));
const where = pinned ? 'each generator on CPU 0, the server on CPU 1' : 'not pinned (one CPU)';
console.log(
  `\nA: ${CONNECTIONS} connections × ${SECONDS} s, medians of ${ROUNDS} interleaved rounds, ${where}\n`,
);
console.log('generator                        req/s   CPU µs/req   vs autocannon (req/s, CPU)');
const ac = closed.get('autocannon');
for (const [name, rs] of closed) {
  console.log(
    `${name.padEnd(30)} ${med(rs, 'rps').toFixed(0).padStart(7)}   ${med(rs, 'cpuUsPerRequest').toFixed(1).padStart(10)}   ${(med(rs, 'rps') / med(ac, 'rps')).toFixed(2)}×, ${(med(rs, 'cpuUsPerRequest') / med(ac, 'cpuUsPerRequest')).toFixed(2)}×`,
  );
}
console.log(`\nB: one Artillery YAML, ${where}\n`);
console.log('generator        arrivals/s   req/s   CPU µs/req');
for (const s of sustained)
  console.log(
    `${s.name.padEnd(16)} ${String(s.rate).padStart(10)} ${s.rps.toFixed(0).padStart(7)}   ${s.cpuUsPerRequest.toFixed(1).padStart(10)}`,
  );

const goals: [string, boolean][] = [];
for (const name of ['fleetproof (k6 script)', 'fleetproof (native scenario)']) {
  const rs = closed.get(name);
  goals.push([
    `${name}: req/s ≥ 1.0× autocannon (${(med(rs, 'rps') / med(ac, 'rps')).toFixed(2)}×)`,
    med(rs, 'rps') >= med(ac, 'rps'),
  ]);
  goals.push([
    `${name}: CPU per request ≤ autocannon's (${med(rs, 'cpuUsPerRequest').toFixed(1)} vs ${med(ac, 'cpuUsPerRequest').toFixed(1)} µs)`,
    med(rs, 'cpuUsPerRequest') <= med(ac, 'cpuUsPerRequest'),
  ]);
}
const ours = sustained.find((s) => s.name === 'fleetproof');
const theirs = sustained.find((s) => s.name === 'Artillery');
if (ours && theirs)
  goals.push([
    `Artillery YAML: fleetproof ≥ 10× Artillery's sustained rate (${(ours.rate / Math.max(1, theirs.rate)).toFixed(1)}×)`,
    ours.rate >= 10 * theirs.rate,
  ]);
console.log('\ngoals');
for (const [label, met] of goals) console.log(`  ${met ? 'met    ' : 'NOT met'}  ${label}`);
