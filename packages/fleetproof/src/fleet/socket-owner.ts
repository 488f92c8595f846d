import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Whether the socket an instance's checks reach is held by that instance's own processes. */
export type ListenerOwnership =
  | { readonly owned: true }
  | { readonly owned: false; readonly reason: string }
  /** Cannot tell on this system (no /proc): the health checks decide alone. */
  | { readonly owned: undefined };

interface Listener {
  readonly address: string;
  readonly inode: string;
}

/**
 * Listening TCP sockets on `port` as seen from `pid`'s network namespace (/proc/<pid>/net/tcp and tcp6),
 * whose local address is `host` or any-address.
 */
export function listenersReaching(pid: number, host: string, port: number): Listener[] | undefined {
  const found: Listener[] = [];
  let readAny = false;
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
      readAny = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const [hexAddress = '', hexPort = ''] = (fields[1] ?? '').split(':');
      if (Number.parseInt(hexPort, 16) !== port) continue;
      const address = decodeAddress(hexAddress);
      if (address === host || address === '0.0.0.0' || address === '::' || address === `::ffff:${host}`)
        found.push({ address, inode: fields[9] as string });
    }
  }
  return readAny ? found : undefined;
}

/** Every TCP port the processes of group `pgid` listen on (any address), from /proc; undefined without /proc. */
export function groupListeningPorts(pgid: number): { address: string; port: number }[] | undefined {
  const inodes = new Set(
    allPids()
      .filter((pid) => processGroupOf(pid) === pgid)
      .flatMap((pid) => [...socketInodes(pid)]),
  );
  const found: { address: string; port: number }[] = [];
  let readAny = false;
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pgid}/net/${file}`, 'utf8');
      readAny = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9] as string)) continue;
      const [hexAddress = '', hexPort = ''] = (fields[1] ?? '').split(':');
      found.push({ address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16) });
    }
  }
  return readAny ? found : undefined;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
    return bytes.reverse().join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255)
    return `::ffff:${bytes.slice(12).join('.')}`;
  if (bytes.every((b) => b === 0)) return '::';
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) in parentheses: state, ppid, pgrp.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[2]);
  } catch {
    return undefined;
  }
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match) inodes.add(match[1] as string);
      } catch {
        // fd closed meanwhile
      }
    }
  } catch {
    // process gone, or not ours to read
  }
  return inodes;
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

function describePid(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return `pid ${pid} (${cmd.slice(0, 80)})`;
  } catch {
    return `pid ${pid}`;
  }
}

/**
 * An instance is in service only when its own processes (its process group, `pgid`) hold the listening socket
 * its checks reach: otherwise another process (an older instance listening on all interfaces, say) would
 * answer the health checks meant for it, and the verdict would be about the wrong process.
 */
export function listenerOwnership(
  pgid: number,
  host: string,
  port: number,
  describeOwner: (pid: number, pgid: number | undefined) => string | undefined = () => undefined,
): ListenerOwnership {
  const listeners = listenersReaching(pgid, host, port);
  if (listeners === undefined) return { owned: undefined };
  if (listeners.length === 0) return { owned: false, reason: `nothing listens on ${host}:${port} yet` };
  const pids = allPids();
  const group = pids.filter((pid) => processGroupOf(pid) === pgid);
  const ours = new Set(group.flatMap((pid) => [...socketInodes(pid)]));
  if (listeners.some((l) => ours.has(l.inode))) return { owned: true };
  const inodes = new Set(listeners.map((l) => l.inode));
  const holder = pids.find(
    (pid) => !group.includes(pid) && [...socketInodes(pid)].some((i) => inodes.has(i)),
  );
  const anyAddress = listeners.some((l) => l.address === '0.0.0.0' || l.address === '::');
  const who =
    holder === undefined
      ? 'another process'
      : (describeOwner(holder, processGroupOf(holder)) ?? describePid(holder));
  return {
    owned: false,
    reason: anyAddress
      ? `${host}:${port} is answered by ${who}, listening on all interfaces: the service ignores HOST and listens on all interfaces`
      : `${host}:${port} is answered by ${who}, not by this instance`,
  };
}
