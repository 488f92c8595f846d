/**
 * The reaper: a small process fleetproof starts first, in its own process group, holding the other end of a
 * pipe. Lines on stdin register what to clean up; when stdin closes (fleetproof exited, crashed, or was
 * SIGKILLed) it signals everything still registered, waits, SIGKILLs what remains and removes the cgroups.
 *   group <pgid> <SIGNAL> <graceMs>   a process group (an instance and its children)
 *   pid <pid> <SIGNAL> <graceMs>      one process (PostgreSQL's postmaster: it stops its own children)
 *   cgroup <dir>                      a cgroup directory to remove afterwards
 *   netns <name> <hostVeth>           a network namespace (and its link) to delete afterwards
 *   forget <pgid|pid|dir>             cleaned up already
 */
import { execFileSync } from 'node:child_process';
import { rmdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

interface Entry {
  kind: 'group' | 'pid';
  id: number;
  signal: NodeJS.Signals;
  graceMs: number;
}

const processes = new Map<string, Entry>();
const cgroups = new Set<string>();
const namespaces = new Map<string, string>();

const alive = (id: number) => {
  try {
    process.kill(id, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function send(entry: Entry, signal: NodeJS.Signals): void {
  try {
    process.kill(entry.kind === 'group' ? -entry.id : entry.id, signal);
  } catch {
    // Already gone.
  }
}

async function reap(): Promise<void> {
  const entries = [...processes.values()];
  for (const entry of entries) send(entry, entry.signal);
  const deadline = Date.now() + Math.max(0, ...entries.map((e) => e.graceMs));
  while (Date.now() < deadline && entries.some((e) => alive(e.kind === 'group' ? -e.id : e.id))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const entry of entries) send(entry, 'SIGKILL');
  for (const [name, hostVeth] of namespaces) {
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    for (const args of [
      ['netns', 'del', name],
      ['link', 'del', hostVeth],
    ]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore', timeout: 5000 });
      } catch {
        // Gone already.
      }
    }
  }
  for (let attempt = 0; attempt < 20 && cgroups.size > 0; attempt++) {
    for (const dir of [...cgroups]) {
      try {
        rmdirSync(dir);
        cgroups.delete(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') cgroups.delete(dir);
      }
    }
    if (cgroups.size > 0) await new Promise((r) => setTimeout(r, 100));
  }
}

// A terminal Ctrl-C or a stray signal must not stop the reaper before it has done its job.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('SIGHUP', () => {});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [verb, a, b, c] = line.trim().split(/\s+/);
  if ((verb === 'group' || verb === 'pid') && a) {
    processes.set(a, {
      kind: verb,
      id: Number(a),
      signal: (b ?? 'SIGTERM') as NodeJS.Signals,
      graceMs: Number(c ?? 5000),
    });
  } else if (verb === 'cgroup' && a) {
    cgroups.add(a);
  } else if (verb === 'netns' && a && b) {
    namespaces.set(a, b);
  } else if (verb === 'forget' && a) {
    processes.delete(a);
    cgroups.delete(a);
    namespaces.delete(a);
  }
});
lines.on('close', () => {
  void reap().then(() => process.exit(0));
});
