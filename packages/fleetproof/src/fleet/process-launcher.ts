import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { procGroupCpuSeconds } from '../metrics/proc-cpu.js';
import type { CgroupSupport, InstanceCgroup } from './cgroups.js';
import type { Reaper } from './reaper.js';

export interface LaunchSpec {
  readonly id: string;
  readonly appVersion: string;
  readonly host: string;
  readonly port: number;
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
  /** Signals the instance's whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** After exit: removes the cgroup and tells the reaper it is done. */
  cleanup(): void;
}

/** Starts instances; tests may inject another. */
export interface Launcher {
  launch(spec: LaunchSpec): InstanceProcess;
}

export interface ProcessLauncherOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly databaseUrl: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly logDir: string;
  readonly reaper: Reaper;
  readonly cgroups: CgroupSupport;
  readonly terminationGraceMs: number;
}

// Joins the cgroups before exec, so the service and anything it forks are confined from the first instruction.
const JOIN_CGROUPS =
  'IFS=:; for f in $FLEETPROOF_CGROUP_PROCS; do echo $$ > "$f"; done; unset IFS FLEETPROOF_CGROUP_PROCS; exec "$@"';

/** Instances as child processes: each in its own process group, address, log file and (if possible) cgroup. */
export class ProcessLauncher implements Launcher {
  constructor(private readonly options: ProcessLauncherOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  launch(spec: LaunchSpec): InstanceProcess {
    const o = this.options;
    const logFile = join(o.logDir, `${spec.id}.log`);
    const logFd = openSync(logFile, 'a');
    const cgroup: InstanceCgroup | undefined = o.cgroups.create(spec.id, o.cpus, o.memoryMiB);
    const [file, ...args] = cgroup ? ['/bin/sh', '-c', JOIN_CGROUPS, 'sh', ...o.command] : o.command;
    const child = spawn(file as string, args, {
      cwd: o.cwd,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        ...o.env,
        PORT: String(spec.port),
        HOST: spec.host,
        APP_VERSION: spec.appVersion,
        DATABASE_URL: o.databaseUrl,
        INSTANCE_ID: spec.id,
        ...(cgroup ? { FLEETPROOF_CGROUP_PROCS: cgroup.procsFiles.join(':') } : {}),
      },
    });
    closeSync(logFd);
    const pid = child.pid ?? -1;
    if (pid > 0) o.reaper.watchGroup(pid, 'SIGTERM', o.terminationGraceMs);
    for (const procs of cgroup?.procsFiles ?? []) o.reaper.watchCgroup(procs.replace(/\/cgroup\.procs$/, ''));
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
      host: spec.host,
      port: spec.port,
      logFile,
      exited,
      running: () => running,
      cpuSeconds: () => {
        const ns = cgroup?.cpuUsageNs();
        return ns !== undefined ? ns / 1e9 : procGroupCpuSeconds(pid);
      },
      signal: (signal) => {
        try {
          process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      },
      cleanup: () => {
        cgroup?.remove();
        o.reaper.forget(pid);
      },
    };
  }
}
