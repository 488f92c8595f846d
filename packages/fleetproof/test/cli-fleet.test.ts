import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/util/free-port.js';
import { isProcessAlive, waitForExit } from '../src/util/process-alive.js';
import { cli, controlInfo, instancePids, up } from './cli-harness.js';
import { REPO, until } from './fleet-harness.js';

const TOY = join(REPO, 'packages', 'fleetproof', 'test', 'fixtures', 'toy-service.mjs');
const projects: string[] = [];
const stopAfter: ChildProcess[] = [];
afterAll(async () => {
  // A test that failed half-way must not leave its fleet running into the next one.
  for (const child of stopAfter) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await waitForExit(child.pid ?? 0, 30_000);
  }
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway project whose fleet runs the toy service (no database needed, so mode url with a dummy). */
async function toyProject(): Promise<{ dir: string; port: number }> {
  mkdirSync(join(REPO, '.fleetproof'), { recursive: true });
  const dir = mkdtempSync(join(REPO, '.fleetproof', 'cli-project-'));
  projects.push(dir);
  const port = await findFreePort();
  writeFileSync(
    join(dir, 'fleetproof.config.ts'),
    `export default {
  service: { name: 'toy', command: ['node', ${JSON.stringify(TOY)}], port: 4100, version: 'V1' },
  database: { mode: 'url', url: 'postgres://toy:toy@127.0.0.1:1/none' },
  instance: { cpus: 1, memoryMiB: 256 },
  healthCheck: { path: '/health', healthyThreshold: 2, unhealthyThreshold: 2 },
  balancer: { port: ${port} },
  scaling: { min: 1, max: 3, enabled: false },
  rollout: { maxFailedLaunches: 2 },
  timing: { profile: 'fast', fast: { healthCheckGracePeriodSeconds: 2, deregistrationDelaySeconds: 1 } },
};\n`,
  );
  return { dir, port };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/**
 * A project in a git repository of its own whose service is its own code: main at the first commit ("hello"),
 * branch `next` one commit on ("howdy"). The build records each run in builds.log, beside the project.
 */
async function gitProject(): Promise<{ dir: string; port: number }> {
  const { dir, port } = await toyProject();
  writeFileSync(
    join(dir, 'server.mjs'),
    `import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
const says = readFileSync('greeting.txt', 'utf8') + ' ' + process.env.APP_VERSION;
const built = existsSync('built.txt') ? readFileSync('built.txt', 'utf8').trim() : 'no';
createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ says, built })))
  .listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`,
  );
  writeFileSync(join(dir, 'greeting.txt'), 'hello');
  writeFileSync(join(dir, '.gitignore'), '.fleetproof/\nbuilt.txt\nbuilds.log\n');
  const config = join(dir, 'fleetproof.config.ts');
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      /command: \[[^\]]*\]/,
      `command: ['node', 'server.mjs'], build: 'echo "building $APP_VERSION"; echo "built $APP_VERSION" > built.txt; echo "$PWD" >> ${join(dir, 'builds.log')}'`,
    ),
  );
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'hello');
  git(dir, 'checkout', '-q', '-b', 'next');
  writeFileSync(join(dir, 'greeting.txt'), 'howdy');
  git(dir, 'commit', '-q', '-am', 'howdy');
  git(dir, 'checkout', '-q', 'main');
  return { dir, port };
}

describe('fleetproof up / status / scale / deploy / down', () => {
  it('drives a running fleet from another process, with the token, and stops it cleanly', async () => {
    const { dir, port } = await toyProject();
    const fleet = up(dir);
    stopAfter.push(fleet.child);
    await until(() => fleet.output().includes('ready:'), 30_000, 'up to be ready');
    expect(fleet.output()).toContain(`listener    http://127.0.0.1:${port}`);
    expect((await (await fetch(`http://127.0.0.1:${port}/`)).json()).message).toBe('Hello World! V1');

    const run = controlInfo(dir);
    expect((await fetch(`${run.controlUrl}/status`)).status).toBe(401);
    expect(
      (await fetch(`${run.controlUrl}/status`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);

    const metrics = await fetch(`${run.controlUrl}/metrics`, {
      headers: { authorization: `Bearer ${run.token}` },
    });
    const text = await metrics.text();
    expect(text).toMatch(/^fleetproof_healthy_host_count 1$/m);
    expect(text).toMatch(
      /^fleetproof_instance_cpu_percent\{instance="i-[0-9a-f]{17}",version="V1"\} [\d.]+$/m,
    );
    expect(text).toContain('fleetproof_requests_total{code="target_2xx"}');

    const status = await cli(dir, 'status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/i-[0-9a-f]{17} {2}V1 {2}[a-z0-9-]+a {2}in-service( \(warming\))? {2}healthy/);
    expect(status.out).toMatch(/^zones [a-z0-9-]+a, [a-z0-9-]+b$/m);

    expect((await cli(dir, 'scale', '--desired', '2')).code).toBe(0);
    const deadline = Date.now() + 20_000;
    while ((await instancePids(dir)).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await instancePids(dir)).toHaveLength(2);
    const tooMany = await cli(dir, 'scale', '--desired', '9');
    expect(tooMany.code).toBe(2);
    expect(tooMany.out).toContain('desired capacity: got 9, expected a whole number from 1 to 3');

    const deploy = await cli(dir, 'deploy', '--version', 'V2');
    expect(deploy.code, deploy.out).toBe(0);
    expect(deploy.out).toContain('deployed V2');
    expect((await (await fetch(`http://127.0.0.1:${port}/`)).json()).message).toBe('Hello World! V2');

    const runDir = join(dir, '.fleetproof', 'runs', run.runId);
    const events = readFileSync(join(runDir, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e: { reason: string }) => e.reason)).toEqual(
      expect.arrayContaining([
        'LaunchToDesired',
        'InstanceInService',
        'ManualScale',
        'RefreshStarted',
        'RefreshSuccessful',
      ]),
    );
    const series = readFileSync(join(runDir, 'series.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(series.length).toBeGreaterThan(3);
    expect(series.some((p: { healthy: number; desired: number }) => p.healthy === 2 && p.desired === 2)).toBe(
      true,
    );
    expect(series.some((p: { targets: unknown[] }) => p.targets.length === 2)).toBe(true);
    expect(series.some((p: { rps: number }) => p.rps > 0)).toBe(true);

    const pids = await instancePids(dir);
    const down = await cli(dir, 'down');
    expect(down.code).toBe(0);
    expect(await waitForExit(fleet.child.pid ?? 0, 30_000)).toBe(true);
    expect(fleet.child.exitCode).toBe(0);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
  }, 120_000);

  it('deploy exits 7 when the new version fails its health checks, and rolls back', async () => {
    const { dir, port } = await toyProject();
    const fleet = up(dir);
    stopAfter.push(fleet.child);
    try {
      await until(() => fleet.output().includes('ready:'), 30_000, 'up to be ready');
      const deploy = await cli(dir, 'deploy', '--version', 'BROKEN1');
      expect(deploy.code, deploy.out).toBe(7);
      expect(deploy.out).toContain('rolled-back');
      expect(deploy.out).toContain('[FLEET_ERR_DEPLOY_FAILED]');
      // The old version kept serving throughout, and still does.
      expect((await (await fetch(`http://127.0.0.1:${port}/`)).json()).message).toBe('Hello World! V1');
    } finally {
      await cli(dir, 'down');
      await waitForExit(fleet.child.pid ?? 0, 30_000);
    }
  }, 120_000);

  it('deploy --ref launches the commit built once under .fleetproof/releases, APP_VERSION its short sha', async () => {
    const { dir, port } = await gitProject();
    const fleet = up(dir);
    stopAfter.push(fleet.child);
    try {
      await until(() => fleet.output().includes('ready:'), 30_000, 'up to be ready');
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).json()).toEqual({
        says: 'hello V1',
        built: 'no',
      });
      const next = git(dir, 'rev-parse', 'next');
      const deploy = await cli(dir, 'deploy', '--ref', 'next');
      expect(deploy.code, deploy.out).toBe(0);
      expect(deploy.out).toMatch(new RegExp(`release ${next.slice(0, 7)} \\(next\\): checking out`));
      expect(deploy.out).toContain(`build │ building ${next.slice(0, 7)}`);
      expect(deploy.out).toContain(`deployed ${next.slice(0, 7)}`);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).json()).toEqual({
        says: `howdy ${next.slice(0, 7)}`,
        built: `built ${next.slice(0, 7)}`,
      });
      const status = JSON.parse((await cli(dir, 'status', '--json')).out);
      expect(status.group.instances.map((i: { release?: string }) => i.release)).toEqual([next]);
      // The project's own folder is untouched: still the first commit, never built.
      expect(readFileSync(join(dir, 'greeting.txt'), 'utf8')).toBe('hello');

      // The same commit again under another name: the cached release, not a second build.
      const again = await cli(dir, 'deploy', '--ref', next, '--version', 'V3');
      expect(again.code, again.out).toBe(0);
      expect(again.out).toContain('cached');
      expect(again.out).not.toContain('build │');
      expect((await (await fetch(`http://127.0.0.1:${port}/`)).json()).says).toBe('howdy V3');
      expect(readFileSync(join(dir, 'builds.log'), 'utf8').trim().split('\n')).toHaveLength(1);

      const unknown = await cli(dir, 'deploy', '--ref', 'no-such-ref');
      expect(unknown.code).toBe(2);
      expect(unknown.out).toContain('--ref: got "no-such-ref", expected a commit, branch or tag');

      // Only a folder deploy --ref made can become instances' working directory.
      const info = controlInfo(dir);
      const forged = await fetch(`${info.controlUrl}/deploy`, {
        method: 'POST',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: 'X', release: { sha: 'a'.repeat(40), root: '/tmp' } }),
      });
      expect(forged.status).toBe(400);
      expect((await forged.json()).error).toContain('expected a release folder under');
    } finally {
      await cli(dir, 'down');
      await waitForExit(fleet.child.pid ?? 0, 30_000);
    }
  }, 120_000);

  it('fault hang: the SIGSTOPped instance is marked unhealthy within the bound, terminated and replaced', async () => {
    const { dir, port } = await toyProject();
    const fleet = up(dir);
    stopAfter.push(fleet.child);
    try {
      await until(() => fleet.output().includes('ready:'), 30_000, 'up to be ready');
      expect((await cli(dir, 'scale', '--desired', '2')).code).toBe(0);
      const deadline = Date.now() + 20_000;
      while ((await instancePids(dir)).length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const [victim] = JSON.parse((await cli(dir, 'status', '--json')).out).group.instances.map(
        (i: { id: string }) => i.id,
      );
      const hang = await cli(dir, 'fault', 'hang', '--instance', victim);
      expect(hang.code, hang.out).toBe(0);
      const bound = Number(/within ([\d.]+) s \(unhealthy threshold/.exec(hang.out)?.[1]);
      const detected = Number(/unhealthy after ([\d.]+) s \(bound/.exec(hang.out)?.[1]);
      expect(detected).toBeGreaterThan(0);
      expect(detected).toBeLessThanOrEqual(bound);
      expect(hang.out).toMatch(
        new RegExp(`${victim} unhealthy after .* terminated after [\\d.]+ s, replaced after [\\d.]+ s`),
      );
      // The fleet still serves, without the hung instance.
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      const ids = JSON.parse((await cli(dir, 'status', '--json')).out).group.instances.map(
        (i: { id: string }) => i.id,
      );
      expect(ids).not.toContain(victim);
      const wrong = await cli(dir, 'fault', 'hang', '--instance', 'i-nope');
      expect(wrong.code).toBe(2);
      expect(wrong.out).toContain('--instance: got "i-nope", expected a running instance');
    } finally {
      await cli(dir, 'down');
      await waitForExit(fleet.child.pid ?? 0, 30_000);
    }
  }, 120_000);

  it('leaves no orphan process when fleetproof itself is SIGKILLed', async () => {
    const { dir } = await toyProject();
    const fleet = up(dir);
    await until(() => fleet.output().includes('ready:'), 30_000, 'up to be ready');
    const pids = await instancePids(dir);
    expect(pids.length).toBe(1);
    fleet.child.kill('SIGKILL');
    for (const pid of pids) expect(await waitForExit(pid, 15_000)).toBe(true);
  }, 60_000);

  it('commands against no running fleet fail with a clear message', async () => {
    const { dir } = await toyProject();
    const result = await cli(dir, 'status');
    expect(result.code).toBe(8);
    expect(result.out).toContain(
      'no fleet is running for this project: start one with `npx fleetproof up` [FLEET_ERR_NOT_RUNNING]',
    );
  });
});
