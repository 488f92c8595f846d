import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A cgroup (v1) per instance: CPU quota as Docker's --cpus, a memory limit, and CPU accounting. */
export interface InstanceCgroup {
  /** cgroup.procs files the instance's first process writes its pid into (before exec), so children inherit. */
  readonly procsFiles: readonly string[];
  /** Total CPU time used by every process in the cgroup, nanoseconds. */
  cpuUsageNs(): number | undefined;
  remove(): void;
}

export interface CgroupSupport {
  readonly available: boolean;
  /** Why not, in a sentence for the user. */
  readonly reason: string;
  create(name: string, cpus: number, memoryMiB: number): InstanceCgroup | undefined;
}

const CPU_PERIOD_US = 100_000;

/** Our own cgroup path for a v1 controller, from /proc/self/cgroup (instances nest under it). */
function ownPath(controller: string): string | undefined {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers?.split(',').includes(controller)) return path;
  }
  return undefined;
}

function mountOf(controller: string): string | undefined {
  for (const dir of [controller, 'cpu,cpuacct', 'cpuacct,cpu']) {
    const path = join('/sys/fs/cgroup', dir);
    if (existsSync(join(path, 'cgroup.procs')) && (dir === controller || dir.includes(controller)))
      return path;
  }
  return undefined;
}

export function detectCgroups(): CgroupSupport {
  const none = (reason: string): CgroupSupport => ({ available: false, reason, create: () => undefined });
  if (process.platform !== 'linux') return none(`cgroups are Linux-only (this is ${process.platform})`);
  if (process.getuid?.() !== 0) return none('cgroups need root');
  if (!existsSync('/proc/self/cgroup')) return none('no /proc/self/cgroup');
  const dirs: Record<'cpu' | 'cpuacct' | 'memory', string | undefined> = {
    cpu: undefined,
    cpuacct: undefined,
    memory: undefined,
  };
  for (const controller of ['cpu', 'cpuacct', 'memory'] as const) {
    const mount = mountOf(controller);
    const own = ownPath(controller);
    if (!mount || own === undefined)
      return none(`no cgroup v1 ${controller} controller (cgroup v2 is not supported yet)`);
    dirs[controller] = join(mount, own, 'fleetproof');
  }
  try {
    for (const dir of Object.values(dirs)) mkdirSync(dir as string, { recursive: true });
  } catch (error) {
    return none(`cannot create cgroups: ${(error as Error).message}`);
  }
  return {
    available: true,
    reason: 'cgroup v1: cpu quota, memory limit, cpuacct',
    create: (name, cpus, memoryMiB) => createV1(dirs as Record<string, string>, name, cpus, memoryMiB),
  };
}

function createV1(
  base: Record<string, string>,
  name: string,
  cpus: number,
  memoryMiB: number,
): InstanceCgroup {
  const cpu = join(base.cpu as string, name);
  const cpuacct = join(base.cpuacct as string, name);
  const memory = join(base.memory as string, name);
  const dirs = [...new Set([cpu, cpuacct, memory])];
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
  writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(Math.round(cpus * CPU_PERIOD_US)));
  writeFileSync(join(memory, 'memory.limit_in_bytes'), String(memoryMiB * 1024 * 1024));
  return {
    procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
    cpuUsageNs: () => {
      try {
        return Number(readFileSync(join(cpuacct, 'cpuacct.usage'), 'utf8'));
      } catch {
        return undefined;
      }
    },
    remove: () => {
      for (const dir of dirs) {
        try {
          rmdirSync(dir);
        } catch {
          // Still has a process (it is being killed) or already gone; the reaper retries.
        }
      }
    },
  };
}
