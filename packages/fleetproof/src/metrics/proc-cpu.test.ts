import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { procGroupCpuSeconds } from './proc-cpu.js';

describe('procGroupCpuSeconds', () => {
  it.runIf(process.platform === 'linux')(
    'counts the CPU of every process in the group, children included',
    async () => {
      // A shell (leader, idle) whose child burns CPU: reading only the leader would see almost nothing.
      const group = spawn(
        '/bin/sh',
        ['-c', `${process.execPath} -e "const t=Date.now(); while (Date.now()-t < 800);"; sleep 5`],
        {
          detached: true,
          stdio: 'ignore',
        },
      );
      const pgid = group.pid ?? 0;
      try {
        await new Promise((r) => setTimeout(r, 1200));
        const seconds = procGroupCpuSeconds(pgid, Date.now() + 1000) ?? 0;
        expect(seconds).toBeGreaterThan(0.5);
      } finally {
        process.kill(-pgid, 'SIGKILL');
      }
    },
  );

  it('is undefined for a group with no live member', () => {
    expect(procGroupCpuSeconds(2 ** 22 + 12345, Date.now() + 5000)).toBeUndefined();
  });
});
