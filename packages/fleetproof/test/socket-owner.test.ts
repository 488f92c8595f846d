import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { listenerOwnership } from '../src/fleet/socket-owner.js';
import { findFreePort } from '../src/util/free-port.js';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

/** A process of its own group that listens on host:port (or only sleeps, with no host). */
function startProcess(host: string | undefined, port: number): Promise<ChildProcess> {
  const script = host
    ? `require('node:net').createServer().listen(${port}, '${host}', () => console.log('up'))`
    : `console.log('up'); setInterval(() => {}, 1000)`;
  const child = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  running.push(child);
  return new Promise((resolve) => child.stdout?.once('data', () => resolve(child)));
}

describe.runIf(process.platform === 'linux')('who holds the socket an instance’s health checks reach', () => {
  it('is the instance when its own process listens there', async () => {
    const port = await findFreePort();
    const instance = await startProcess('127.0.0.1', port);
    expect(listenerOwnership(instance.pid as number, '127.0.0.1', port)).toEqual({ owned: true });
  });

  it('is not the instance when another process listens on all interfaces: the reason says so', async () => {
    const port = await findFreePort();
    const older = await startProcess('0.0.0.0', port);
    const newer = await startProcess(undefined, port);
    const ownership = listenerOwnership(newer.pid as number, '127.0.0.1', port, (pid) =>
      pid === older.pid ? 'instance i-older' : undefined,
    );
    expect(ownership).toEqual({
      owned: false,
      reason: `127.0.0.1:${port} is answered by instance i-older, listening on all interfaces: the service ignores HOST and listens on all interfaces`,
    });
  });

  it('says when nothing listens yet', async () => {
    const port = await findFreePort();
    const idle = await startProcess(undefined, port);
    expect(listenerOwnership(idle.pid as number, '127.0.0.1', port)).toEqual({
      owned: false,
      reason: `nothing listens on 127.0.0.1:${port} yet`,
    });
  });
});
