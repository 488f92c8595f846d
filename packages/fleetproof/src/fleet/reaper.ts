import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REAPER_MAIN = fileURLToPath(new URL('./reaper-main.js', import.meta.url));

/**
 * Client side of the reaper (see reaper-main.ts): whatever happens to this process, what it registered here
 * is stopped. Registration is a line on a pipe, so it costs nothing and cannot fail half-way.
 */
export class Reaper {
  private readonly child: ChildProcess;

  constructor() {
    this.child = spawn(process.execPath, [REAPER_MAIN], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.child.unref();
    // Do not keep our event loop alive for the pipe either; it still closes when we exit.
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child.stdin?.on('error', () => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  watchGroup(pgid: number, signal: NodeJS.Signals, graceMs: number): void {
    this.write(`group ${pgid} ${signal} ${graceMs}`);
  }

  watchProcess(pid: number, signal: NodeJS.Signals, graceMs: number): void {
    this.write(`pid ${pid} ${signal} ${graceMs}`);
  }

  watchCgroup(dir: string): void {
    this.write(`cgroup ${dir}`);
  }

  /** A network namespace and the host's end of its link, deleted once its processes are gone. */
  watchNamespace(name: string, hostVeth: string): void {
    this.write(`netns ${name} ${hostVeth}`);
  }

  forget(idOrDir: number | string): void {
    this.write(`forget ${idOrDir}`);
  }

  /** Normal shutdown: everything was stopped already; closing the pipe lets the reaper exit. */
  close(): void {
    this.child.stdin?.end();
  }

  private write(line: string): void {
    if (this.child.stdin?.writable) this.child.stdin.write(`${line}\n`);
  }
}
