import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../../../test/databases.js';
import { findFreePort } from '../src/util/free-port.js';
import { isProcessAlive } from '../src/util/process-alive.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const bin = join(repo, 'packages', 'fleetproof', 'bin', 'fleetproof.js');

describe('fleetproof api (what npm start runs)', () => {
  it('migrates, serves, prints the URL, and on SIGINT stops the API and exits 0', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, [bin, 'api', '--port', String(port), '--version', 'V9'], {
      cwd: repo,
      env: { ...process.env, DATABASE_URL: await createEmptyDatabase(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c;
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 25_000;
    while (!output.includes('Ctrl-C to stop') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(output).toContain(`ready       http://127.0.0.1:${port}`);
    expect(output).toMatch(/migrate: migrations: 1 applied, demo users: 3 seeded/);
    const body = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { message: string };
    expect(body.message).toBe('Hello World! V9');
    const apiPid = Number(/\[api (\d+)\]/.exec(output)?.[1]);

    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(output).toContain('stopped');
    expect(isProcessAlive(apiPid)).toBe(false);
  });

  it('rejects a bad option with a usage error naming it', async () => {
    const child = spawn(process.execPath, [bin, 'api', '--port', 'http'], { cwd: repo, env: process.env });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port: got "http", expected 1-65535 [FLEET_ERR_USAGE]');
  });
});
