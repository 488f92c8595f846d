import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { procGroupCpuSeconds } from './proc-cpu.js';

describe('procGroupCpuSeconds', () => {
  it.runIf(process.platform === 'linux')(
    'counts the CPU of every process in the group, children included',
    async () => {
      // A shell (leader, idle) whose child burns 0.7 s of CPU, then idles: reading only the leader would see
      // almost nothing. CPU time, not wall time: on a busy machine 800 ms of wall clock may be 0.4 s of CPU.
      const burn =
        'const u=()=>{const c=process.cpuUsage();return c.user+c.system};while(u()<700000);setTimeout(()=>{},10000)';
      const group = spawn('/bin/sh', ['-c', `${process.execPath} -e "${burn}"; sleep 5`], {
        detached: true,
        stdio: 'ignore',
      });
      const pgid = group.pid ?? 0;
      try {
        let seconds = 0;
        const deadline = Date.now() + 15_000;
        while (seconds <= 0.5 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          seconds = procGroupCpuSeconds(pgid, Date.now() + 1000) ?? 0;
        }
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
