import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: the kernel reports process times in 1/100 s on every common Linux build.
const TICKS_PER_SECOND = 100;
// One /proc scan serves every instance sampled in the same second.
const SCAN_TTL_MS = 500;

let scannedAt = 0;
let byGroup = new Map<number, number>();

/**
 * CPU seconds used by a process group (an instance and every process it started: fleetproof gives each
 * instance its own group): the sum over live members of utime + stime + cutime + cstime from
 * /proc/<pid>/stat, all threads included; children that already exited are in their parent's cutime/cstime.
 * undefined when no member is alive or there is no procfs.
 */
export function procGroupCpuSeconds(pgid: number, now = Date.now()): number | undefined {
  if (now - scannedAt > SCAN_TTL_MS) {
    byGroup = scanProc();
    scannedAt = now;
  }
  return byGroup.get(pgid);
}

function scanProc(): Map<number, number> {
  const totals = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return totals;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): pgrp (5) is fields[2], utime (14) … cstime (17) are fields[11..14].
    const pgrp = Number(fields[2]);
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    totals.set(pgrp, (totals.get(pgrp) ?? 0) + ticks / TICKS_PER_SECOND);
  }
  return totals;
}
