import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `fleetproof aws deploy`'s own rollout code (CloudFormation outputs, the SSM image tag, StartInstanceRefresh and
// its polling, all through the AWS SDK v3) run end to end against `fleetproof up`'s AWS endpoint, on a Python
// service from test/fixtures.
const REPO = join(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'packages', 'fleetproof', 'bin', 'fleetproof.js');
const dir = join(REPO, '.fleetproof', 'user-projects', `aws-local-deploy-${Date.now().toString(36)}`);
let up: ChildProcess | undefined;
let output = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function fleetproof(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: dir,
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1', AWS_REGION: '', AWS_DEFAULT_REGION: '' },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, 'test', 'fixtures', 'hello-python'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'fleetproof.config.ts'),
    `export default {
  service: { name: 'hello', command: ['python3', 'server.py'], port: 4400, version: 'V1', env: { HEALTH_ROUTE: '/health' } },
  instance: { cpus: 0.5, memoryMiB: 256 },
  healthCheck: { path: '/health', healthyThreshold: 2, unhealthyThreshold: 2 },
  balancer: { port: ${await freePort()} },
  scaling: { min: 2, max: 3, enabled: false },
  rollout: { strategy: 'instance-refresh', minHealthyPercent: 100, maxHealthyPercent: 200 },
  aws: { region: 'eu-central-1' },
  timing: { profile: 'fast', fast: { healthCheckGracePeriodSeconds: 2, deregistrationDelaySeconds: 1 } },
};\n`,
  );
});

afterAll(async () => {
  if (up && up.exitCode === null) {
    up.kill('SIGTERM');
    await new Promise((r) => up?.once('exit', r));
  }
});

describe('fleetproof aws deploy --endpoint local', () => {
  it('without a running fleet: says so, with its exit code', async () => {
    const r = await fleetproof('aws', 'deploy', '--endpoint', 'local', '--version', 'V2');
    expect(r.out).toContain('no fleet is running for this project');
    expect(r.code).toBe(8);
  });

  it('rolls the running fleet to the new version through the AWS APIs', async () => {
    up = spawn(process.execPath, [BIN, 'up', '--no-dashboard'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    up.stdout?.on('data', (c: Buffer) => {
      output += c;
    });
    up.stderr?.on('data', (c: Buffer) => {
      output += c;
    });
    const deadline = Date.now() + 60_000;
    while (!/ready: /.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(output).toMatch(/ready: /);
    const r = await fleetproof('aws', 'deploy', '--endpoint', 'local', '--version', 'V2');
    expect(r.out).toContain(
      'account 000000000000 · region eu-central-1 · instance-refresh · endpoint http://127.0.0.1:',
    );
    expect(r.out).toContain('tag     /fleetproof/hello/image-tag = V2');
    expect(r.out).toMatch(/refresh ir-\w+ started on fleetproof-hello \(min 100%, max 200% healthy\)/);
    expect(r.out).toContain('done    Successful');
    expect(r.code, r.out).toBe(0);
    const status = JSON.parse((await fleetproof('status', '--json')).out) as {
      group: { instances: { appVersion: string; lifecycle: string }[] };
    };
    const serving = status.group.instances.filter((i) => i.lifecycle === 'in-service');
    expect(serving.map((i) => i.appVersion)).toEqual(['V2', 'V2']);
  }, 120_000);
});
