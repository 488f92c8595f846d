import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtModuleUrl } from '../load/built-module.js';
import { procGroupCpuSeconds } from '../metrics/proc-cpu.js';
import { connectionAt, type DbConnection } from '../service/connection-env.js';
import type { InstanceAddress } from './addresses.js';
import type { CgroupSupport, InstanceCgroup } from './cgroups.js';
import { namespaceScript } from './namespace-script.js';
import type { Reaper } from './reaper.js';
import { type ListenerOwnership, listenerOwnership } from './socket-owner.js';
import { type Relay, startRelay } from './tcp-relay.js';

export interface LaunchSpec {
  readonly id: string;
  readonly appVersion: string;
  readonly address: InstanceAddress;
  /** Its working directory when not the project's (a release's folder). */
  readonly cwd?: string | undefined;
}

export interface InstanceProcess {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly logFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Cumulative CPU seconds (cgroup accounting, else /proc over its process group); undefined if unknown. */
  cpuSeconds(): number | undefined;
  /** Whether the socket that answers on host:port belongs to this instance's processes. */
  ownsListener(
    describeOwner?: (pid: number, pgid: number | undefined) => string | undefined,
  ): ListenerOwnership;
  /** Signals the instance's whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** After exit: removes the cgroup and the network namespace, and tells the reaper it is done. */
  cleanup(): void;
}

/** Starts instances; tests may inject another. */
export interface Launcher {
  launch(spec: LaunchSpec): InstanceProcess;
}

export interface ProcessLauncherOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  /** Every instance's environment besides PORT/HOST/APP_VERSION/INSTANCE_ID, for a given database view. */
  readonly env: (database: DbConnection | undefined) => Record<string, string>;
  /** The database as the host reaches it; undefined when the service has none. */
  readonly database: DbConnection | undefined;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly logDir: string;
  readonly reaper: Reaper;
  readonly cgroups: CgroupSupport;
  readonly terminationGraceMs: number;
}

// Compiled JavaScript even when this module runs from its TypeScript source (tests): node runs it directly.
const DB_RELAY_MAIN = fileURLToPath(builtModuleUrl('./db-relay-main.js', import.meta.url));
/** Inside a namespace the database is where most services look first. */
const NAMESPACE_DB_PORT = 5432;

/**
 * Instances as child processes: each in its own process group, log file, (if possible) cgroup, and network
 * identity: its own network namespace, or its own port.
 */
export class ProcessLauncher implements Launcher {
  constructor(private readonly options: ProcessLauncherOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  launch(spec: LaunchSpec): InstanceProcess {
    const o = this.options;
    const { host, port, namespace } = spec.address;
    const logFile = join(o.logDir, `${spec.id}.log`);
    const logFd = openSync(logFile, 'a');
    const cgroup: InstanceCgroup | undefined = o.cgroups.create(spec.id, o.cpus, o.memoryMiB);
    // Inside a namespace the database is a relay on 127.0.0.1:5432, which reaches the host's relay on the link.
    const database =
      namespace && o.database ? connectionAt(o.database, '127.0.0.1', NAMESPACE_DB_PORT) : o.database;
    const script = namespaceScript({
      cgroupProcs: cgroup?.procsFiles ?? [],
      namespace,
      instanceAddress: host,
      dbRelay:
        namespace && o.database
          ? { node: process.execPath, main: DB_RELAY_MAIN, port: NAMESPACE_DB_PORT }
          : undefined,
    });
    const [file, ...args] = script ? ['/bin/sh', '-c', script, 'sh', ...o.command] : o.command;
    const child = spawn(file as string, args, {
      cwd: spec.cwd ?? o.cwd,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        ...o.env(database),
        PORT: String(port),
        HOST: host,
        APP_VERSION: spec.appVersion,
        INSTANCE_ID: spec.id,
      },
    });
    closeSync(logFd);
    const pid = child.pid ?? -1;
    if (pid > 0) o.reaper.watchGroup(pid, 'SIGTERM', o.terminationGraceMs);
    for (const procs of cgroup?.procsFiles ?? []) o.reaper.watchCgroup(procs.replace(/\/cgroup\.procs$/, ''));
    if (namespace) o.reaper.watchNamespace(namespace.name, namespace.hostVeth);
    // The host's end of the database link: the address exists once the namespace script has made it.
    let relay: Relay | undefined;
    if (namespace && o.database) {
      relay = startRelay({
        listenHost: namespace.hostAddress,
        listenPort: NAMESPACE_DB_PORT,
        toHost: o.database.host,
        toPort: Number(o.database.port),
        listenRetryMs: 30_000,
      });
    }
    let running = pid > 0;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        running = false;
        resolve({ code, signal });
      });
      child.once('error', () => {
        running = false;
        resolve({ code: null, signal: null });
      });
    });
    return {
      id: spec.id,
      pid,
      host,
      port,
      logFile,
      exited,
      running: () => running,
      cpuSeconds: () => {
        const ns = cgroup?.cpuUsageNs();
        return ns !== undefined ? ns / 1e9 : procGroupCpuSeconds(pid);
      },
      ownsListener: (describe) => listenerOwnership(pid, host, port, describe),
      signal: (signal) => {
        try {
          process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      },
      cleanup: () => {
        // The relay inside the namespace is in the instance's process group: gone with it.
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        void relay?.close();
        cgroup?.remove();
        if (namespace) {
          rmSync(`/etc/netns/${namespace.name}`, { recursive: true, force: true });
          execFile('ip', ['netns', 'del', namespace.name], () => {
            execFile('ip', ['link', 'del', namespace.hostVeth], () => o.reaper.forget(namespace.name));
          });
        }
        o.reaper.forget(pid);
      },
    };
  }
}
