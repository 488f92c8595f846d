import { readFileSync } from 'node:fs';

// USER_HZ: the kernel reports process times in 1/100 s on every common Linux build.
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used by a process and its reaped children (utime + stime + cutime + cstime from
 * /proc/<pid>/stat), all threads included; undefined when it is gone or there is no procfs.
 */
export function procCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] … cstime (17) is fields[14].
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks / TICKS_PER_SECOND;
}
